package bot

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// now is the endpoint's clock in these tests: signatures are checked
// against it, so freshness needs no real waiting.
var now = time.Date(2024, 12, 26, 10, 0, 0, 0, time.UTC)

// webhookCall is one request the fake interaction webhook received.
type webhookCall struct {
	method, path string
	body         []byte
}

type endpoint struct {
	srv   *HTTPServer
	url   string
	c     *http.Client
	priv  ed25519.PrivateKey
	calls chan webhookCall
	logs  *logBuffer
	clock *fakeClock // the endpoint's and the rate limiter's clock
}

// startEndpoint serves the HTTP interactions endpoint for a bot on s, with
// its webhook follow-ups going to a loopback server.
func startEndpoint(t *testing.T, s Searcher, deferAfter time.Duration) *endpoint {
	t.Helper()
	return startEndpointWith(t, s, Options{DeferAfter: deferAfter})
}

// startEndpointWith is startEndpoint for a bot with options o (its logger
// and clock are the test's).
func startEndpointWith(t *testing.T, s Searcher, o Options) *endpoint {
	t.Helper()
	clock := newFakeClock(now)
	o.Now = clock.Now
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	calls := make(chan webhookCall, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls <- webhookCall{r.Method, r.URL.EscapedPath(), body}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"1320000000000000999"}`)
	}))
	t.Cleanup(hook.Close)
	b, logs := botWith(t, s, o)
	srv := NewHTTPServer(b, HTTPOptions{
		PublicKey: pub,
		Webhook:   &Webhook{Client: hook.Client(), BaseURL: hook.URL + "/api/v10"},
		Now:       clock.Now,
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Wait()
	})
	return &endpoint{srv: srv, url: ts.URL, c: ts.Client(), priv: priv, calls: calls, logs: logs, clock: clock}
}

// post sends body to /interactions, signed with key at time at, then lets
// edit change the request.
func (e *endpoint) post(t *testing.T, body []byte, key ed25519.PrivateKey, at time.Time, edit func(*http.Request)) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(testContext(t), http.MethodPost, e.url+"/interactions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
	if edit != nil {
		edit(req)
	}
	resp, err := e.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// interact posts a well-signed interaction and decodes the response.
func (e *endpoint) interact(t *testing.T, body []byte) *discordgo.InteractionResponse {
	t.Helper()
	status, out := e.post(t, body, e.priv, now, nil)
	if status != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", status, out)
	}
	resp, err := decodeResponse(out)
	if err != nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
	var raw struct {
		Data struct {
			AllowedMentions *struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
		} `json:"data"`
	}
	json.Unmarshal(out, &raw)
	if resp.Type == discordgo.InteractionResponseChannelMessageWithSource || resp.Type == discordgo.InteractionResponseUpdateMessage {
		if am := raw.Data.AllowedMentions; am == nil || am.Parse == nil || len(am.Parse) != 0 {
			t.Errorf("response %s does not set allowed_mentions.parse to []", out)
		}
	}
	return resp
}

// decodeResponse decodes an interaction response, which discordgo cannot
// do by itself (its components are an interface).
func decodeResponse(b []byte) (*discordgo.InteractionResponse, error) {
	type data discordgo.InteractionResponseData
	var raw struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data *struct {
			data
			Components []json.RawMessage `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	resp := &discordgo.InteractionResponse{Type: raw.Type}
	if raw.Data != nil {
		d := discordgo.InteractionResponseData(raw.Data.data)
		for _, c := range raw.Data.Components {
			mc, err := discordgo.MessageComponentFromJSON(c)
			if err != nil {
				return nil, err
			}
			d.Components = append(d.Components, mc)
		}
		resp.Data = &d
	}
	return resp, nil
}

var payloads atomic.Int64

