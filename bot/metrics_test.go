package bot

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/http"
	"regexp"
	"testing"
	"time"
)

func TestMetricsCountOutcomesRejectionsAndRebuilds(t *testing.T) {
	m := NewMetrics()
	e := startEndpointWith(t, shippedIndex(t), Options{DeferAfter: never, Metrics: m, Limits: Limits{User: Rate{2, time.Minute}}})
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)

	e.interact(t, payload(t, command("", "issue", stringOpt("topic", "seafood")))) // ok
	e.interact(t, payload(t, command("", "issue", stringOpt("topic", "  "))))      // user error
	e.interact(t, payload(t, command("", "help")))                                 // rate limited
	e.interact(t, payload(t, autocompleteFor("who", "name", "wa")))                // ok, apart
	e.interact(t, payload(t, command("", "nosuch")))                               // unknown command
	ping := testdataPayload(t, "ping.json")
	e.post(t, ping, otherKey, now, nil) // forged
	e.post(t, ping, e.priv, now, nil)
	e.post(t, ping, e.priv, now, nil) // replayed
	m.ObserveRebuild(1500*time.Millisecond, nil)
	m.ObserveRebuild(200*time.Millisecond, errors.New("disk full"))

	text := scrapeSettled(t, e.c, e.url)
	for _, re := range []string{
		`visitbot_interactions_total\{command="issue",kind="command",outcome="ok"\} 1`,
		`visitbot_interactions_total\{command="issue",kind="command",outcome="user_error"\} 1`,
		`visitbot_interactions_total\{command="help",kind="command",outcome="rate_limited"\} 1`,
		`visitbot_interactions_total\{command="who",kind="autocomplete",outcome="ok"\} 1`,
		`visitbot_interactions_total\{command="unknown",kind="command",outcome="user_error"\} 1`,
		`visitbot_interactions_total\{command="ask",kind="command",outcome="ok"\} 0`, // seeded
		`visitbot_interaction_duration_seconds_count\{command="issue",kind="command"\} 2`,
		`visitbot_interactions_in_flight 0`,
		`visitbot_http_rejected_total\{reason="bad_signature"\} 1`,
		`visitbot_http_rejected_total\{reason="replay"\} 1`,
		`visitbot_http_rejected_total\{reason="stale"\} 0`,
		`visitbot_index_passages [1-9][0-9]*`,
		`visitbot_index_rebuild_duration_seconds_count 2`,
		`visitbot_index_rebuild_failures_total 1`,
		`visitbot_index_last_rebuild_success_timestamp_seconds [1-9].*`,
		`process_open_fds [0-9]+`,
	} {
		if !regexp.MustCompile(`(?m)^` + re + `$`).MatchString(text) {
			t.Errorf("/metrics lacks %s", re)
		}
	}
	if regexp.MustCompile(`command="nosuch"`).MatchString(text) {
		t.Error("a request chose a label value")
	}
}

func TestABotWithoutMetricsServesNone(t *testing.T) {
	e := startEndpoint(t, shippedIndex(t), never)
	req, _ := http.NewRequestWithContext(testContext(t), http.MethodGet, e.url+"/metrics", nil)
	resp, err := e.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics without metrics = %d, want 404", resp.StatusCode)
	}
	var m *Metrics // nil records nothing, and does not panic
	m.ObserveRebuild(time.Second, nil)
	m.IndexSize(func() int { return 1 })
	m.done("command", "help", outcomeOK, time.Millisecond, false)
}
