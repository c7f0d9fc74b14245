package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/bot/discordtest"
)

// withDataDir is env with DATA_DIR set to a temporary directory unless the
// test set one: run and serve keep their index there.
func withDataDir(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	if _, ok := out["DATA_DIR"]; !ok {
		out["DATA_DIR"] = t.TempDir()
	}
	return out
}

func TestCorpusSettingsAreChecked(t *testing.T) {
	load := func(env map[string]string) (config, error) {
		return loadConfig(configSource{getenv: func(k string) string { return env[k] }, envFile: filepath.Join(t.TempDir(), ".env")}, needs{})
	}
	cfg, err := load(map[string]string{"MOD_ROLE_IDS": " 1187000000000000399, 1187000000000000400 ,", "FETCH_ALLOW_PRIVATE": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.ModRoles, " "); got != "1187000000000000399 1187000000000000400" || !cfg.FetchAllowPrivate {
		t.Errorf("ModRoles = %q, FetchAllowPrivate = %v", got, cfg.FetchAllowPrivate)
	}
	cfg, err = load(nil)
	if err != nil || cfg.ModRoles != nil || cfg.FetchAllowPrivate {
		t.Errorf("defaults: %+v, %v; want no roles and no private fetching", cfg, err)
	}
	for _, tc := range []struct{ key, value, want string }{
		{"MOD_ROLE_IDS", "moderators", `MOD_ROLE_IDS has "moderators"`},
		{"MOD_ROLE_IDS", "1187000000000000399;1187000000000000400", "MOD_ROLE_IDS has"},
		{"FETCH_ALLOW_PRIVATE", "maybe", `FETCH_ALLOW_PRIVATE is "maybe"`},
	} {
		if _, err := load(map[string]string{tc.key: tc.value}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%s: error %v, want one saying %q", tc.key, tc.value, err, tc.want)
		}
	}
}

// moderatorCommand is /corpus sub sent by a member of the role modRoleID.
func moderatorCommand(guild, sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return &discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommand, GuildID: guild, ChannelID: "1187000000000000200",
		Member: &discordgo.Member{User: &discordgo.User{ID: "1050000000000000045", Username: "mod"},
			Permissions: discordgo.PermissionSendMessages, Roles: []string{modRoleID}},
		Data: discordgo.ApplicationCommandInteractionData{Name: "corpus", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}}},
	}
}

const modRoleID = "1187000000000000399"

