package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/bot/discordtest"
	"visitbot/corpus"
	"visitbot/index"
)

// botToken is the token the gateway tests use; it must never be logged.
const botToken = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.secret-bot-token-never-logged"

// withSuggestions answers searches from one index and autocomplete from
// another: the shipped corpus for quotes, a small one with people and topics
// for suggestions.
type withSuggestions struct {
	Searcher
	suggest Searcher
}

func (w withSuggestions) Suggest(f index.Facet, input string, n int) []string {
	return w.suggest.Suggest(f, input, n)
}

type gatewayRun struct {
	fake *discordtest.Server
	g    *Gateway
	logs *logBuffer
	stop func() error // cancels Run and returns its error
}

// startGateway runs a gateway for a bot on s against a fake Discord, and
// waits until its commands are registered.
func startGateway(t *testing.T, s Searcher, deferAfter time.Duration, guild string) *gatewayRun {
	t.Helper()
	return startGatewayWith(t, s, Options{DeferAfter: deferAfter}, guild)
}

// startGatewayWith is startGateway for a bot with options o.
func startGatewayWith(t *testing.T, s Searcher, o Options, guild string) *gatewayRun {
	t.Helper()
	return startShard(t, s, o, GatewayOptions{GuildID: guild})
}

// startShard is startGateway for a bot with options o and a gateway with
// options g (its token and client are the test's).
func startShard(t *testing.T, s Searcher, o Options, gopts GatewayOptions) *gatewayRun {
	t.Helper()
	fake := discordtest.New(t)
	b, logs := botWith(t, s, o)
	gopts.Token, gopts.Client = botToken, fake.Client()
	g := NewGateway(b, gopts)
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	stopped := false
	var runErr error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			runErr = <-done
		}
		return runErr
	}
	t.Cleanup(func() { stop() })
	select {
	case <-g.Ready():
	case err := <-done:
		stopped = true
		t.Fatalf("Run returned before it was ready: %v", err)
	case <-testContext(t).Done():
		t.Fatal("the gateway did not get ready")
	}
	return &gatewayRun{fake: fake, g: g, logs: logs, stop: stop}
}

func command(guild, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	i := &discordgo.Interaction{
		Type:      discordgo.InteractionApplicationCommand,
		ChannelID: "1187000000000000200",
		Data:      discordgo.ApplicationCommandInteractionData{Name: name, Options: opts},
	}
	user := &discordgo.User{ID: "1050000000000000042", Username: "reader"}
	if guild != "" {
		i.GuildID = guild
		i.Member = &discordgo.Member{User: user, Permissions: 1 << 11}
	} else {
		i.User = user
	}
	return i
}

func stringOpt(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

func boolOpt(name string, value bool) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionBoolean, Value: value}
}

func click(guild, customID string, msg *discordgo.Message) *discordgo.Interaction {
	i := command(guild, "")
	i.Type = discordgo.InteractionMessageComponent
	i.Data = discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent}
	i.Message = msg
	return i
}

// seen is the text of a response as a user reads it: escapes undone, bold
// markers dropped.
func seen(s string) string { return strings.ReplaceAll(unescape(s), "**", "") }

func checkNoMentions(t *testing.T, am *discordgo.MessageAllowedMentions) {
	t.Helper()
	if am == nil || am.Parse == nil || len(am.Parse) != 0 || len(am.Users) != 0 || len(am.Roles) != 0 {
		t.Errorf("allowed mentions = %+v, want parse: [] and nothing else", am)
	}
}

