package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joho/godotenv"

	"visitbot/bot"
)

// envFile writes a .env file for a test and returns its path.
func envFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const testToken = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GxYzAb.secret-token-never-shown"

func TestEnvExampleDocumentsEverySetting(t *testing.T) {
	example, err := godotenv.Read(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		v, ok := example[s.key]
		if !ok {
			t.Errorf(".env.example does not document %s", s.key)
		} else if v != s.def {
			t.Errorf(".env.example sets %s=%q, want the default %q", s.key, v, s.def)
		}
		delete(example, s.key)
	}
	for k := range example {
		t.Errorf(".env.example documents %s, which visitbot does not read", k)
	}
	// The documented defaults are a valid configuration for ask and serve's
	// optional parts.
	if _, err := loadConfig(configSource{getenv: func(string) string { return "" }, envFile: filepath.Join("..", "..", ".env.example")}, needs{}); err != nil {
		t.Errorf(".env.example's defaults do not load: %v", err)
	}
}

func TestConfigFlagsBeatTheEnvironmentWhichBeatsTheFile(t *testing.T) {
	file := envFile(t, "DISCORD_GUILD_ID=111\nLOG_LEVEL=debug\nDISCORD_APP_ID=333\nDISCORD_TOKEN=from-file\n")
	env := map[string]string{"LOG_LEVEL": "warn", "DISCORD_GUILD_ID": "222"}
	cfg, err := loadConfig(configSource{
		getenv:   func(k string) string { return env[k] },
		envFile:  file,
		explicit: true,
		flags:    map[string]string{"DISCORD_GUILD_ID": "444", "HTTP_ADDR": ""},
	}, needs{token: true})
	if err != nil {
		t.Fatal(err)
	}
	want := config{Token: "from-file", AppID: "333", GuildID: "444", DataDir: "./data", LogLevel: slog.LevelWarn, LogFormat: "text", Addr: "127.0.0.1:8080",
		Limits: bot.DefaultLimits(), ShardCount: 1}
	if fmt.Sprint(cfg) != fmt.Sprint(want) || string(cfg.Token) != "from-file" {
		t.Errorf("config = %+v, want %+v", cfg, want)
	}
}

func TestConfigWithoutAFileUsesDefaults(t *testing.T) {
	cfg, err := loadConfig(configSource{getenv: func(string) string { return "" }, envFile: filepath.Join(t.TempDir(), ".env")}, needs{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "./data" || cfg.Addr != "127.0.0.1:8080" || cfg.LogLevel != slog.LevelInfo {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestMissingSettingsAreListedInOneMessage(t *testing.T) {
	empty := envFile(t, "")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
		not  []string
	}{
		{"run needs the token", nil, []string{"run", "--env", empty},
			[]string{"DISCORD_TOKEN is missing"}, []string{"DISCORD_PUBLIC_KEY"}},
		{"register needs the token", nil, []string{"register", "--env", empty},
			[]string{"DISCORD_TOKEN is missing"}, nil},
		{"serve needs the public key, not the token", nil, []string{"serve", "--env", empty},
			[]string{"DISCORD_PUBLIC_KEY is missing"}, []string{"DISCORD_TOKEN"}},
		{"every problem at once", map[string]string{
			"DISCORD_TOKEN": testToken, "LOG_LEVEL": "loud", "LOG_FORMAT": "xml", "HTTP_ADDR": "nowhere",
			"DISCORD_GUILD_ID": "my server", "DISCORD_APP_ID": "app", "DISCORD_PUBLIC_KEY": "abc",
		}, []string{"serve", "--env", empty},
			[]string{"DISCORD_PUBLIC_KEY is malformed", "LOG_LEVEL", "LOG_FORMAT", "HTTP_ADDR", "DISCORD_GUILD_ID", "DISCORD_APP_ID"}, nil},
		{"a malformed token is not echoed", map[string]string{"DISCORD_TOKEN": "secret-token-never-shown with spaces"},
			[]string{"run", "--env", empty}, []string{"DISCORD_TOKEN is malformed"}, nil},
		{"a named settings file must exist", map[string]string{"DISCORD_TOKEN": testToken},
			[]string{"run", "--env", filepath.Join(t.TempDir(), "missing.env")}, []string{"does not exist"}, nil},
		{"a broken settings file is not quoted", nil,
			[]string{"run", "--env", envFile(t, "DISCORD_TOKEN='secret-token-never-shown\nexport = = =\n")}, []string{"cannot be read"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.env, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stdout %q, stderr %q)", code, stdout, stderr)
			}
			if n := strings.Count(stderr, "visitbot cannot start"); n != 1 {
				t.Errorf("%d start-up messages, want one:\n%s", n, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("the message lacks %q:\n%s", w, stderr)
				}
			}
			for _, w := range append(tc.not, "secret-token-never-shown") {
				if strings.Contains(stderr, w) {
					t.Errorf("the message has %q:\n%s", w, stderr)
				}
			}
		})
	}
}

func TestTheTokenNeverPrints(t *testing.T) {
	cfg := config{Token: secret(testToken)}
	for _, s := range []string{
		fmt.Sprintf("%v %s %q %+v %#v %x", cfg.Token, cfg.Token, cfg.Token, cfg, cfg, cfg.Token),
		logLine(cfg),
	} {
		if strings.Contains(s, "secret-token") {
			t.Errorf("the token shows in %q", s)
		}
	}
}

func logLine(cfg config) string {
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "config", cfg, "token", cfg.Token)
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "config", cfg, "token", cfg.Token)
	return b.String()
}

func TestHasTokenLooksAtTheEnvironment(t *testing.T) {
	if !hasToken(func(k string) string { return map[string]string{"DISCORD_TOKEN": "x"}[k] }) {
		t.Error("hasToken missed DISCORD_TOKEN in the environment")
	}
}
