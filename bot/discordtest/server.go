package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

const (
	// AppID is the application ID and bot user ID the fake reports in READY,
	// GET /users/@me and on everything it creates.
	AppID = "1100000000000000001"
	// BotName is the bot user's username.
	BotName = "visitbot-test"
	// Token is the token Server.Session configures.
	Token = "Bot test-token"
	// DefaultTimeout bounds Wait* calls whose context has no deadline.
	DefaultTimeout = 10 * time.Second
	// heartbeatInterval is the interval announced in HELLO, in
	// milliseconds (Discord's usual value).
	heartbeatInterval = 41250
)

// ErrClosed is returned by Wait* calls when the server has been closed.
var ErrClosed = errors.New("discordtest: server closed")

// Server is a fake Discord REST API and gateway. Its methods are safe for
// concurrent use.
type Server struct {
	t      testing.TB
	srv    *httptest.Server
	wsURL  string
	api    string // "/api/v9"
	client *http.Client
	wg     sync.WaitGroup // gateway connection goroutines

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	closed  bool
	nextID  int64
	calls   []string

	cmdGuild   string
	cmdLast    []*discordgo.ApplicationCommand
	registered map[string][]*discordgo.ApplicationCommand // by guild ID, "" = global

	byID    map[string]*interaction
	byToken map[string]*interaction

	conns      map[*gwConn]struct{}
	sessions   map[string]*gwSession
	heartbeats int
	shards     [][2]int // [id, count] of every IDENTIFY, in order
}

// interaction is the fake's record of one dispatched interaction.
type interaction struct {
	id, token string
	i         discordgo.Interaction
	response  *discordgo.InteractionResponse
	original  *discordgo.Message // nil until a callback creates it, or after delete

	edits, followups       []any // *discordgo.WebhookEdit / *discordgo.WebhookParams
	editsRead, followsRead int
}

// New starts the fake; it is closed by t.Cleanup. Unexpected API calls are
// reported with t.Errorf and answered 404.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:          t,
		api:        "/api/v" + discordgo.APIVersion,
		changed:    make(chan struct{}),
		nextID:     1100000000000001000,
		registered: map[string][]*discordgo.ApplicationCommand{},
		byID:       map[string]*interaction{},
		byToken:    map[string]*interaction{},
		conns:      map[*gwConn]struct{}{},
		sessions:   map[string]*gwSession{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.wsURL = "ws" + strings.TrimPrefix(s.srv.URL, "http")
	s.client = &http.Client{
		Transport: &rewriteTransport{s: s, base: s.srv.Client().Transport},
		Timeout:   DefaultTimeout,
	}
	t.Cleanup(s.Close)
	return s
}

// Close closes the gateway connections, waits for their goroutines and shuts
// the HTTP server down. It is idempotent and called by t.Cleanup.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.broadcastLocked()
	s.mu.Unlock()

	for _, c := range conns {
		c.close(websocket.CloseGoingAway, "discordtest server closed")
	}
	s.wg.Wait()
	s.srv.Close()
}

// Client returns an *http.Client whose transport sends requests for
// discord.com, discordapp.com and their subdomains (cdn, media, ...) to the
// fake. Requests for other hosts are refused. Assign it to session.Client.
func (s *Server) Client() *http.Client { return s.client }

// Session returns a real discordgo session configured for the fake: token
// Token, Client set, ShouldReconnectOnError false, LogLevel LogError and a
// proxy-free websocket dialer. It is not opened; t.Cleanup closes it (which
// takes discordgo about a second if it is open).
func (s *Server) Session(t testing.TB) *discordgo.Session {
	t.Helper()
	sess, err := discordgo.New(Token)
	if err != nil {
		t.Fatalf("discordtest: discordgo.New: %v", err)
	}
	sess.Client = s.Client()
	sess.ShouldReconnectOnError = false
	sess.LogLevel = discordgo.LogError
	sess.Dialer = &websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	t.Cleanup(func() { _ = sess.Close() })
	return sess
}

