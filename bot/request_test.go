package bot

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus"
)

func loadInteraction(t testing.TB, name string) (*discordgo.Interaction, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(raw, &i); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	return &i, raw
}

func TestDecodeRequestFromRealPayloads(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Request
	}{
		{"command_issue_guild.json", Request{
			ID: "1320000000000001001", AppID: "1100000000000000001", Type: CommandRequest, Command: "issue",
			Options: []Option{{Name: "topic", Value: "seafood"}, {Name: "private", Value: true}},
			GuildID: "1187000000000000100", ChannelID: "1187000000000000200", UserID: "1050000000000000042",
			Permissions: 2251799813685247, Roles: []string{"1187000000000000300"}, UserName: "reader", Locale: "en-GB",
		}},
		{"command_ask_dm.json", Request{
			ID: "1320000000000001002", AppID: "1100000000000000001", Type: CommandRequest, Command: "ask",
			Options:   []Option{{Name: "question", Value: "why did China ban Japanese seafood?"}},
			ChannelID: "1200000000000000500", UserID: "1050000000000000042", UserName: "reader", Locale: "en-US",
		}},
		{"autocomplete_who_guild.json", Request{
			ID: "1320000000000001003", AppID: "1100000000000000001", Type: AutocompleteRequest, Command: "who",
			Options: []Option{{Name: "name", Value: "wa", Focused: true}},
			GuildID: "1187000000000000100", ChannelID: "1187000000000000200", UserID: "1050000000000000042",
			Permissions: 2251799813685247, UserName: "reader", Locale: "en-GB",
		}},
		{"autocomplete_issue_dm.json", Request{
			ID: "1320000000000001004", AppID: "1100000000000000001", Type: AutocompleteRequest, Command: "issue",
			Options:   []Option{{Name: "topic", Value: "", Focused: true}, {Name: "private", Value: false}},
			ChannelID: "1200000000000000500", UserID: "1050000000000000042", UserName: "reader", Locale: "fr",
		}},
		{"button_more_guild.json", Request{
			ID: "1320000000000001005", AppID: "1100000000000000001", Type: ButtonRequest,
			CustomID: "v1:more:issue:3:seafood",
			GuildID:  "1187000000000000100", ChannelID: "1187000000000000200", UserID: "1050000000000000077",
			Permissions: 1071698660929, UserName: "other", Locale: "en-GB",
		}},
		{"button_context_dm.json", Request{
			ID: "1320000000000001006", AppID: "1100000000000000001", Type: ButtonRequest,
			CustomID:  "v1:ctx:ap-iwaya-beijing#3",
			ChannelID: "1200000000000000500", UserID: "1050000000000000042", UserName: "reader", Locale: "en-US",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			i, _ := loadInteraction(t, tc.file)
			got, err := decodeRequest(i)
			if err != nil {
				t.Fatalf("decodeRequest: %v", err)
			}
			if got.Token == "" {
				t.Error("Token is empty")
			}
			got.Token = ""
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("decodeRequest(%s) =\n%+v\nwant\n%+v", tc.file, got, tc.want)
			}
		})
	}
}

func TestDecodeRequestNeverPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		i    *discordgo.Interaction
	}{
		{"ping", &discordgo.Interaction{Type: discordgo.InteractionPing}},
		{"command without data", &discordgo.Interaction{Type: discordgo.InteractionApplicationCommand}},
		{"command with component data", &discordgo.Interaction{Type: discordgo.InteractionApplicationCommand,
			Data: discordgo.MessageComponentInteractionData{CustomID: "x"}}},
		{"button with command data", &discordgo.Interaction{Type: discordgo.InteractionMessageComponent,
			Data: discordgo.ApplicationCommandInteractionData{Name: "issue"}}},
		{"modal", &discordgo.Interaction{Type: discordgo.InteractionModalSubmit,
			Data: discordgo.ModalSubmitInteractionData{CustomID: "x"}}},
		{"unknown type", &discordgo.Interaction{Type: 42}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeRequest(tc.i)
			if _, ok := corpus.UserMessage(err); !ok || !errors.Is(err, errUnsupported) {
				t.Errorf("decodeRequest = %v, want errUnsupported", err)
			}
		})
	}
}

func TestDecodeRequestFollowsSubcommands(t *testing.T) {
	i := &discordgo.Interaction{Type: discordgo.InteractionApplicationCommand,
		Data: discordgo.ApplicationCommandInteractionData{Name: "corpus", Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "add", Type: discordgo.ApplicationCommandOptionSubCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: "https://example.com/a"}},
		}}}}
	req, err := decodeRequest(i)
	if err != nil {
		t.Fatal(err)
	}
	if req.Command != "corpus add" || req.String("url") != "https://example.com/a" {
		t.Errorf("got command %q url %q, want \"corpus add\" and the URL", req.Command, req.String("url"))
	}
}

func TestRequestOptionsOfTheWrongTypeReadAsZero(t *testing.T) {
	req := Request{Options: []Option{{Name: "private", Value: "yes"}, {Name: "topic", Value: 3.0}}}
	if req.Bool("private") || req.String("topic") != "" || req.String("missing") != "" {
		t.Errorf("wrongly typed options read as values: %+v", req)
	}
}