func TestRunManagesTheCorpusInDataDir(t *testing.T) {
	ctx := testContext(t)
	fake := discordtest.New(t)
	ready := make(chan struct{})
	ctx = withTestHooks(ctx, &testHooks{discord: fake.Client(), ready: func() { close(ready) }})
	const guild = "1187000000000000100"
	env := map[string]string{"DISCORD_TOKEN": testToken, "DATA_DIR": t.TempDir(), "FETCH_ALLOW_PRIVATE": "true",
		"MOD_ROLE_IDS": modRoleID, "USER": "ann", "RATE_USER": "off"}
	s := start(t, ctx, env, "run", "--env", envFile(t, "DISCORD_GUILD_ID="+guild+"\n"))
	select {
	case <-ready:
	case <-s.finished:
		t.Fatalf("run returned %v before it was ready: %s", s.err, s.stderr.String())
	case <-ctx.Done():
		t.Fatal("run did not get ready")
	}
	site := newsSite(t)

	// A moderator (by MOD_ROLE_IDS) adds an article in Discord.
	link := site.URL + "/news/harbour-wall-repaired"
	add := moderatorCommand(guild, "add", &discordgo.ApplicationCommandInteractionDataOption{
		Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: link})
	if err := fake.DispatchInteraction(ctx, add); err != nil {
		t.Fatal(err)
	}
	for {
		e, err := fake.WaitEdit(ctx, add.Token)
		if err != nil {
			t.Fatalf("no final answer to /corpus add: %v", err)
		}
		if e.Embeds != nil && len(*e.Embeds) > 0 && strings.Contains((*e.Embeds)[0].Description, "Added harbour-wall-repaired") {
			break
		}
	}
	answer := func(name, option, value string) string {
		t.Helper()
		i := &discordgo.Interaction{Type: discordgo.InteractionApplicationCommand, GuildID: guild, ChannelID: "1",
			Member: &discordgo.Member{User: &discordgo.User{ID: "2"}},
			Data:   discordgo.ApplicationCommandInteractionData{Name: name}}
		if option != "" {
			i.Data = discordgo.ApplicationCommandInteractionData{Name: name, Options: []*discordgo.ApplicationCommandInteractionDataOption{
				{Name: option, Type: discordgo.ApplicationCommandOptionString, Value: value}}}
		}
		if err := fake.DispatchInteraction(ctx, i); err != nil {
			t.Fatal(err)
		}
		resp, err := fake.WaitResponse(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if resp.Data != nil {
			for _, e := range resp.Data.Embeds {
				b.WriteString(e.Description + "\n")
			}
		}
		return b.String()
	}
	if got := answer("issue", "topic", "harbour wall"); !strings.Contains(strings.ReplaceAll(got, "**", ""), "Divers finished repairing the harbour wall") {
		t.Errorf("/issue harbour wall does not quote the article added in Discord:\n%s", got)
	}

	// A change made from the shell meanwhile is served within watchEvery.
	if sources := answer("sources", "", ""); !strings.Contains(sources, "Summary") {
		t.Fatalf("/sources does not list the summary to begin with:\n%s", sources)
	}
	code, out, errOut := runCLI(t, env, "corpus", "rm", "ap-iwaya-beijing-summary")
	if code != 0 {
		t.Fatalf("corpus rm while the bot runs: exit %d: %s%s", code, out, errOut)
	}
	deadline := time.Now().Add(3 * watchEvery)
	for strings.Contains(answer("sources", "", ""), "Summary") {
		if time.Now().After(deadline) {
			t.Fatal("the bot still serves the summary removed from the shell")
		}
		time.Sleep(200 * time.Millisecond) // polling for Watch, which looks every watchEvery
	}

	if err := s.stop(); err != nil {
		t.Fatalf("run returned %v after cancel: %s", err, s.stderr.String())
	}
	// The bot closed the index and let go of DATA_DIR: the shell sees
	// what the moderator added, and who did.
	code, out, errOut = runCLI(t, env, "corpus", "ls")
	if code != 0 || !strings.Contains(out, "harbour-wall-repaired") || !strings.Contains(out, "discord:1050000000000000045 (mod)") {
		t.Errorf("corpus ls after run: exit %d:\n%s%s", code, out, errOut)
	}
	if logs := s.stderr.String(); strings.Contains(logs, "secret-token") || strings.Contains(logs, add.Token) {
		t.Errorf("a token reached the log:\n%s", logs)
	}
}

func TestServeIsHealthyOnlyOnceTheLibraryIsOpen(t *testing.T) {
	ctx := testContext(t)
	dataDir := t.TempDir()
	// Hold the corpus lock, as a moderator's shell rebuilding would: the
	// endpoint cannot open the index until it is let go.
	lock, err := os.OpenFile(filepath.Join(dataDir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	addrs := make(chan net.Addr, 1)
	loaded := make(chan struct{})
	ctx = withTestHooks(ctx, &testHooks{listening: func(a net.Addr) { addrs <- a }, loaded: func() { close(loaded) }})
	s := start(t, ctx, map[string]string{"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub), "DATA_DIR": dataDir},
		"serve", "--env", envFile(t, ""), "--addr", "127.0.0.1:0")
	var addr net.Addr
	select {
	case addr = <-addrs:
	case <-s.finished:
		t.Fatalf("serve returned %v: %s", s.err, s.stderr.String())
	}
	health := func() int {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr.String()+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := health(); got != http.StatusServiceUnavailable {
		t.Errorf("/healthz = %d while the index cannot be opened, want 503", got)
	}
	syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	select {
	case <-loaded:
	case <-s.finished:
		t.Fatalf("serve returned %v: %s", s.err, s.stderr.String())
	case <-ctx.Done():
		t.Fatal("the index was not opened")
	}
	if got := health(); got != http.StatusOK {
		t.Errorf("/healthz = %d once the index is open, want 200", got)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "index", "CURRENT")); err != nil {
		t.Errorf("serve did not build its index in DATA_DIR: %v", err)
	}
	if err := s.stop(); err != nil {
		t.Errorf("serve returned %v after cancel", err)
	}
	// Closed: another process can take the lock at once.
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Errorf("the corpus lock is still held after serve returned: %v", err)
	}
}
