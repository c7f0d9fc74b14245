package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/bot"
	"visitbot/bot/discordtest"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// started runs the program in the background, as main does, until the test
// calls stop; stop returns run's error and output.
type started struct {
	cancel         context.CancelFunc
	finished       chan struct{} // closed when run has returned
	err            error         // run's error, once finished
	stdout, stderr bytes.Buffer  // read only once finished
}

func start(t *testing.T, ctx context.Context, env map[string]string, args ...string) *started {
	t.Helper()
	env = withDataDir(t, env) // run and serve keep their index in DATA_DIR
	ctx, cancel := context.WithCancel(ctx)
	s := &started{cancel: cancel, finished: make(chan struct{})}
	go func() {
		s.err = run(ctx, args, func(k string) string { return env[k] }, &s.stdout, &s.stderr)
		close(s.finished)
	}()
	t.Cleanup(func() { s.stop() })
	return s
}

// stop cancels run's context and waits for it to return.
func (s *started) stop() error {
	s.cancel()
	<-s.finished
	return s.err
}

func TestCommandsJSONIsTheRegisteredArray(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "commands", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got, want any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("commands --json printed no JSON: %v\n%s", err, stdout)
	}
	raw, _ := json.Marshal(bot.Commands()) // what discordgo sends
	json.Unmarshal(raw, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("commands --json = %s\nwant %s", stdout, raw)
	}
	if _, ok := got.([]any); !ok {
		t.Errorf("commands --json printed %T, want an array", got)
	}
	code, stdout, _ = runCLI(t, nil, "commands")
	if code != 0 || !strings.Contains(stdout, "/issue topic:") || !strings.Contains(stdout, "/help") {
		t.Errorf("commands = %d %q", code, stdout)
	}
}

func TestServeAnswersASignedPingAndStopsWhenCancelled(t *testing.T) {
	ctx := testContext(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	addrs := make(chan net.Addr, 1)
	ctx = withTestHooks(ctx, &testHooks{listening: func(a net.Addr) { addrs <- a }})
	s := start(t, ctx, map[string]string{
		"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub),
		"DISCORD_TOKEN":      testToken, // not needed by serve, and never logged
		"LOG_LEVEL":          "debug",
	}, "serve", "--env", envFile(t, ""), "--addr", "127.0.0.1:0")
	var addr net.Addr
	select {
	case addr = <-addrs:
	case <-s.finished:
		t.Fatalf("serve returned %v before listening: %s", s.err, s.stderr.String())
	case <-ctx.Done():
		t.Fatal("serve did not listen")
	}
	body := []byte(`{"type":1,"id":"1","application_id":"1100000000000000001","token":"t","version":1}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr.String()+"/interactions", bytes.NewReader(body))
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(out)) != `{"type":1}` {
		t.Errorf("PING = %d %s, want 200 {\"type\":1}", resp.StatusCode, out)
	}
	if err := s.stop(); err != nil {
		t.Errorf("serve returned %v after cancel, want nil", err)
	}
	if _, err := http.DefaultClient.Do(req.Clone(ctx)); err == nil {
		t.Error("serve still answers after it returned")
	}
	logs := s.stderr.String()
	if strings.Contains(logs, "secret-token") {
		t.Errorf("the token reached the log:\n%s", logs)
	}
	if !strings.Contains(logs, "interactions endpoint closed") {
		t.Errorf("no clean shutdown in the log:\n%s", logs)
	}
}

func TestRunServesTheGatewayAndStopsWhenCancelled(t *testing.T) {
	ctx := testContext(t)
	fake := discordtest.New(t)
	ready := make(chan struct{})
	ctx = withTestHooks(ctx, &testHooks{discord: fake.Client(), ready: func() { close(ready) }})
	const guild = "1187000000000000100"
	s := start(t, ctx, map[string]string{"DISCORD_TOKEN": testToken, "LOG_LEVEL": "debug"},
		"run", "--env", envFile(t, "DISCORD_GUILD_ID="+guild+"\n"))
	select {
	case <-ready:
	case <-s.finished:
		t.Fatalf("run returned %v before it was ready: %s", s.err, s.stderr.String())
	case <-ctx.Done():
		t.Fatal("run did not get ready")
	}
	if g, cmds := fake.Commands(); g != guild || len(cmds) != len(bot.Commands()) {
		t.Errorf("registered %d commands in %q, want %d in %q", len(cmds), g, len(bot.Commands()), guild)
	}
	i := &discordgo.Interaction{Type: discordgo.InteractionApplicationCommand, GuildID: guild, ChannelID: "1",
		Member: &discordgo.Member{User: &discordgo.User{ID: "2"}},
		Data: discordgo.ApplicationCommandInteractionData{Name: "issue", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "topic", Type: discordgo.ApplicationCommandOptionString, Value: "seafood"}}}}
	if err := fake.DispatchInteraction(ctx, i); err != nil {
		t.Fatal(err)
	}
	resp, err := fake.WaitResponse(ctx, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || len(resp.Data.Embeds) == 0 ||
		!strings.Contains(resp.Data.Embeds[0].Description, "seafood") {
		t.Errorf("/issue seafood = %+v", resp.Data)
	}
	if err := s.stop(); err != nil {
		t.Errorf("run returned %v after cancel, want nil", err)
	}
	if err := fake.WaitDisconnected(ctx); err != nil {
		t.Error(err)
	}
	logs := s.stderr.String()
	for _, secret := range []string{"secret-token", i.Token} {
		if strings.Contains(logs, secret) {
			t.Errorf("%q reached the log:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "gateway closed") {
		t.Errorf("no clean shutdown in the log:\n%s", logs)
	}
}

func TestRegisterRegistersGloballyAndExits(t *testing.T) {
	ctx := testContext(t)
	fake := discordtest.New(t)
	ctx = withTestHooks(ctx, &testHooks{discord: fake.Client()})
	var stdout, stderr bytes.Buffer
	env := map[string]string{"DISCORD_TOKEN": testToken}
	err := run(ctx, []string{"register", "--env", envFile(t, "")}, func(k string) string { return env[k] }, &stdout, &stderr)
	if err != nil {
		t.Fatalf("register: %v (%s)", err, stderr.String())
	}
	g, cmds := fake.Commands()
	if g != "" || len(cmds) != len(bot.Commands()) {
		t.Errorf("registered %d commands in %q, want %d globally", len(cmds), g, len(bot.Commands()))
	}
	if !strings.Contains(stdout.String(), fmt.Sprintf("Registered %d commands for application %s", len(bot.Commands()), discordtest.AppID)) {
		t.Errorf("register printed %q", stdout.String())
	}
}