// Calls returns "METHOD /path" (path as sent, without query, e.g.
// "GET /api/v9/users/@me") for every REST call received, in order. Calls to
// other Discord hosts than discord.com are logged as "METHOD https://host/path".
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// Commands returns the command set last registered via bulk overwrite and
// the guild ID used ("" for global). Returned values are copies.
func (s *Server) Commands() (guildID string, cmds []*discordgo.ApplicationCommand) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmdGuild, cloneCommands(s.cmdLast)
}

// Shards returns the shard ([id, count]) of every IDENTIFY received, in
// order; an IDENTIFY without a shard counts as [0, 1].
func (s *Server) Shards() [][2]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][2]int(nil), s.shards...)
}

// Connected reports the number of live gateway connections that have been
// sent READY or RESUMED.
func (s *Server) Connected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connectedLocked()
}

func (s *Server) connectedLocked() int {
	n := 0
	for c := range s.conns {
		if c.sess != nil {
			n++
		}
	}
	return n
}

// WaitConnected waits until at least one gateway connection has been sent
// READY (or RESUMED).
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.waitFor(ctx, "waiting for a gateway connection", func() bool {
		return s.connectedLocked() > 0
	})
}

// WaitDisconnected waits until no gateway connection is open.
func (s *Server) WaitDisconnected(ctx context.Context) error {
	return s.waitFor(ctx, "waiting for gateway connections to close", func() bool {
		return len(s.conns) == 0
	})
}

// DispatchInteraction sends an INTERACTION_CREATE to every connected session,
// waiting for a connection first (until ctx ends). It fills in, on i itself,
// an ID and Token if empty, AppID, Version 1, the Type implied by Data when
// Type is 0, and for application command data the command type (chat) and
// the ID of the registered command with that name. Dispatching the same ID
// twice is an error. With several sessions connected each receives the
// event, and only the first callback is accepted.
func (s *Server) DispatchInteraction(ctx context.Context, i *discordgo.Interaction) error {
	if err := s.WaitConnected(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	if i.ID == "" {
		i.ID = s.newIDLocked()
	}
	if i.Token == "" {
		i.Token = "itoken-" + i.ID
	}
	if i.AppID == "" {
		i.AppID = AppID
	}
	if i.Version == 0 {
		i.Version = 1
	}
	switch d := i.Data.(type) {
	case discordgo.ApplicationCommandInteractionData:
		if i.Type == 0 {
			i.Type = discordgo.InteractionApplicationCommand
		}
		if d.CommandType == 0 {
			d.CommandType = discordgo.ChatApplicationCommand
		}
		if d.ID == "" {
			d.ID = s.commandIDLocked(i.GuildID, d.Name)
		}
		i.Data = d
	case discordgo.MessageComponentInteractionData:
		if i.Type == 0 {
			i.Type = discordgo.InteractionMessageComponent
		}
	case discordgo.ModalSubmitInteractionData:
		if i.Type == 0 {
			i.Type = discordgo.InteractionModalSubmit
		}
	}
	if _, dup := s.byID[i.ID]; dup {
		s.mu.Unlock()
		return fmt.Errorf("discordtest: interaction %s dispatched twice", i.ID)
	}
	rec := &interaction{id: i.ID, token: i.Token, i: *i}
	s.byID[i.ID] = rec
	s.byToken[i.Token] = rec
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		if c.sess != nil {
			conns = append(conns, c)
		}
	}
	s.mu.Unlock()

	payload, err := marshalInteraction(i)
	if err != nil {
		return fmt.Errorf("discordtest: encoding interaction: %w", err)
	}
	var errs []error
	for _, c := range conns {
		errs = append(errs, c.dispatch("INTERACTION_CREATE", payload))
	}
	return errors.Join(errs...)
}

// commandIDLocked finds the ID of a registered command by name, guild
// commands first.
func (s *Server) commandIDLocked(guildID, name string) string {
	for _, g := range []string{guildID, ""} {
		for _, c := range s.registered[g] {
			if c.Name == name {
				return c.ID
			}
		}
	}
	return ""
}