func payload(t *testing.T, i *discordgo.Interaction) []byte {
	t.Helper()
	if i.ID == "" {
		// A new ID each time: the endpoint refuses an exact replay.
		i.ID = strconv.FormatInt(1320000000000007001+payloads.Add(1), 10)
	}
	i.AppID, i.Token, i.Version = "1100000000000000001", "aW50ZXJhY3Rpb246c2VjcmV0LWh0dHA", 1
	b, err := json.Marshal(i)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testdataPayload(t *testing.T, name string) []byte {
	t.Helper()
	_, raw := loadInteraction(t, name)
	return raw
}

func TestHTTPEndpointAnswersSignedInteractions(t *testing.T) {
	e := startEndpoint(t, withSuggestions{shippedIndex(t), smallIndex(t)}, never)

	t.Run("PING gets PONG", func(t *testing.T) {
		status, out := e.post(t, testdataPayload(t, "ping.json"), e.priv, now, nil)
		if status != http.StatusOK || strings.TrimSpace(string(out)) != `{"type":1}` {
			t.Errorf("PING = %d %s, want 200 {\"type\":1}", status, out)
		}
	})
	t.Run("/issue in a guild, private", func(t *testing.T) {
		resp := e.interact(t, testdataPayload(t, "command_issue_guild.json"))
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Fatalf("response type %d flags %d, want an ephemeral message", resp.Type, resp.Data.Flags)
		}
		if text := seen(responseText(resp.Data)); !strings.Contains(text, seafoodBan) {
			t.Errorf("the answer does not quote %q:\n%s", seafoodBan, text)
		}
	})
	t.Run("/ask in a DM", func(t *testing.T) {
		resp := e.interact(t, testdataPayload(t, "command_ask_dm.json"))
		if text := responseText(resp.Data); resp.Type != discordgo.InteractionResponseChannelMessageWithSource || !strings.Contains(text, "**") || !strings.Contains(text, "seafood") {
			t.Errorf("/ask = %d %s", resp.Type, responseText(resp.Data))
		}
	})
	t.Run("/who", func(t *testing.T) {
		resp := e.interact(t, payload(t, command("", "who", stringOpt("name", "Wang Yi"))))
		if !strings.Contains(seen(responseText(resp.Data)), "Wang Yi") {
			t.Errorf("/who Wang Yi = %s", responseText(resp.Data))
		}
	})
	t.Run("/sources", func(t *testing.T) {
		resp := e.interact(t, payload(t, command("", "sources")))
		if !strings.Contains(responseText(resp.Data), "2024-12-25") {
			t.Errorf("/sources = %s", responseText(resp.Data))
		}
	})
	t.Run("/help", func(t *testing.T) {
		resp := e.interact(t, payload(t, command("", "help")))
		if !strings.Contains(responseText(resp.Data), "/who") {
			t.Errorf("/help = %s", responseText(resp.Data))
		}
	})
	t.Run("autocomplete", func(t *testing.T) {
		resp := e.interact(t, testdataPayload(t, "autocomplete_who_guild.json"))
		var names []string
		for _, c := range resp.Data.Choices {
			names = append(names, c.Name)
		}
		if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult || strings.Join(names, ", ") != "Wang Yi, Wang Huning, Takeshi Iwaya" {
			t.Errorf("autocomplete for \"wa\" = %d %v", resp.Type, names)
		}
		empty := e.interact(t, testdataPayload(t, "autocomplete_issue_dm.json"))
		if len(empty.Data.Choices) == 0 {
			t.Error("autocomplete with empty input offers nothing")
		}
	})
	t.Run("More button", func(t *testing.T) {
		resp := e.interact(t, testdataPayload(t, "button_more_guild.json"))
		if resp.Type != discordgo.InteractionResponseUpdateMessage || !strings.Contains(responseText(resp.Data), "4 of the") && !strings.Contains(responseText(resp.Data), "Passages 4–") {
			t.Errorf("More = %d %s", resp.Type, responseText(resp.Data))
		}
	})
	t.Run("Context button", func(t *testing.T) {
		resp := e.interact(t, testdataPayload(t, "button_context_dm.json"))
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || !strings.Contains(responseText(resp.Data), "the passage found") {
			t.Errorf("Context = %d %s", resp.Type, responseText(resp.Data))
		}
	})
	if logs := e.logs.String(); strings.Contains(logs, "aW50ZXJhY3Rpb24") {
		t.Errorf("an interaction token reached the log:\n%s", logs)
	}
}

