package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus"
	"visitbot/index"
)

// Searcher is what the bot needs of the index. *index.Index satisfies it.
type Searcher interface {
	Search(ctx context.Context, q index.Query) (index.Result, error)
	Suggest(f index.Facet, input string, n int) []string
	Neighbours(passageID string, n int) ([]corpus.Passage, *corpus.Document, bool)
	Documents() []*corpus.Document
}

// HandlerFunc answers one request through r. Its error goes to the router's
// error handler, the one place that logs.
type HandlerFunc func(ctx context.Context, req Request, r Responder) error

// route is how the router serves one command or button action.
type route struct {
	handle HandlerFunc
	// ack says how the responder acknowledges the request when the handler
	// has not answered within the defer budget.
	ack func(Request) ack
	// A moderator command (the /corpus group) will add the permissions it
	// needs here, checked against Request.Permissions before handle runs.
}

// Options configure a Bot. The zero value works.
type Options struct {
	Logger *slog.Logger // nil discards
	// DeferAfter is how long a handler may take before the responder
	// acknowledges the interaction itself (0 means DefaultDeferAfter).
	DeferAfter time.Duration
	// HandlerTimeout bounds one interaction's work, follow-ups included
	// (0 means DefaultHandlerTimeout).
	HandlerTimeout time.Duration
}

// DefaultHandlerTimeout bounds one interaction; Discord's interaction token
// lasts 15 minutes, an answer should take well under a second.
const DefaultHandlerTimeout = time.Minute

// Bot routes interactions to handlers. It is safe for concurrent use.
type Bot struct {
	log            *slog.Logger
	deferAfter     time.Duration
	handlerTimeout time.Duration
	src            atomic.Pointer[searcherRef]
	commands       map[string]route
	buttons        map[string]route
}

type searcherRef struct{ s Searcher }

