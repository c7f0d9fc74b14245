package bot

import (
	"context"
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
	// timeout is the handler's deadline; 0 means the bot's HandlerTimeout.
	timeout time.Duration
	// Moderator commands (the /corpus group) wrap handle in b.moderator
	// (permissions.go), which checks the member before anything else.
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
	// Limits are the rate limits applied before any handler; the zero
	// value limits nothing (cmd passes DefaultLimits or the configured ones).
	Limits Limits
	// Metrics records what the bot does; nil records nothing.
	Metrics *Metrics
	// Now is the rate limiter's clock; nil means time.Now.
	Now func() time.Time
	// Corpus configures the moderators' /corpus commands (corpus.go).
	Corpus CorpusOptions
}

// Bot routes interactions to handlers. It is safe for concurrent use.
type Bot struct {
	log            *slog.Logger
	deferAfter     time.Duration
	handlerTimeout time.Duration
	src            atomic.Pointer[searcherRef]
	commands       map[string]route
	buttons        map[string]route

	// See reliability.go.
	now     func() time.Time
	limiter *limiter
	metrics *Metrics

	corpus *corpusState // the /corpus commands; see corpus.go
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
	b.setupCorpus(o.Corpus) // before setupReliability, which lists the routes
	b.setupReliability(o)
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
// transport. It returns when the interaction is done, or abandoned at its
// deadline. ctx is the transport's lifetime context (without cancellation,
// so shutdown lets interactions finish); the deadline is set here.
func (b *Bot) serve(ctx context.Context, i *discordgo.Interaction, t transport) {
	start := time.Now()
	b.metrics.begin()
	req, err := decodeRequest(i)
	var rt route
	if err == nil {
		rt, err = b.route(&req)
	}
	req.log = b.requestLogger(req)
	if err == nil {
		err = b.limiter.allow(req) // before any handler runs
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeoutOf(rt))
	defer cancel()
	a := ack{ephemeral: true}
	if err == nil {
		a = rt.ack(req)
	}
	r := newResponder(ctx, t, req.Type, a, b.deferAfter)
	defer r.close()
	if err == nil {
		err = b.run(ctx, rt.handle, req, r)
	}
	if err != nil {
		b.fail(ctx, req, r, err)
	}
	b.finish(ctx, req, r, err, start)
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
// its sentence; anything else is logged once, with the chain, and the user
// gets a generic sentence. Both are ephemeral unless the interaction was
// already deferred publicly. Every line names the interaction (req.Log).
func (b *Bot) fail(ctx context.Context, req Request, r *responder, err error) {
	msg, user := corpus.UserMessage(err)
	switch {
	case isTimeout(err) && ctx.Err() != nil:
		msg, user = msgTooSlow, false
	case !user:
		msg = sorry
	}
	ctx, cancel := sendContext(ctx) // the handler's deadline may be over
	defer cancel()
	var sendErr error
	switch {
	case req.Type == AutocompleteRequest:
		if !r.answered() {
			sendErr = r.Autocomplete(ctx, nil)
		}
	case !r.answered() || r.deferred():
		sendErr = r.Reply(ctx, errorMessage(msg))
	}
	log := req.Log()
	switch {
	case !user:
		attrs := []any{"err", err.Error()}
		if sendErr != nil {
			attrs = append(attrs, "reply_err", sendErr.Error())
		}
		log.ErrorContext(ctx, "interaction failed", attrs...)
	case sendErr != nil:
		log.ErrorContext(ctx, "could not send a refusal", "refusal", err.Error(), "err", sendErr.Error())
	default:
		log.DebugContext(ctx, "interaction refused", "outcome", outcome(err), "refusal", err.Error())
	}
}
