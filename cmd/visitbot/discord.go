package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"text/tabwriter"

	"visitbot/bot"
)

const runHelp = `Usage: visitbot run [--env FILE] [--guild ID]

Runs the Discord bot over the gateway: connects with DISCORD_TOKEN, registers
the command set once (in DISCORD_GUILD_ID when set, else globally), and
answers until interrupted (SIGINT or SIGTERM), then closes cleanly.
With SHARD_COUNT > 1 it is one shard (SHARD_ID) of the bot: run one process
per shard; only shard 0 registers the commands. METRICS_ADDR serves
/metrics and /healthz.
Settings come from flags, the environment and the .env file, in that order;
see .env.example.

Flags:
`

const serveHelp = `Usage: visitbot serve [--env FILE] [--addr HOST:PORT]

Serves Discord's HTTP interactions endpoint: POST /interactions, checked
against DISCORD_PUBLIC_KEY, GET /healthz (200 once the index is loaded) and
GET /metrics (Prometheus; expose only /interactions to the internet).
It needs no bot token; register the commands once with visitbot register,
and set the endpoint's public URL (…/interactions) in the Developer Portal.

Flags:
`

const registerHelp = `Usage: visitbot register [--env FILE] [--guild ID]

Registers the command set (in DISCORD_GUILD_ID when set, else globally) with
DISCORD_TOKEN and exits. Global commands can take a while to appear in
Discord; guild commands appear at once.

Flags:
`

const commandsHelp = `Usage: visitbot commands [--json]

Lists the slash commands visitbot registers; with --json it prints exactly
the JSON array it registers.

Flags:
`

// configFlags adds the flags every Discord command shares.
func configFlags(fs flagSet) (envFile *string) {
	return fs.String("env", ".env", "read settings from this file (the environment wins over it)")
}

func readConfig(fs flagSet, envFile string, getenv func(string) string, flags map[string]string, need needs) (config, error) {
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "env" })
	return loadConfig(configSource{getenv: getenv, envFile: envFile, explicit: explicit, flags: flags}, need)
}

// runGateway is visitbot run: the bot over the gateway.
func runGateway(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", runHelp)
	envFile := configFlags(fs)
	guild := fs.String("guild", "", "register commands in this server (default DISCORD_GUILD_ID)")
	more := reliabilityFlags(fs, true)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run takes no arguments (see visitbot run --help).")
	}
	cfg, err := readConfig(fs, *envFile, getenv, withFlags(more(), map[string]string{"DISCORD_GUILD_ID": *guild}), needs{token: true})
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	log.InfoContext(ctx, "starting the gateway bot", "config", cfg)
	hooks := hooksFrom(ctx)

	metrics := bot.NewMetrics()
	lib, err := openBotLibrary(ctx, cfg, log, metrics) // DATA_DIR; see library.go
	if err != nil {
		return err
	}
	defer lib.Close()
	b := bot.New(bot.Options{Logger: log.With("component", "bot"), Limits: cfg.Limits, Metrics: metrics,
		Corpus: corpusOptions(cfg)})
	lib.serveTo(ctx, b)
	g := bot.NewGateway(b, bot.GatewayOptions{
		Token:      string(cfg.Token),
		AppID:      cfg.AppID,
		GuildID:    cfg.GuildID,
		Client:     hooks.discord,
		ShardID:    cfg.ShardID,
		ShardCount: cfg.ShardCount,
	})
	if cfg.MetricsAddr != "" {
		stop, err := startOps(ctx, cfg.MetricsAddr, b, metrics, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	if hooks.ready != nil {
		go func() {
			select {
			case <-g.Ready():
				hooks.ready()
			case <-ctx.Done():
			}
		}()
	}
	return g.Run(ctx)
}

// runServe is visitbot serve: the HTTP interactions endpoint.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", serveHelp)
	envFile := configFlags(fs)
	addr := fs.String("addr", "", "listen on this address, e.g. 127.0.0.1:8080 (default HTTP_ADDR)")
	more := reliabilityFlags(fs, false)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments (see visitbot serve --help).")
	}
	cfg, err := readConfig(fs, *envFile, getenv, withFlags(more(), map[string]string{"HTTP_ADDR": *addr}), needs{publicKey: true})
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	log.InfoContext(ctx, "starting the interactions endpoint", "config", cfg)
	hooks := hooksFrom(ctx)

	metrics := bot.NewMetrics()
	b := bot.New(bot.Options{Logger: log.With("component", "bot"), Limits: cfg.Limits, Metrics: metrics,
		Corpus: corpusOptions(cfg)})
	srv := bot.NewHTTPServer(b, bot.HTTPOptions{PublicKey: cfg.PublicKey, Webhook: &bot.Webhook{Client: hooks.discord}})
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.Addr, err)
	}
	if hooks.listening != nil {
		hooks.listening(ln.Addr())
	}

	// Load the index beside the listener: Discord's PING and /healthz are
	// answered at once, commands once the index is in.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	loaded := make(chan *library, 1)
	go func() {
		lib, err := openBotLibrary(ctx, cfg, log, metrics) // DATA_DIR; see library.go
		if err != nil {
			cancel(fmt.Errorf("serve: load the index: %w", err))
			loaded <- nil
			return
		}
		lib.serveTo(ctx, b)
		if hooks.loaded != nil {
			hooks.loaded()
		}
		loaded <- lib
	}()
	err = srv.Serve(ctx, ln)
	if lib := <-loaded; lib != nil {
		lib.Close()
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// runRegister is visitbot register: register the command set and exit.
func runRegister(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("register", registerHelp)
	envFile := configFlags(fs)
	guild := fs.String("guild", "", "register in this server (default DISCORD_GUILD_ID)")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("register takes no arguments (see visitbot register --help).")
	}
	cfg, err := readConfig(fs, *envFile, getenv, map[string]string{"DISCORD_GUILD_ID": *guild}, needs{token: true})
	if err != nil {
		return err
	}
	appID, err := bot.Register(ctx, bot.RegisterOptions{
		Token:   string(cfg.Token),
		AppID:   cfg.AppID,
		GuildID: cfg.GuildID,
		Client:  hooksFrom(ctx).discord,
	})
	if err != nil {
		return err
	}
	where := "globally (they may take a while to appear)"
	if cfg.GuildID != "" {
		where = "in server " + cfg.GuildID
	}
	fmt.Fprintf(stdout, "Registered %d commands for application %s %s.\n", len(bot.Commands()), appID, where)
	return nil
}

// runCommands is visitbot commands: the command set, for people or as JSON.
func runCommands(args []string, stdout io.Writer) error {
	fs := newFlagSet("commands", commandsHelp)
	asJSON := fs.Bool("json", false, "print the JSON array that is registered")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("commands takes no arguments (see visitbot commands --help).")
	}
	cmds := bot.Commands()
	if *asJSON {
		out, err := json.MarshalIndent(cmds, "", "  ")
		if err != nil {
			return fmt.Errorf("commands: encode: %w", err)
		}
		_, err = fmt.Fprintf(stdout, "%s\n", out)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, c := range cmds {
		usage := "/" + c.Name
		for _, o := range c.Options {
			if o.Required {
				usage += " " + o.Name + ":…"
			} else {
				usage += " [" + o.Name + ":…]"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\n", usage, c.Description)
	}
	return tw.Flush()
}