// New returns a Bot with no searcher: until SetSearcher it answers that it
// is still loading.
func New(o Options) *Bot {
	b := &Bot{
		log:            o.Logger,
		deferAfter:     o.DeferAfter,
		handlerTimeout: o.HandlerTimeout,
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.deferAfter <= 0 {
		b.deferAfter = DefaultDeferAfter
	}
	if b.handlerTimeout <= 0 {
		b.handlerTimeout = DefaultHandlerTimeout
	}
	b.commands = map[string]route{
		cmdIssue:   {handle: b.search(index.Issue, optTopic), ack: privateAck},
		cmdWho:     {handle: b.search(index.Who, optName), ack: privateAck},
		cmdAsk:     {handle: b.search(index.Ask, optQuestion), ack: privateAck},
		cmdSources: {handle: b.sources, ack: privateAck},
		cmdHelp:    {handle: b.help, ack: func(Request) ack { return ack{ephemeral: true} }},
	}
	b.buttons = map[string]route{
		actionMore:    {handle: b.more, ack: func(Request) ack { return ack{update: true} }},
		actionContext: {handle: b.showContext, ack: func(Request) ack { return ack{ephemeral: true} }},
	}
	return b
}

func privateAck(req Request) ack { return ack{ephemeral: req.Bool(optPrivate)} }

// SetSearcher makes s the index the bot answers from; it may be called
// again to swap indexes.
func (b *Bot) SetSearcher(s Searcher) {
	if s == nil {
		b.src.Store(nil)
		return
	}
	b.src.Store(&searcherRef{s})
}

// Ready reports whether the bot has an index to answer from.
func (b *Bot) Ready() bool { return b.src.Load() != nil }

var errNotReady = corpus.Userf("I am still loading the articles; try again in a moment.")

func (b *Bot) searcher() (Searcher, error) {
	ref := b.src.Load()
	if ref == nil {
		return nil, errNotReady
	}
	return ref.s, nil
}

// Sentences users see.
const (
	sorry          = "Something went wrong on my side; please try again in a moment."
	msgUnknownCmd  = "I don't know that command any more; it may have changed since Discord last loaded the list."
	errNoAnswerMsg = "bot: handler returned without answering"
)

var errUnknownCommand = corpus.Userf(msgUnknownCmd)

// serve answers one interaction through t: the single entry point of every
// transport. It returns when the interaction is done.
func (b *Bot) serve(ctx context.Context, i *discordgo.Interaction, t transport) {
	ctx, cancel := context.WithTimeout(ctx, b.handlerTimeout)
	defer cancel()
	start := time.Now()
	req, err := decodeRequest(i)
	var rt route
	if err == nil {
		rt, err = b.route(&req)
	}
	a := ack{ephemeral: true}
	if err == nil {
		a = rt.ack(req)
	} else {
		rt = route{}
	}
	r := newResponder(ctx, t, req.Type, a, b.deferAfter)
	defer r.close()
	if err == nil {
		err = call(ctx, rt.handle, req, r)
		if err == nil && !r.answered() {
			err = errors.New(errNoAnswerMsg)
		}
	}
	if err != nil {
		b.fail(ctx, req, r, err)
		return
	}
	b.log.DebugContext(ctx, "interaction answered", "interaction", req.ID, "type", req.Type.String(),
		"command", req.Command, "took", time.Since(start))
}

// route finds the route of a request, parsing a button's custom_id.
func (b *Bot) route(req *Request) (route, error) {
	switch req.Type {
	case CommandRequest:
		if rt, ok := b.commands[req.Command]; ok {
			return rt, nil
		}
		return route{}, fmt.Errorf("bot: command %q: %w", req.Command, errUnknownCommand)
	case AutocompleteRequest:
		return route{handle: b.autocomplete, ack: func(Request) ack { return ack{} }}, nil
	case ButtonRequest:
		st, err := parseCustomID(req.CustomID)
		if err != nil {
			return route{}, fmt.Errorf("bot: button %q: %w", req.CustomID, err)
		}
		req.button = st
		if rt, ok := b.buttons[st.Action]; ok {
			return rt, nil
		}
		return route{}, fmt.Errorf("bot: button action %q: %w", st.Action, errBadButton)
	}
	return route{}, errUnsupported
}

// call runs a handler, turning a panic into an error so one bad request
// cannot take the bot down.
func call(ctx context.Context, h HandlerFunc, req Request, r Responder) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("bot: handler panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, req, r)
}

// fail is the router's one error handler. A user error reaches the user as
// its sentence; anything else is logged once, with the chain and the
// interaction ID, and the user gets a generic sentence. Both are ephemeral
// unless the interaction was already deferred publicly.
func (b *Bot) fail(ctx context.Context, req Request, r *responder, err error) {
	msg, user := corpus.UserMessage(err)
	if !user {
		msg = sorry
	}
	var sendErr error
	switch {
	case req.Type == AutocompleteRequest:
		if !r.answered() {
			sendErr = r.Autocomplete(ctx, nil)
		}
	case !r.answered() || r.deferred():
		sendErr = r.Reply(ctx, errorMessage(msg))
	}
	attrs := []any{"interaction", req.ID, "type", req.Type.String(), "command", req.Command}
	if req.CustomID != "" {
		attrs = append(attrs, "custom_id", req.CustomID)
	}
	switch {
	case !user:
		attrs = append(attrs, "err", err.Error())
		if sendErr != nil {
			attrs = append(attrs, "reply_err", sendErr.Error())
		}
		b.log.ErrorContext(ctx, "interaction failed", attrs...)
	case sendErr != nil:
		attrs = append(attrs, "refusal", err.Error(), "err", sendErr.Error())
		b.log.ErrorContext(ctx, "could not send a refusal", attrs...)
	default:
		attrs = append(attrs, "refusal", err.Error())
		b.log.DebugContext(ctx, "interaction refused", attrs...)
	}
}
