package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/bot"
	"visitbot/bot/discordtest"
)

func TestRateShardAndMetricsSettings(t *testing.T) {
	load := func(env map[string]string) (config, error) {
		return loadConfig(configSource{getenv: func(k string) string { return env[k] }, envFile: envFile(t, "")}, needs{})
	}
	cfg, err := load(map[string]string{"RATE_USER": "3/1m", "RATE_GUILD": "off", "RATE_AUTOCOMPLETE": "100/10s",
		"SHARD_ID": "3", "SHARD_COUNT": "4", "METRICS_ADDR": "127.0.0.1:9090"})
	if err != nil {
		t.Fatal(err)
	}
	want := bot.Limits{User: bot.Rate{N: 3, Per: time.Minute}, Autocomplete: bot.Rate{N: 100, Per: 10 * time.Second}}
	if cfg.Limits != want || cfg.ShardID != 3 || cfg.ShardCount != 4 || cfg.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("config = %+v", cfg)
	}
	if cfg, _ := load(nil); cfg.Limits != bot.DefaultLimits() || cfg.ShardID != 0 || cfg.ShardCount != 1 || cfg.MetricsAddr != "" {
		t.Errorf("defaults = %+v, want the default limits, shard 0 of 1, no metrics address", cfg)
	}
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"RATE_USER": "5 per 10s", "RATE_GUILD": "0/1s", "RATE_AUTOCOMPLETE": "5/forever"},
			[]string{"RATE_USER is", "RATE_GUILD is", "RATE_AUTOCOMPLETE is"}},
		{map[string]string{"SHARD_ID": "4", "SHARD_COUNT": "4"}, []string{"SHARD_ID is 4: want 0 <= SHARD_ID < SHARD_COUNT (4)"}},
		{map[string]string{"SHARD_ID": "-1", "SHARD_COUNT": "4"}, []string{"SHARD_ID is -1"}},
		{map[string]string{"SHARD_COUNT": "0"}, []string{"SHARD_COUNT is 0"}},
		{map[string]string{"SHARD_ID": "one"}, []string{"SHARD_ID is \"one\""}},
		{map[string]string{"METRICS_ADDR": "9090"}, []string{"METRICS_ADDR is"}},
	} {
		_, err := load(tc.env)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %v, want it to say %q", tc.env, err, w)
			}
		}
	}
	// Flags are read, and win over the environment.
	code, _, stderr := runCLI(t, map[string]string{"DISCORD_TOKEN": testToken, "RATE_USER": "5/10s"},
		"run", "--env", envFile(t, ""), "--rate-user", "fast", "--shard-id", "2", "--shard-count", "2", "--metrics-addr", "x")
	for _, w := range []string{"RATE_USER is \"fast\"", "SHARD_ID is 2", "METRICS_ADDR is \"x\""} {
		if code != 2 || !strings.Contains(stderr, w) {
			t.Errorf("run with bad flags: exit %d, %q; want 2 and %q", code, stderr, w)
		}
	}
}

func TestServeExposesMetrics(t *testing.T) {
	ctx := testContext(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	addrs := make(chan net.Addr, 1)
	loaded := make(chan struct{})
	ctx = withTestHooks(ctx, &testHooks{listening: func(a net.Addr) { addrs <- a }, loaded: func() { close(loaded) }})
	s := start(t, ctx, map[string]string{"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub), "RATE_USER": "1/1m"},
		"serve", "--env", envFile(t, ""), "--addr", "127.0.0.1:0")
	var addr net.Addr
	select {
	case addr = <-addrs:
	case <-s.finished:
		t.Fatalf("serve returned %v before listening: %s", s.err, s.stderr.String())
	}
	select {
	case <-loaded:
	case <-ctx.Done():
		t.Fatal("the index did not load")
	}
	base := "http://" + addr.String()
	issue := func(id string) *discordgo.InteractionResponse {
		i := &discordgo.Interaction{ID: id, AppID: "1100000000000000001", Token: "t-" + id, Version: 1,
			Type: discordgo.InteractionApplicationCommand, User: &discordgo.User{ID: "2"},
			Data: discordgo.ApplicationCommandInteractionData{Name: "issue", Options: []*discordgo.ApplicationCommandInteractionDataOption{
				{Name: "topic", Type: discordgo.ApplicationCommandOptionString, Value: "seafood"}}}}
		body, _ := json.Marshal(i)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/interactions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out discordgo.InteractionResponse
		json.NewDecoder(resp.Body).Decode(&out)
		return &out
	}
	issue("1")
	if resp := issue("2"); resp.Data == nil || resp.Data.Content != "Slow down: try again in 60 s." {
		t.Errorf("a second /issue within RATE_USER=1/1m = %+v, want the slow-down sentence", resp.Data)
	}
	want := []string{
		`visitbot_interactions_total\{command="issue",kind="command",outcome="ok"\} 1`,
		`visitbot_interactions_total\{command="issue",kind="command",outcome="rate_limited"\} 1`,
		`visitbot_interaction_duration_seconds_count\{command="issue",kind="command"\} 2`,
		`visitbot_index_passages [1-9][0-9]*`,
		`visitbot_index_rebuild_duration_seconds_count 1`,
		`visitbot_index_rebuild_failures_total 0`,
		`go_goroutines [0-9]+`,
	}
	// An interaction is counted when its handler returns, which is just
	// after its HTTP reply has gone: read /metrics until the two counts are
	// in (or the test's deadline passes), then check everything.
	var metrics string
	for {
		metrics = get(t, base+"/metrics")
		if regexp.MustCompile(`(?m)^`+want[2]+`$`).MatchString(metrics) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
	for _, re := range want {
		if !regexp.MustCompile(`(?m)^` + re + `$`).MatchString(metrics) {
			t.Errorf("/metrics lacks %s", re)
		}
	}
	if err := s.stop(); err != nil {
		t.Errorf("serve returned %v", err)
	}
}

func TestRunAsOneShardWithMetrics(t *testing.T) {
	ctx := testContext(t)
	fake := discordtest.New(t)
	ready := make(chan struct{})
	metricsAddr := make(chan net.Addr, 1)
	ctx = withTestHooks(ctx, &testHooks{discord: fake.Client(), ready: func() { close(ready) },
		metrics: func(a net.Addr) { metricsAddr <- a }})
	s := start(t, ctx, map[string]string{"DISCORD_TOKEN": testToken, "SHARD_ID": "1", "SHARD_COUNT": "2", "METRICS_ADDR": "127.0.0.1:0"},
		"run", "--env", envFile(t, ""))
	select {
	case <-ready:
	case <-s.finished:
		t.Fatalf("run returned %v before it was ready: %s", s.err, s.stderr.String())
	case <-ctx.Done():
		t.Fatal("run did not get ready")
	}
	if got := fake.Shards(); len(got) != 1 || got[0] != [2]int{1, 2} {
		t.Errorf("identified as shards %v, want [[1 2]]", got)
	}
	if _, cmds := fake.Commands(); len(cmds) != 0 {
		t.Errorf("shard 1 registered %d commands, want none (shard 0 does)", len(cmds))
	}
	base := "http://" + (<-metricsAddr).String()
	if body := get(t, base+"/healthz"); strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %q", body)
	}
	if body := get(t, base+"/metrics"); !regexp.MustCompile(`(?m)^visitbot_index_passages [1-9]`).MatchString(body) {
		t.Errorf("/metrics has no index size:\n%.500s", body)
	}
	if err := s.stop(); err != nil {
		t.Errorf("run returned %v after cancel", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the metrics server still answers after run returned")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(testContext(t), http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}
