package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus"
	"visitbot/index"
)

// broken is a Searcher whose searches fail with an internal error, or
// panic.
type broken struct {
	Searcher
	panics bool
}

var errDisk = errors.New("scorch: segment 7: input/output error")

func (b broken) Search(ctx context.Context, q index.Query) (index.Result, error) {
	if b.panics {
		var m map[string]int
		m["boom"]++ // a nil map write: a real bug
	}
	return index.Result{}, fmt.Errorf("index: search %s %q: %w", q.Command, q.Text, errDisk)
}

// bare is a Searcher whose corpus has no people or topics.
type bare struct{ Searcher }

func (bare) Suggest(index.Facet, string, int) []string { return nil }

// serveOnce runs one interaction through the router with a recording
// transport and returns what was sent.
func serveOnce(t *testing.T, b *Bot, i *discordgo.Interaction) *recorder {
	t.Helper()
	if i.ID == "" {
		i.ID = "1320000000000009999"
	}
	if i.Token == "" {
		i.Token = "interaction-token-never-logged"
	}
	rec := newRecorder()
	b.serve(testContext(t), i, rec)
	return rec
}

func onlyResponse(t *testing.T, rec *recorder) *discordgo.InteractionResponse {
	t.Helper()
	if calls := rec.Calls(); len(calls) != 1 || !strings.HasPrefix(calls[0], "respond") {
		t.Fatalf("sent %v, want one response", calls)
	}
	return rec.resps[0]
}

func wantRefusal(t *testing.T, rec *recorder, sentence string) {
	t.Helper()
	resp := onlyResponse(t, rec)
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data == nil {
		t.Fatalf("response %+v, want a message", resp)
	}
	if resp.Data.Content != sentence {
		t.Errorf("content = %q, want %q", resp.Data.Content, sentence)
	}
	if resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Error("the refusal is not ephemeral")
	}
	checkNoMentions(t, resp.Data.AllowedMentions)
}

func userSentence(err error) string {
	msg, _ := corpus.UserMessage(err)
	return msg
}

func TestRouterRefusesWithOnePlainSentence(t *testing.T) {
	b, logs := newTestBot(t, shippedIndex(t), never)
	for _, tc := range []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"empty topic", command("", "issue", stringOpt("topic", "   ")), userSentence(index.ErrEmptyQuery)},
		{"missing option", command("", "who"), userSentence(index.ErrEmptyQuery)},
		{"question too long", command("", "ask", stringOpt("question", strings.Repeat("why ", 100))), userSentence(index.ErrQueryTooLong)},
		{"unknown command", command("", "visit"), msgUnknownCmd},
		{"old button", click("", "v0:more:issue:3:seafood", nil), userSentence(errOldButton)},
		{"malformed button", click("", "v1:more:issue:x:seafood", nil), userSentence(errBadButton)},
		{"button of another bot", click("", "next_page", nil), userSentence(errBadButton)},
		{"context of a passage gone", click("", "v1:ctx:nowhere#9", nil), userSentence(errGonePassage)},
		{"no more passages", click("", "v1:more:issue:900:seafood", nil), userSentence(errNoMore)},
		{"modal", &discordgo.Interaction{Type: discordgo.InteractionModalSubmit, Data: discordgo.ModalSubmitInteractionData{CustomID: "m"}}, userSentence(errUnsupported)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRefusal(t, serveOnce(t, b, tc.i), tc.want)
		})
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("refusals were logged as errors:\n%s", logs)
	}
}

func TestRouterLogsAnInternalErrorOnceAndSaysSorry(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       Searcher
		wantLog string
	}{
		{"error", broken{Searcher: shippedIndex(t)}, "input/output error"},
		{"panic", broken{Searcher: shippedIndex(t), panics: true}, "handler panicked: assignment to entry in nil map"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, logs := newTestBot(t, tc.s, never)
			i := command("", "issue", stringOpt("topic", "seafood"))
			i.ID = "1320000000000004242"
			wantRefusal(t, serveOnce(t, b, i), sorry)
			out := logs.String()
			if n := strings.Count(out, "level=ERROR"); n != 1 {
				t.Errorf("%d error lines, want 1:\n%s", n, out)
			}
			for _, want := range []string{"interaction=1320000000000004242", tc.wantLog, "command=issue"} {
				if !strings.Contains(out, want) {
					t.Errorf("the log lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "interaction-token-never-logged") {
				t.Errorf("the interaction token reached the log:\n%s", out)
			}
		})
	}
}

func TestAnUnreadableAutocompleteGetsNoChoices(t *testing.T) {
	b, _ := newTestBot(t, shippedIndex(t), never)
	resp := onlyResponse(t, serveOnce(t, b, &discordgo.Interaction{Type: discordgo.InteractionApplicationCommandAutocomplete}))
	if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult || len(resp.Data.Choices) != 0 {
		t.Errorf("response %+v, want empty choices", resp)
	}
}

