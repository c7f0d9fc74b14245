package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/bwmarrin/discordgo"
)

// GatewayOptions configure the gateway transport.
type GatewayOptions struct {
	Token   string       // bot token, with or without the "Bot " prefix
	AppID   string       // "" takes the application ID from READY
	GuildID string       // register commands in this guild; "" registers globally
	Client  *http.Client // nil uses discordgo's default; tests pass a fake's

	// ShardID and ShardCount split the guilds among processes (Discord's
	// gateway sharding: a guild's events go to shard (guild_id >> 22) %
	// ShardCount). ShardCount 0 or 1 means one process holds every guild.
	// Only shard 0 registers the command set; DMs arrive on shard 0.
	ShardID, ShardCount int
}

// CheckShard reports whether id of count is a valid shard: 0 <= id < count.
// A count of 0 means unsharded, with id 0.
func CheckShard(id, count int) error {
	switch {
	case count < 0:
		return fmt.Errorf("bot: shard count %d: want 1 or more", count)
	case count == 0 && id == 0:
		return nil
	case id < 0 || id >= max(count, 1):
		return fmt.Errorf("bot: shard %d of %d: want 0 <= id < count", id, count)
	}
	return nil
}

// Gateway answers interactions that arrive over Discord's gateway websocket,
// through the REST callback.
type Gateway struct {
	bot   *Bot
	opts  GatewayOptions
	ready chan struct{}

	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup
}

// NewGateway returns a gateway transport for b.
func NewGateway(b *Bot, o GatewayOptions) *Gateway {
	return &Gateway{bot: b, opts: o, ready: make(chan struct{})}
}

// Ready is closed once the session is open and (on shard 0) the command set
// registered.
func (g *Gateway) Ready() <-chan struct{} { return g.ready }

// Run connects, bulk-overwrites the command set once, and answers
// interactions until ctx is cancelled. It then stops accepting interactions,
// closes the session and waits for the handlers in flight, which finish
// their answers (over REST) under their own deadline.
func (g *Gateway) Run(ctx context.Context) error {
	if err := CheckShard(g.opts.ShardID, g.opts.ShardCount); err != nil {
		return err
	}
	s, err := newSession(g.opts.Token, g.opts.Client)
	if err != nil {
		return err
	}
	s.ShardID, s.ShardCount = g.opts.ShardID, max(g.opts.ShardCount, 1)
	// Handlers outlive ctx's cancellation so that shutdown lets them finish;
	// each is bounded by the bot's handler timeout.
	base := context.WithoutCancel(ctx)
	remove := s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if ic.Interaction == nil || !g.enter() {
			return
		}
		defer g.inflight.Done()
		g.bot.serve(base, ic.Interaction, &gatewayTransport{s: s, i: ic.Interaction})
	})
	defer remove()
	if err := s.Open(); err != nil {
		return fmt.Errorf("bot: open the gateway: %w", scrub(err))
	}
	appID := g.opts.AppID
	if appID == "" && s.State != nil {
		if s.State.Application != nil {
			appID = s.State.Application.ID
		} else if s.State.User != nil {
			appID = s.State.User.ID
		}
	}
	registered := 0
	if g.opts.ShardID == 0 {
		err = register(ctx, s, appID, g.opts.GuildID)
		registered = len(Commands())
	}
	if err == nil {
		g.bot.log.InfoContext(ctx, "gateway connected", "application", appID, "guild", g.opts.GuildID,
			"shard", g.opts.ShardID, "shards", max(g.opts.ShardCount, 1), "commands_registered", registered)
		close(g.ready)
		<-ctx.Done()
	}
	g.mu.Lock()
	g.closing = true
	g.mu.Unlock()
	closeErr := s.Close()
	g.inflight.Wait()
	g.bot.log.InfoContext(ctx, "gateway closed")
	if err != nil && ctx.Err() == nil {
		return scrub(err)
	}
	if closeErr != nil {
		return fmt.Errorf("bot: close the gateway: %w", closeErr)
	}
	return nil
}

// enter admits an interaction unless the gateway is shutting down.
func (g *Gateway) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return false
	}
	g.inflight.Add(1)
	return true
}

// gatewayTransport answers one interaction over REST.
type gatewayTransport struct {
	s *discordgo.Session
	i *discordgo.Interaction
}

func (t *gatewayTransport) respond(ctx context.Context, resp *discordgo.InteractionResponse) error {
	return scrub(t.s.InteractionRespond(t.i, resp, discordgo.WithContext(ctx)))
}

func (t *gatewayTransport) editOriginal(ctx context.Context, e *discordgo.WebhookEdit) error {
	_, err := t.s.InteractionResponseEdit(t.i, e, discordgo.WithContext(ctx))
	return scrub(err)
}

func (t *gatewayTransport) followup(ctx context.Context, p *discordgo.WebhookParams) error {
	_, err := t.s.FollowupMessageCreate(t.i, false, p, discordgo.WithContext(ctx))
	return scrub(err)
}

// scrub drops the URL from a transport error: interaction URLs carry the
// interaction token, which must not reach the log.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redactURL(ue.URL), ue.Err)
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return fmt.Errorf("discord answered %s: %s", re.Response.Status, truncate(string(re.ResponseBody), 300))
	}
	return err
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(url)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
