package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"visitbot/bot"
	"visitbot/corpus"
	"visitbot/corpus/fetch"
	"visitbot/index"
)

// The bot's corpus: run and serve answer from the Live index in DATA_DIR,
// the shipped articles with what moderators added and removed, and let
// moderators change it with /corpus. Changes made meanwhile from a shell
// (visitbot corpus add …) are picked up within watchEvery.

// watchEvery is how often the bot looks for an index another process built.
const watchEvery = 5 * time.Second

// loadCorpus reads the settings of the moderators' corpus commands: who is
// a moderator besides members with Manage Server (MOD_ROLE_IDS), and
// whether links may point into this server's network (FETCH_ALLOW_PRIVATE).
// get and bad are loadConfig's.
func (c *config) loadCorpus(get func(string) string, bad func(string, ...any)) {
	if v := get("MOD_ROLE_IDS"); v != "" {
		for _, id := range strings.Split(v, ",") {
			switch id = strings.TrimSpace(id); {
			case id == "":
			case !isSnowflake(id):
				bad("MOD_ROLE_IDS has %q: want role IDs (numbers), separated by commas", id)
			default:
				c.ModRoles = append(c.ModRoles, id)
			}
		}
	}
	switch v := strings.ToLower(get("FETCH_ALLOW_PRIVATE")); v {
	case "", "0", "false", "no", "off":
		c.FetchAllowPrivate = false
	case "1", "true", "yes", "on":
		c.FetchAllowPrivate = true
	default:
		bad("FETCH_ALLOW_PRIVATE is %q: want true or false", v)
	}
}

// corpusOptions are the bot's /corpus settings from cfg.
func corpusOptions(cfg config) bot.CorpusOptions {
	return bot.CorpusOptions{ModRoles: cfg.ModRoles}
}

// library is the Live index the bot answers from and moderators change,
// with the watcher that serves changes made by other processes.
type library struct {
	*index.Live
	b         *bot.Bot
	stopWatch context.CancelFunc
	watching  chan struct{}
}

// openBotLibrary opens (building it if need be) the Live index in
// cfg.DataDir, logging to log. Every rebuild, at start or after a change, is
// recorded in m (which may be nil).
func openBotLibrary(ctx context.Context, cfg config, log *slog.Logger, m *bot.Metrics) (*library, error) {
	shipped, err := corpus.Shipped()
	if err != nil {
		return nil, err
	}
	opts := index.LiveOptions{
		Fetcher: &fetch.Client{AllowPrivate: cfg.FetchAllowPrivate},
		Log:     log.With("component", "index"),
	}
	if m != nil {
		opts.OnRebuild = m.ObserveRebuild
	}
	start := time.Now()
	live, err := index.OpenLive(ctx, cfg.DataDir, shipped, opts)
	if err != nil {
		return nil, err
	}
	log.InfoContext(ctx, "index ready", "dir", cfg.DataDir, "documents", len(live.Documents()),
		"passages", live.Len(), "took", time.Since(start).Round(time.Millisecond))
	return &library{Live: live}, nil
}

// serveTo makes the library b's searcher and library, and watches for
// changes from other processes until Close.
func (l *library) serveTo(ctx context.Context, b *bot.Bot) {
	l.b = b
	b.SetSearcher(l.Live)
	b.SetLibrary(l.Live)
	ctx, l.stopWatch = context.WithCancel(ctx)
	l.watching = make(chan struct{})
	go func() {
		defer close(l.watching)
		l.Live.Watch(ctx, watchEvery)
	}()
}

// Close stops the watcher, takes the index away from the bot and closes
// it: the reverse of opening.
func (l *library) Close() error {
	if l.stopWatch != nil {
		l.stopWatch()
		<-l.watching
	}
	if l.b != nil {
		l.b.SetLibrary(nil)
		l.b.SetSearcher(nil)
	}
	return l.Live.Close()
}