func TestRouterSaysItIsLoadingBeforeTheIndexIsSet(t *testing.T) {
	b, _ := newTestBot(t, nil, never)
	if b.Ready() {
		t.Error("Ready before SetSearcher")
	}
	wantRefusal(t, serveOnce(t, b, command("", "issue", stringOpt("topic", "seafood"))), userSentence(errNotReady))
	ac := command("", "issue", &discordgo.ApplicationCommandInteractionDataOption{Name: "topic", Type: discordgo.ApplicationCommandOptionString, Value: "sea", Focused: true})
	ac.Type = discordgo.InteractionApplicationCommandAutocomplete
	resp := onlyResponse(t, serveOnce(t, b, ac))
	if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult || len(resp.Data.Choices) != 0 {
		t.Errorf("autocomplete before the index = %+v, want no choices", resp)
	}
	b.SetSearcher(shippedIndex(t))
	if !b.Ready() {
		t.Error("not Ready after SetSearcher")
	}
}

func TestNothingRelevantNamesWhatTheCorpusCovers(t *testing.T) {
	t.Run("topics and people", func(t *testing.T) {
		b, _ := newTestBot(t, smallIndex(t), never)
		resp := onlyResponse(t, serveOnce(t, b, command("", "ask", stringOpt("question", "volcano eruptions"))))
		text := responseText(resp.Data)
		for _, want := range []string{"Nothing in these articles is about “volcano eruptions”", "seafood ban", "Wang Yi"} {
			if !strings.Contains(text, want) {
				t.Errorf("the answer lacks %q:\n%s", want, text)
			}
		}
	})
	t.Run("titles when there are none", func(t *testing.T) {
		ix := shippedIndex(t)
		b, _ := newTestBot(t, bare{ix}, never)
		resp := onlyResponse(t, serveOnce(t, b, command("", "issue", stringOpt("topic", "volcano eruptions"))))
		text := seen(responseText(resp.Data))
		var title string
		for _, d := range ix.Documents() {
			if d.Kind == corpus.KindArticle {
				title = d.Title
			}
		}
		if !strings.Contains(text, title) {
			t.Errorf("the answer does not name the article %q:\n%s", title, text)
		}
	})
}

func TestValuesNotOfferedAreSearchedAllTheSame(t *testing.T) {
	// "Fukushima" is no topic or person the small corpus suggests, but
	// passages mention it.
	b, _ := newTestBot(t, shippedIndex(t), never)
	resp := onlyResponse(t, serveOnce(t, b, command("", "issue", stringOpt("topic", "Fukushima"))))
	if text := seen(responseText(resp.Data)); !strings.Contains(text, "Fukushima") || strings.Contains(text, "Nothing in these") {
		t.Errorf("/issue Fukushima did not quote a passage:\n%s", text)
	}
}

func TestSourcesAndHelp(t *testing.T) {
	ix := shippedIndex(t)
	b, _ := newTestBot(t, ix, never)
	resp := onlyResponse(t, serveOnce(t, b, command("", "sources", boolOpt("private", true))))
	text := seen(responseText(resp.Data))
	for _, d := range ix.Documents() {
		if !strings.Contains(text, d.Title) || !strings.Contains(text, d.PublishedDate()) {
			t.Errorf("/sources does not list %q of %s:\n%s", d.Title, d.PublishedDate(), text)
		}
	}
	if resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Error("private /sources is not ephemeral")
	}
	help := onlyResponse(t, serveOnce(t, b, command("", "help")))
	if help.Data.Flags&discordgo.MessageFlagsEphemeral == 0 || !strings.Contains(responseText(help.Data), "/issue") {
		t.Errorf("/help = %+v", help.Data)
	}
}

func TestAutocompleteRanksAndLimits(t *testing.T) {
	b, _ := newTestBot(t, smallIndex(t), never)
	for _, tc := range []struct {
		cmd, opt, input string
		want            string
	}{
		{"who", "name", "wang", "Wang Yi, Wang Huning"},
		{"who", "name", "yi", "Wang Yi"},
		{"who", "name", "", "Wang Yi, Li Qiang, Takeshi Iwaya, Wang Huning"},
		{"issue", "topic", "sea", "seafood ban"},
		{"issue", "topic", "zzz", ""},
		{"ask", "question", "sea", ""},
	} {
		i := command("", tc.cmd, &discordgo.ApplicationCommandInteractionDataOption{Name: tc.opt, Type: discordgo.ApplicationCommandOptionString, Value: tc.input, Focused: true})
		i.Type = discordgo.InteractionApplicationCommandAutocomplete
		resp := onlyResponse(t, serveOnce(t, b, i))
		var names []string
		for _, c := range resp.Data.Choices {
			names = append(names, c.Name)
		}
		if got := strings.Join(names, ", "); got != tc.want {
			t.Errorf("/%s %s:%q offers %q, want %q", tc.cmd, tc.opt, tc.input, got, tc.want)
		}
	}
}

func TestRouterRefusesAHandlerThatAnswersTwice(t *testing.T) {
	b, logs := newTestBot(t, shippedIndex(t), never)
	b.commands["twice"] = route{
		handle: func(ctx context.Context, req Request, r Responder) error {
			if err := r.Reply(ctx, hello); err != nil {
				return err
			}
			return r.Reply(ctx, hello)
		},
		ack: func(Request) ack { return ack{} },
	}
	rec := serveOnce(t, b, command("", "twice"))
	if calls := rec.Calls(); len(calls) != 1 {
		t.Errorf("sent %v, want the first answer only", calls)
	}
	if !strings.Contains(logs.String(), "already answered") {
		t.Errorf("the double answer was not logged:\n%s", logs)
	}
}
