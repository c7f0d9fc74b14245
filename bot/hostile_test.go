package bot

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/index"
)

// The HTTP endpoint faces the internet: these requests are what an attacker
// or a broken proxy may send. TestHTTPEndpointRefusesBadRequests covers
// signatures, timestamps, size and malformed JSON; these cover the rest.

func TestHTTPEndpointRefusesReplays(t *testing.T) {
	e := startEndpoint(t, shippedIndex(t), never)
	body := payload(t, command("", "help"))
	upper := func(r *http.Request) {
		r.Header.Set("X-Signature-Ed25519", strings.ToUpper(r.Header.Get("X-Signature-Ed25519")))
	}
	if status, out := e.post(t, body, e.priv, now, nil); status != http.StatusOK {
		t.Fatalf("first delivery: %d %s, want 200", status, out)
	}
	for _, tc := range []struct {
		name    string
		advance time.Duration
		edit    func(*http.Request)
	}{
		{"the same request again", 0, nil},
		{"the same signature in upper case", 0, upper},
		{"the same request just inside the window", maxAge - time.Second, nil},
		{"the same request after the window", 2 * time.Second, nil},
	} {
		e.clock.Advance(tc.advance)
		if status, out := e.post(t, body, e.priv, now, tc.edit); status != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", tc.name, status, out)
		}
	}
	// The same interaction signed anew (only Discord holds the key) is a
	// new delivery.
	if status, out := e.post(t, body, e.priv, e.clock.Now(), nil); status != http.StatusOK {
		t.Errorf("signed anew: %d %s, want 200", status, out)
	}
}

func TestReplaysForgetStaleSignaturesAndStayBounded(t *testing.T) {
	r := newReplays(8)
	for n := range 100 {
		sig := sigOf(n)
		if !r.first(sig, now.Add(maxAge), now) {
			t.Fatalf("signature %d refused on first sight", n)
		}
		if len(r.seen) > 8 || len(r.order)-r.head > 8 {
			t.Fatalf("%d remembered after %d signatures, want at most 8", len(r.seen), n+1)
		}
	}
	if r.first(sigOf(99), now.Add(maxAge), now) {
		t.Error("a recent signature was accepted twice")
	}
	later := now.Add(maxAge + time.Second)
	if !r.first(sigOf(99), later.Add(maxAge), later) {
		t.Error("a stale signature was still remembered")
	}
	if len(r.seen) != 1 {
		t.Errorf("%d remembered after all went stale, want 1", len(r.seen))
	}
}

// sigOf is a made-up signature, distinct for each n.
func sigOf(n int) []byte {
	sig := make([]byte, 64)
	binary.BigEndian.PutUint64(sig, uint64(n))
	return sig
}