func TestGatewayServesTheCommandSet(t *testing.T) {
	shipped := shippedIndex(t)
	const guild = "1187000000000000100"
	run := startGateway(t, withSuggestions{shipped, smallIndex(t)}, never, guild)
	fake := run.fake
	ctx := testContext(t)

	t.Run("registers the command set in the guild", func(t *testing.T) {
		gotGuild, cmds := fake.Commands()
		if gotGuild != guild {
			t.Errorf("commands registered in %q, want %q", gotGuild, guild)
		}
		var names []string
		for _, c := range cmds {
			names = append(names, c.Name)
		}
		if got, want := strings.Join(names, " "), "issue who ask sources help corpus"; got != want {
			t.Errorf("registered %q, want %q", got, want)
		}
	})

	var answer *discordgo.Message
	t.Run("/issue seafood quotes the seafood ban", func(t *testing.T) {
		i := command(guild, "issue", stringOpt("topic", "seafood"))
		if err := fake.DispatchInteraction(ctx, i); err != nil {
			t.Fatal(err)
		}
		resp, err := fake.WaitResponse(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource {
			t.Fatalf("response type %d, want a message (4)", resp.Type)
		}
		text := responseText(resp.Data)
		if !strings.Contains(seen(text), seafoodBan) {
			t.Errorf("the answer does not quote %q:\n%s", seafoodBan, text)
		}
		if !strings.Contains(text, "**seafood") {
			t.Errorf("the matched word is not bold:\n%s", text)
		}
		if resp.Data.Flags&discordgo.MessageFlagsEphemeral != 0 {
			t.Error("a public answer is ephemeral")
		}
		checkNoMentions(t, resp.Data.AllowedMentions)
		answer = fake.Original(i.Token)
	})

	t.Run("More pages on in place", func(t *testing.T) {
		if answer == nil {
			t.Skip("no answer to page")
		}
		ids := customIDs(answer.Components)
		var more string
		for _, id := range ids {
			if strings.HasPrefix(id, "v1:more:") {
				more = id
			}
		}
		want, err := shipped.Search(ctx, index.Query{Command: index.Issue, Text: "seafood", Limit: pageSize, Offset: pageSize})
		if err != nil {
			t.Fatal(err)
		}
		if more == "" {
			if want.Total > pageSize {
				t.Fatalf("no More button among %v, though %d passages match", ids, want.Total)
			}
			t.Skipf("only %d passages match: nothing to page", want.Total)
		}
		i := click(guild, more, answer)
		if err := fake.DispatchInteraction(ctx, i); err != nil {
			t.Fatal(err)
		}
		resp, err := fake.WaitResponse(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Type != discordgo.InteractionResponseUpdateMessage {
			t.Fatalf("response type %d, want an update (7)", resp.Type)
		}
		text := seen(responseText(resp.Data))
		if !strings.Contains(text, want.Hits[0].Passage.Text) {
			t.Errorf("page two does not start with %q:\n%s", want.Hits[0].Passage.Text, text)
		}
		if !strings.Contains(text, "Passage 4") && !strings.Contains(text, "Passages 4–") {
			t.Errorf("page two's footer does not count from 4:\n%s", text)
		}
		checkNoMentions(t, resp.Data.AllowedMentions)
	})

	t.Run("Context shows the paragraphs around the top passage", func(t *testing.T) {
		if answer == nil {
			t.Skip("no answer")
		}
		var ctxID string
		for _, id := range customIDs(answer.Components) {
			if strings.HasPrefix(id, "v1:ctx:") {
				ctxID = id
			}
		}
		if ctxID == "" {
			t.Fatal("no Context button")
		}
		i := click(guild, ctxID, answer)
		if err := fake.DispatchInteraction(ctx, i); err != nil {
			t.Fatal(err)
		}
		resp, err := fake.WaitResponse(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Fatalf("response type %d flags %d, want an ephemeral message", resp.Type, resp.Data.Flags)
		}
		if text := responseText(resp.Data); !strings.Contains(text, "the passage found") || !strings.Contains(text, "**Paragraph") {
			t.Errorf("the context does not mark the passage found:\n%s", text)
		}
	})

	t.Run("autocomplete offers people", func(t *testing.T) {
		i := command(guild, "who", &discordgo.ApplicationCommandInteractionDataOption{
			Name: "name", Type: discordgo.ApplicationCommandOptionString, Value: "wang", Focused: true})
		i.Type = discordgo.InteractionApplicationCommandAutocomplete
		if err := fake.DispatchInteraction(ctx, i); err != nil {
			t.Fatal(err)
		}
		resp, err := fake.WaitResponse(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Fatalf("response type %d, want autocomplete results (8)", resp.Type)
		}
		var names []string
		for _, c := range resp.Data.Choices {
			names = append(names, c.Name)
		}
		if got, want := strings.Join(names, ", "), "Wang Yi, Wang Huning"; got != want {
			t.Errorf("choices = %q, want %q", got, want)
		}
	})

	t.Run("a private answer in a DM is ephemeral", func(t *testing.T) {
		i := command("", "who", stringOpt("name", "Wang Yi"), boolOpt("private", true))
		if err := fake.DispatchInteraction(ctx, i); err != nil {
			t.Fatal(err)
		}
		resp, err := fake.WaitResponse(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Data == nil || resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("private answer not ephemeral: %+v", resp.Data)
		}
		if !strings.Contains(seen(responseText(resp.Data)), "Wang Yi") {
			t.Errorf("the answer does not mention Wang Yi:\n%s", responseText(resp.Data))
		}
	})

	t.Run("an old button gets a short ephemeral note", func(t *testing.T) {
		i := click(guild, "v0:page:issue:3:seafood", nil)
		if err := fake.DispatchInteraction(ctx, i); err != nil {
			t.Fatal(err)
		}
		resp, err := fake.WaitResponse(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := corpus.UserMessage(errOldButton)
		if resp.Data == nil || resp.Data.Content != want || resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("old button answered %+v, want the ephemeral note %q", resp.Data, want)
		}
	})

	t.Run("shuts down cleanly", func(t *testing.T) {
		if err := run.stop(); err != nil {
			t.Errorf("Run returned %v after cancel, want nil", err)
		}
		if err := fake.WaitDisconnected(ctx); err != nil {
			t.Errorf("the gateway connection is still open: %v", err)
		}
		logs := run.logs.String()
		if strings.Contains(logs, botToken) || strings.Contains(logs, "secret-bot-token") {
			t.Errorf("the bot token reached the log:\n%s", logs)
		}
		if strings.Contains(logs, "itoken-") {
			t.Errorf("an interaction token reached the log:\n%s", logs)
		}
	})
}

func TestGatewayDefersASlowAnswerThenEditsIt(t *testing.T) {
	slow := newGate(shippedIndex(t))
	run := startGateway(t, slow, time.Millisecond, "")
	ctx := testContext(t)
	i := command("", "ask", stringOpt("question", "why did China ban Japanese seafood?"), boolOpt("private", true))
	if err := run.fake.DispatchInteraction(ctx, i); err != nil {
		t.Fatal(err)
	}
	<-slow.entered // the handler is searching, and stays there until the gate opens
	resp, err := run.fake.WaitResponse(ctx, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("first response type %d, want a deferral (5)", resp.Type)
	}
	if resp.Data == nil || resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("the deferral of a private answer is not ephemeral: %+v", resp.Data)
	}
	close(slow.open)
	edit, err := run.fake.WaitEdit(ctx, i.Token)
	if err != nil {
		t.Fatal(err)
	}
	if edit.Embeds == nil || !strings.Contains(seen(messageText("", *edit.Embeds)), "seafood") {
		t.Errorf("the edit does not carry the answer: %+v", edit)
	}
	checkNoMentions(t, edit.AllowedMentions)
	if err := run.stop(); err != nil {
		t.Errorf("Run = %v", err)
	}
}

func TestGatewayRefusesToStartWithoutAToken(t *testing.T) {
	g := NewGateway(New(Options{}), GatewayOptions{})
	if err := g.Run(t.Context()); err == nil {
		t.Error("Run without a token succeeded")
	}
}