func TestHTTPEndpointRefusesBadRequests(t *testing.T) {
	e := startEndpoint(t, shippedIndex(t), never)
	ping := testdataPayload(t, "ping.json")
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	del := func(h string) func(*http.Request) { return func(r *http.Request) { r.Header.Del(h) } }
	set := func(h, v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set(h, v) } }
	big := append([]byte(`{"type":1,"padding":"`), bytes.Repeat([]byte("x"), 2<<20)...)
	big = append(big, `"}`...)
	for _, tc := range []struct {
		name string
		body []byte
		key  ed25519.PrivateKey
		at   time.Time
		edit func(*http.Request)
		want int
	}{
		{"signed by another key", ping, otherKey, now, nil, http.StatusUnauthorized},
		{"signature not hex", ping, e.priv, now, set("X-Signature-Ed25519", "zz"), http.StatusUnauthorized},
		{"signature too short", ping, e.priv, now, set("X-Signature-Ed25519", "abcd"), http.StatusUnauthorized},
		{"no signature", ping, e.priv, now, del("X-Signature-Ed25519"), http.StatusUnauthorized},
		{"no timestamp", ping, e.priv, now, del("X-Signature-Timestamp"), http.StatusUnauthorized},
		{"timestamp not a number", ping, e.priv, now, set("X-Signature-Timestamp", "yesterday"), http.StatusUnauthorized},
		{"body changed after signing", ping, e.priv, now, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"type":1} `))
			r.ContentLength = -1
		}, http.StatusUnauthorized},
		{"stale timestamp", ping, e.priv, now.Add(-5*time.Minute - time.Second), nil, http.StatusUnauthorized},
		{"future timestamp", ping, e.priv, now.Add(time.Minute + time.Second), nil, http.StatusUnauthorized},
		{"2 MiB body", big, e.priv, now, nil, http.StatusRequestEntityTooLarge},
		{"malformed JSON", []byte(`{"type":1,`), e.priv, now, nil, http.StatusBadRequest},
		{"JSON of the wrong shape", []byte(`[1,2,3]`), e.priv, now, nil, http.StatusBadRequest},
		{"interaction without token", []byte(`{"type":2,"id":"1","application_id":"2","data":{"name":"help"}}`), e.priv, now, nil, http.StatusBadRequest},
		{"almost stale is fine", ping, e.priv, now.Add(-5*time.Minute + time.Second), nil, http.StatusOK},
		{"slightly ahead is fine", ping, e.priv, now.Add(59 * time.Second), nil, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, out := e.post(t, tc.body, tc.key, tc.at, tc.edit); status != tc.want {
				t.Errorf("status %d (%s), want %d", status, out, tc.want)
			}
		})
	}
	req, _ := http.NewRequestWithContext(testContext(t), http.MethodGet, e.url+"/interactions", nil)
	if resp, err := e.c.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /interactions = %v %v, want 405", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
}

func TestHTTPEndpointDefersThenEditsByWebhook(t *testing.T) {
	slow := newGate(shippedIndex(t))
	e := startEndpoint(t, slow, time.Millisecond)
	i := command("", "issue", stringOpt("topic", "seafood"))
	i.ID = "1320000000000007002"
	body := payload(t, i)
	// The handler blocks in Search until the gate opens, so the first
	// response can only be the deferral the responder sends by itself.
	resp := e.interact(t, body)
	if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("first response type %d, want a deferral (5)", resp.Type)
	}
	<-slow.entered
	close(slow.open)
	var call webhookCall
	select {
	case call = <-e.calls:
	case <-testContext(t).Done():
		t.Fatal("no webhook call")
	}
	if want := "/api/v10/webhooks/1100000000000000001/aW50ZXJhY3Rpb246c2VjcmV0LWh0dHA/messages/@original"; call.method != http.MethodPatch || call.path != want {
		t.Errorf("webhook call %s %s, want PATCH %s", call.method, call.path, want)
	}
	var edit struct {
		Embeds          []*discordgo.MessageEmbed `json:"embeds"`
		Components      []json.RawMessage         `json:"components"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(call.body, &edit); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(seen(messageText("", edit.Embeds)), seafoodBan) {
		t.Errorf("the edit does not carry the answer: %s", call.body)
	}
	if edit.AllowedMentions == nil || edit.AllowedMentions.Parse == nil || len(edit.AllowedMentions.Parse) != 0 {
		t.Errorf("the edit does not set allowed_mentions.parse to []: %s", call.body)
	}
	if len(edit.Components) == 0 {
		t.Errorf("the edit has no buttons: %s", call.body)
	}
	e.srv.Wait()
	if logs := e.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("errors logged:\n%s", logs)
	}
}

func TestHealthzSaysWhetherTheIndexIsReady(t *testing.T) {
	e := startEndpoint(t, nil, never)
	get := func() (int, string) {
		req, _ := http.NewRequestWithContext(testContext(t), http.MethodGet, e.url+"/healthz", nil)
		resp, err := e.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	if status, body := get(); status != http.StatusServiceUnavailable {
		t.Errorf("before the index: %d %q, want 503", status, body)
	}
	e.srv.bot.SetSearcher(shippedIndex(t))
	if status, body := get(); status != http.StatusOK || body != "ok" {
		t.Errorf("with the index: %d %q, want 200 ok", status, body)
	}
}

func TestWebhookErrorsNameNoToken(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message": "Unknown Webhook", "code": 10015}`)
	}))
	defer hook.Close()
	w := &Webhook{Client: hook.Client(), BaseURL: hook.URL}
	err := w.EditOriginal(testContext(t), "1", "secret-interaction-token", map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "Unknown Webhook") || strings.Contains(err.Error(), "secret-interaction-token") {
		t.Errorf("EditOriginal = %v, want Discord's message and no token", err)
	}
	hook.Close()
	err = w.Followup(testContext(t), "1", "secret-interaction-token", map[string]string{})
	if err == nil || strings.Contains(err.Error(), "secret-interaction-token") {
		t.Errorf("Followup to a closed server = %v, want an error without the token", err)
	}
}
