package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/joho/godotenv"

	"visitbot/bot"
)

// setting is one key of the configuration, as .env.example documents it.
type setting struct {
	key, def, doc string
}

// settings lists every key visitbot reads, in the order .env.example gives
// them. A test checks that .env.example documents each.
var settings = []setting{
	{"DISCORD_TOKEN", "", "the bot token (Developer Portal > Bot); needed by run and register; never logged"},
	{"DISCORD_APP_ID", "", "the application ID; optional, found from the token when empty"},
	{"DISCORD_PUBLIC_KEY", "", "the application's public key, 64 hex digits; needed by serve"},
	{"DISCORD_GUILD_ID", "", "register commands in this server only (instant); empty registers them globally"},
	{"DATA_DIR", "./data", "where the documents moderators add and the index live"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LOG_FORMAT", "text", "text or json"},
	{"HTTP_ADDR", "127.0.0.1:8080", "where serve listens for Discord's interactions"},
	// See reliability_config.go.
	{"RATE_USER", "5/10s", "commands and button clicks one user may send, N/DURATION or off"},
	{"RATE_GUILD", "60/10s", "commands and button clicks one server may send, all members together"},
	{"RATE_AUTOCOMPLETE", "30/10s", "autocomplete requests one user may send (over it: no suggestions)"},
	{"SHARD_ID", "0", "run: this process's gateway shard, 0 <= SHARD_ID < SHARD_COUNT"},
	{"SHARD_COUNT", "1", "run: how many gateway shards there are in all"},
	{"METRICS_ADDR", "", "run: serve /metrics and /healthz here; serve has them on HTTP_ADDR"},
	// See library.go.
	{"MOD_ROLE_IDS", "", "role IDs (comma separated) whose members may use /corpus, besides Manage Server"},
	{"FETCH_ALLOW_PRIVATE", "false", "true lets /corpus add fetch links inside this server's network (tests, intranets)"},
}

// secret is a value that must never be printed or logged.
type secret string

func (s secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

func (s secret) GoString() string             { return s.String() }
func (s secret) LogValue() slog.Value         { return slog.StringValue(s.String()) }
func (s secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// config is the validated configuration.
type config struct {
	Token     secret
	AppID     string
	PublicKey ed25519.PublicKey
	GuildID   string
	DataDir   string
	LogLevel  slog.Level
	LogFormat string
	Addr      string

	// See reliability_config.go.
	Limits      bot.Limits
	ShardID     int
	ShardCount  int
	MetricsAddr string

	// See library.go.
	ModRoles          []string
	FetchAllowPrivate bool
}

// LogValue shows the configuration without its secrets.
func (c config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("token_set", c.Token != ""),
		slog.String("app_id", c.AppID),
		slog.Bool("public_key_set", len(c.PublicKey) > 0),
		slog.String("guild_id", c.GuildID),
		slog.String("data_dir", c.DataDir),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("log_format", c.LogFormat),
		slog.String("addr", c.Addr),
		slog.String("rate_user", c.Limits.User.String()),
		slog.String("rate_guild", c.Limits.Guild.String()),
		slog.String("rate_autocomplete", c.Limits.Autocomplete.String()),
		slog.Int("shard_id", c.ShardID),
		slog.Int("shard_count", c.ShardCount),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("mod_role_ids", strings.Join(c.ModRoles, ",")),
		slog.Bool("fetch_allow_private", c.FetchAllowPrivate),
	)
}

// needs says which settings a command cannot start without.
type needs struct {
	token     bool // run, register
	publicKey bool // serve
}

// configSource is where settings come from: flags win over the environment,
// which wins over the .env file.
type configSource struct {
	getenv   func(string) string
	envFile  string            // path of the .env file
	explicit bool              // the file was named with --env, so it must exist
	flags    map[string]string // settings given as flags, by key
}

// loadConfig reads and checks every setting, and reports all problems at
// once as a usage error (exit status 2). It never echoes a secret.
func loadConfig(src configSource, need needs) (config, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	file, err := godotenv.Read(src.envFile)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist) && !src.explicit:
		file = nil
	case errors.Is(err, fs.ErrNotExist):
		bad("the settings file %s does not exist", src.envFile)
	default:
		// The parser's message may quote a line, and a line may hold the
		// token: say only where to look.
		bad("the settings file %s cannot be read; check its syntax against .env.example", src.envFile)
	}
	get := func(key string) string {
		if v, ok := src.flags[key]; ok && v != "" {
			return strings.TrimSpace(v)
		}
		if v := src.getenv(key); v != "" {
			return strings.TrimSpace(v)
		}
		if v := file[key]; v != "" {
			return strings.TrimSpace(v)
		}
		for _, s := range settings {
			if s.key == key {
				return s.def
			}
		}
		return ""
	}

	var c config
	token := strings.TrimPrefix(get("DISCORD_TOKEN"), "Bot ")
	switch {
	case token == "" && need.token:
		bad("DISCORD_TOKEN is missing: the bot token, from the Developer Portal (Bot > Reset Token)")
	case strings.ContainsAny(token, " \t\r\n\"'"):
		bad("DISCORD_TOKEN is malformed: a bot token has no spaces or quotes")
	}
	c.Token = secret(token)

	c.AppID = get("DISCORD_APP_ID")
	if c.AppID != "" && !isSnowflake(c.AppID) {
		bad("DISCORD_APP_ID is %q: want the application's numeric ID", c.AppID)
	}
	c.GuildID = get("DISCORD_GUILD_ID")
	if c.GuildID != "" && !isSnowflake(c.GuildID) {
		bad("DISCORD_GUILD_ID is %q: want a server's numeric ID, or nothing to register globally", c.GuildID)
	}

	switch key := get("DISCORD_PUBLIC_KEY"); {
	case key == "":
		if need.publicKey {
			bad("DISCORD_PUBLIC_KEY is missing: the application's public key, from the Developer Portal (General Information)")
		}
	default:
		raw, err := hex.DecodeString(key)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			bad("DISCORD_PUBLIC_KEY is malformed: want %d hex digits", 2*ed25519.PublicKeySize)
		} else {
			c.PublicKey = ed25519.PublicKey(raw)
		}
	}

	if c.DataDir = get("DATA_DIR"); c.DataDir == "" {
		bad("DATA_DIR is empty: want a directory, e.g. ./data")
	}
	switch lvl := strings.ToLower(get("LOG_LEVEL")); lvl {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		bad("LOG_LEVEL is %q: want debug, info, warn or error", lvl)
	}
	switch c.LogFormat = strings.ToLower(get("LOG_FORMAT")); c.LogFormat {
	case "text", "json":
	default:
		bad("LOG_FORMAT is %q: want text or json", c.LogFormat)
	}
	c.Addr = get("HTTP_ADDR")
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || !isPort(port) {
		bad("HTTP_ADDR is %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	c.loadReliability(get, bad)
	c.loadCorpus(get, bad)

	if len(problems) > 0 {
		return config{}, usagef("visitbot cannot start; fix these settings (in the environment, a flag or %s; see .env.example):\n  %s",
			src.envFile, strings.Join(problems, "\n  "))
	}
	return c, nil
}

func isSnowflake(s string) bool {
	if len(s) < 1 || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n <= 65535
}

// newLogger builds the program's one logger.
func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// hasToken reports whether a bot token is configured (in the environment or
// the default .env file): then visitbot with no arguments runs the bot.
func hasToken(getenv func(string) string) bool {
	if getenv("DISCORD_TOKEN") != "" {
		return true
	}
	file, err := godotenv.Read(".env")
	return err == nil && file["DISCORD_TOKEN"] != ""
}

// testHooks let tests watch and redirect what run does. Production code
// never sets them; they travel in the context so run keeps main's
// signature and no global state is needed.
type testHooks struct {
	listening func(net.Addr) // serve: the listener is open
	metrics   func(net.Addr) // run: the METRICS_ADDR listener is open
	loaded    func()         // serve: the index is loaded
	ready     func()         // run: the gateway is connected and commands registered
	discord   *http.Client   // REST and gateway requests to Discord
}

type hooksKey struct{}

func withTestHooks(ctx context.Context, h *testHooks) context.Context {
	return context.WithValue(ctx, hooksKey{}, h)
}

func hooksFrom(ctx context.Context) *testHooks {
	if h, ok := ctx.Value(hooksKey{}).(*testHooks); ok && h != nil {
		return h
	}
	return &testHooks{}
}
