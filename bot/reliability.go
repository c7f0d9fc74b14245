package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"visitbot/corpus"
)

// What the router does around every handler, on both transports: rate
// limits before it, a hard deadline on it, a logger that names the
// interaction on every line, and the metrics of its outcome.

// DefaultHandlerTimeout bounds one interaction's work, follow-ups included.
// An answer takes well under a second; the responder acknowledges a slow
// one after DefaultDeferAfter, and at this deadline the handler is
// abandoned: the user is told once, and whatever the handler sends later is
// refused and logged. It also bounds how long shutdown waits.
const DefaultHandlerTimeout = 12 * time.Second

// finalSendTimeout bounds the one message the router sends after a
// handler's deadline has passed (the handler's context is over by then).
const finalSendTimeout = 5 * time.Second

// errTimedOut is the error of a handler still running at its deadline.
var errTimedOut = errors.New("bot: handler deadline exceeded")

// msgTooSlow is what the user sees when a handler ran out of time.
const msgTooSlow = "That took too long on my side; please try again in a moment."

// setupReliability finishes New: the limiter, and the metrics' index size
// and zero-valued series for every route.
func (b *Bot) setupReliability(o Options) {
	b.now = o.Now
	if b.now == nil {
		b.now = time.Now
	}
	b.limiter = newLimiter(o.Limits, b.now)
	b.metrics = o.Metrics
	if b.metrics == nil {
		return
	}
	b.metrics.IndexSize(b.indexLen)
	cmds := make([]string, 0, len(b.commands))
	for c := range b.commands {
		cmds = append(cmds, c)
	}
	b.metrics.seed(CommandRequest.String(), cmds)
	b.metrics.seed(AutocompleteRequest.String(), []string{cmdIssue, cmdWho})
	actions := make([]string, 0, len(b.buttons))
	for a := range b.buttons {
		actions = append(actions, a)
	}
	b.metrics.seed(ButtonRequest.String(), actions)
}

// indexLen is the number of passages the current searcher serves, when it
// can say (*index.Index and *index.Live can).
func (b *Bot) indexLen() int {
	s, err := b.searcher()
	if err != nil {
		return 0
	}
	if l, ok := s.(interface{ Len() int }); ok {
		return l.Len()
	}
	return 0
}

// requestLogger is the bot's logger with what identifies an interaction;
// every line logged while handling it carries these. The interaction token
// is never among them.
func (b *Bot) requestLogger(req Request) *slog.Logger {
	attrs := []any{"interaction", req.ID, "kind", kindOf(req), "command", req.Command,
		"guild", req.GuildID, "user", req.UserID}
	if req.CustomID != "" {
		attrs = append(attrs, "custom_id", truncate(req.CustomID, maxCustomID))
	}
	return b.log.With(attrs...)
}

func kindOf(req Request) string {
	switch req.Type {
	case CommandRequest, AutocompleteRequest, ButtonRequest:
		return req.Type.String()
	}
	return "unknown"
}

// handlerTimeout is the deadline of a route's handler.
func (b *Bot) timeoutOf(rt route) time.Duration {
	if rt.timeout > 0 {
		return rt.timeout
	}
	return b.handlerTimeout
}

// run calls h under ctx, which carries the handler's deadline. A handler
// still running at the deadline is abandoned: run returns errTimedOut, so
// the router answers the user once, and the handler's own answer, if it
// ever comes, is refused by the responder (already answered) and logged.
func (b *Bot) run(ctx context.Context, h HandlerFunc, req Request, r *responder) error {
	done := make(chan error, 1)
	go func() { done <- call(ctx, h, req, r) }()
	select {
	case err := <-done:
		if err == nil && !r.answered() {
			err = errors.New(errNoAnswerMsg)
		}
		return err
	case <-ctx.Done():
	}
	deadline, _ := ctx.Deadline()
	go func() {
		err := <-done
		b.metrics.lateResult()
		attrs := []any{"after_deadline", time.Since(deadline).Round(time.Millisecond)}
		if err != nil {
			attrs = append(attrs, "err", err.Error())
		}
		req.Log().Warn("late handler result dropped", attrs...)
	}()
	if err := context.Cause(ctx); !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("bot: handler abandoned: %w", err)
	}
	return fmt.Errorf("bot: handler still running at its deadline: %w", errTimedOut)
}

// sendContext is the context for the router's own last message: ctx, or,
// once ctx is over, a short one that keeps its values.
func sendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), finalSendTimeout)
}

// outcome classifies how an interaction ended, for metrics and logs.
func outcome(err error) string {
	switch {
	case err == nil:
		return outcomeOK
	case errors.Is(err, errRateLimited):
		return outcomeRateLimited
	case isTimeout(err):
		return outcomeInternal
	}
	if _, user := corpus.UserMessage(err); user {
		return outcomeUserError
	}
	return outcomeInternal
}

func isTimeout(err error) bool {
	return errors.Is(err, errTimedOut) || errors.Is(err, context.DeadlineExceeded)
}

// commandLabel is req's command (or button action) when the bot has a route
// for it, else "unknown": metric labels never take a value a request chose.
func (b *Bot) commandLabel(req Request) string {
	switch req.Type {
	case CommandRequest, AutocompleteRequest:
		if _, ok := b.commands[req.Command]; ok {
			return req.Command
		}
	case ButtonRequest:
		if _, ok := b.buttons[req.button.Action]; ok {
			return req.button.Action
		}
	}
	return "unknown"
}

// finish records a finished interaction: its metrics, and a debug line.
func (b *Bot) finish(ctx context.Context, req Request, r *responder, err error, start time.Time) {
	took := time.Since(start)
	out := outcome(err)
	b.metrics.done(kindOf(req), b.commandLabel(req), out, took, r.autoDeferred())
	if err == nil {
		req.Log().DebugContext(ctx, "interaction answered", "took", took)
	}
}