// WaitResponse waits for the interaction callback
// (POST /interactions/{id}/{token}/callback) of the interaction and returns
// the decoded response.
func (s *Server) WaitResponse(ctx context.Context, interactionID string) (*discordgo.InteractionResponse, error) {
	var resp *discordgo.InteractionResponse
	err := s.waitFor(ctx, "waiting for the response to interaction "+interactionID, func() bool {
		if rec := s.byID[interactionID]; rec != nil && rec.response != nil {
			resp = rec.response
			return true
		}
		return false
	})
	return resp, err
}

// WaitEdit waits for the next not yet returned edit of the original response
// (PATCH /webhooks/{app}/{token}/messages/@original) of the interaction with
// that token.
func (s *Server) WaitEdit(ctx context.Context, interactionToken string) (*discordgo.WebhookEdit, error) {
	var edit *discordgo.WebhookEdit
	err := s.waitFor(ctx, "waiting for an edit of the response to "+interactionToken, func() bool {
		rec := s.byToken[interactionToken]
		if rec == nil || rec.editsRead >= len(rec.edits) {
			return false
		}
		edit = rec.edits[rec.editsRead].(*discordgo.WebhookEdit)
		rec.editsRead++
		return true
	})
	return edit, err
}

// WaitFollowup waits for the next not yet returned followup message
// (POST /webhooks/{app}/{token}) of the interaction with that token.
func (s *Server) WaitFollowup(ctx context.Context, interactionToken string) (*discordgo.WebhookParams, error) {
	var p *discordgo.WebhookParams
	err := s.waitFor(ctx, "waiting for a followup to "+interactionToken, func() bool {
		rec := s.byToken[interactionToken]
		if rec == nil || rec.followsRead >= len(rec.followups) {
			return false
		}
		p = rec.followups[rec.followsRead].(*discordgo.WebhookParams)
		rec.followsRead++
		return true
	})
	return p, err
}

// Original returns a copy of the interaction's original response message as
// the fake currently holds it (after callback and edits), or nil.
func (s *Server) Original(interactionToken string) *discordgo.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.byToken[interactionToken]
	if rec == nil || rec.original == nil {
		return nil
	}
	return cloneMessage(rec.original)
}

// waitFor blocks until cond (called with s.mu held) is true.
func (s *Server) waitFor(ctx context.Context, what string, cond func() bool) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return nil
		}
		if s.closed {
			s.mu.Unlock()
			return fmt.Errorf("%w (%s)", ErrClosed, what)
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("discordtest: %s: %w", what, ctx.Err())
		}
	}
}

// broadcastLocked wakes every waiter; s.mu must be held.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// newIDLocked returns a fresh snowflake-like ID; s.mu must be held.
func (s *Server) newIDLocked() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

func cloneCommands(cmds []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
	if cmds == nil {
		return nil
	}
	var out []*discordgo.ApplicationCommand
	b, err := json.Marshal(cmds)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		panic("discordtest: cloning commands: " + err.Error())
	}
	return out
}

func cloneMessage(m *discordgo.Message) *discordgo.Message {
	var out discordgo.Message
	b, err := marshalMessage(m)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		panic("discordtest: cloning message: " + err.Error())
	}
	return &out
}

// marshalMessage encodes a message like Discord does. discordgo's Message
// has Components tagged json:"-" (it only decodes them), so they are added.
func marshalMessage(m *discordgo.Message) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil || m == nil || m.Components == nil {
		return b, err
	}
	return setField(b, "components", m.Components)
}

// marshalInteraction encodes an interaction, including the components of
// its message (see marshalMessage).
func marshalInteraction(i *discordgo.Interaction) ([]byte, error) {
	b, err := json.Marshal(i)
	if err != nil || i.Message == nil || i.Message.Components == nil {
		return b, err
	}
	m, err := marshalMessage(i.Message)
	if err != nil {
		return nil, err
	}
	return setField(b, "message", json.RawMessage(m))
}

func setField(obj []byte, key string, v any) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(obj, &fields); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	fields[key] = raw
	return json.Marshal(fields)
}