func TestHTTPEndpointSurvivesHostileInput(t *testing.T) {
	e := startEndpoint(t, shippedIndex(t), never)
	ctype := func(v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set("Content-Type", v) } }
	signed := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := func(typ int, data any) map[string]any {
		return map[string]any{"type": typ, "id": fmt.Sprint(1320000000000008000 + payloads.Add(1)), "application_id": "1100000000000000001",
			"token": "aW50ZXJhY3Rpb246c2VjcmV0LWh0dHA", "version": 1, "user": map[string]any{"id": "1050000000000000042"}, "data": data}
	}
	manyOptions := make([]map[string]any, 10_000)
	for n := range manyOptions {
		manyOptions[n] = map[string]any{"name": "topic", "type": 3, "value": "seafood"}
	}
	help := payload(t, command("", "help"))

	t.Run("requests refused before the router", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			body []byte
			edit func(*http.Request)
			want int
		}{
			{"text/plain", help, ctype("text/plain"), http.StatusUnsupportedMediaType},
			{"a form", help, ctype("application/x-www-form-urlencoded"), http.StatusUnsupportedMediaType},
			{"an unparsable content type", help, ctype("application/json; ;;"), http.StatusUnsupportedMediaType},
			{"JSON with a charset", payload(t, command("", "help")), ctype("application/json; charset=utf-8"), http.StatusOK},
			{"JSON nested 100 000 deep", append(bytes.Repeat([]byte("["), 100_000), bytes.Repeat([]byte("]"), 100_000)...), nil, http.StatusBadRequest},
			{"a string where the type goes", []byte(`{"type":"2","id":"1","application_id":"1","token":"t"}`), nil, http.StatusBadRequest},
			{"no application ID", signed(map[string]any{"type": 2, "id": "1", "token": "t", "data": map[string]any{"name": "help"}}), nil, http.StatusBadRequest},
		} {
			if status, out := e.post(t, tc.body, e.priv, now, tc.edit); status != tc.want {
				t.Errorf("%s: %d %s, want %d", tc.name, status, out, tc.want)
			}
		}
	})

	t.Run("interactions refused with a sentence", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			body []byte
			want string
		}{
			{"an unknown interaction type", signed(base(99, map[string]any{"name": "issue"})), userSentence(errUnsupported)},
			{"a command without data", signed(base(2, nil)), userSentence(errUnsupported)},
			{"a component click without data", signed(base(3, nil)), userSentence(errBadButton)},
			{"a modal", signed(base(5, map[string]any{"custom_id": "v1:ctx:x", "components": []any{}})), userSentence(errUnsupported)},
			{"an option of the wrong type", signed(base(2, map[string]any{"name": "issue", "options": []any{map[string]any{"name": "topic", "type": 3, "value": 42}}})), userSentence(index.ErrEmptyQuery)},
			{"ten thousand options", signed(base(2, map[string]any{"name": "help", "options": manyOptions})), ""},
		} {
			resp := e.interact(t, tc.body)
			if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Content != tc.want {
				t.Errorf("%s: response %d %q, want a message %q", tc.name, resp.Type, resp.Data.Content, tc.want)
			}
			if tc.want != "" && resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Errorf("%s: the refusal is not ephemeral", tc.name)
			}
		}
	})

	t.Run("forged custom_ids", func(t *testing.T) {
		for _, tc := range []struct {
			id   string
			want string
		}{
			{"v1:more:issue:99999:seafood", userSentence(errBadButton)},
			{"v1:more:issue:-3:seafood", userSentence(errBadButton)},
			{"v1:more:nosuch:3:seafood", userSentence(errBadButton)},
			{"v1:more:issue:3:", userSentence(errBadButton)},
			{"v1:ctx:", userSentence(errBadButton)},
			{"v1:exec:rm -rf /", userSentence(errBadButton)},
			{"v9:more:issue:3:seafood", userSentence(errOldButton)},
			{strings.Repeat("v1:more:issue:3:", 40), userSentence(errBadButton)},
			{"v1:ctx:../../../../etc/passwd", userSentence(errGonePassage)},
			{"v1:more:issue:900:seafood", userSentence(errNoMore)},
			{"v1:more:ask:3:@everyone <@&1187> <@123>", userSentence(errNoMore)},
			{"", userSentence(errBadButton)},
		} {
			resp := e.interact(t, payload(t, click("", tc.id, nil)))
			if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Content != tc.want ||
				resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Errorf("click on %q: response %d %q (flags %d), want an ephemeral %q", tc.id, resp.Type, resp.Data.Content, resp.Data.Flags, tc.want)
			}
		}
	})

	t.Run("mentions in a query are shown, never pinged", func(t *testing.T) {
		resp := e.interact(t, payload(t, command("", "ask", stringOpt("question", "@everyone @here <@123> <@&456> seafood"))))
		text := responseText(resp.Data)
		if msg := unneutralised(text); msg != "" {
			t.Errorf("%s in:\n%s", msg, text)
		}
		checkNoMentions(t, resp.Data.AllowedMentions)
	})

	t.Run("autocomplete for what has no suggestions", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			i    *discordgo.Interaction
		}{
			{"an unknown option of /issue", autocompleteFor("issue", "bogus", "sea")},
			{"the private option of /who", autocompleteFor("who", "private", "wa")},
			{"/ask, which has no autocomplete", autocompleteFor("ask", "question", "sea")},
			{"an unknown command", autocompleteFor("visit", "where", "bei")},
			{"no focused option", command("", "issue", stringOpt("topic", "sea"))},
		} {
			tc.i.Type = discordgo.InteractionApplicationCommandAutocomplete
			resp := e.interact(t, payload(t, tc.i))
			if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult || len(resp.Data.Choices) != 0 {
				t.Errorf("%s: response %d with %d choices, want no choices", tc.name, resp.Type, len(resp.Data.Choices))
			}
		}
	})

	e.srv.Wait()
	if logs := e.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("hostile input was logged as our error:\n%s", logs)
	}
}

// unneutralised says how text could ping someone: "@everyone", "@here",
// "<@id>" or "<@&id>" without the zero-width space after the '@'; "" when
// it cannot. (An '@' before anything else, such as the "…" of a cut text,
// pings no one.)
func unneutralised(text string) string {
	for i := 0; i < len(text); i++ {
		if text[i] != '@' || strings.HasPrefix(text[i+1:], zwsp) {
			continue
		}
		rest := strings.ToLower(text[i+1:])
		if strings.HasPrefix(rest, "everyone") || strings.HasPrefix(rest, "here") ||
			(i > 0 && text[i-1] == '<') {
			return fmt.Sprintf("an unneutralised mention %q", text[max(0, i-3):min(len(text), i+12)])
		}
	}
	return ""
}
