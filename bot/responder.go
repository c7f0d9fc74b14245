package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Responder is how a handler answers, whatever the transport.
type Responder interface {
	// Defer acknowledges the interaction now, to answer later: a "thinking"
	// message (ephemeral when asked) for a command, or, for a button that
	// updates its message, a silent acknowledgement.
	Defer(ctx context.Context, ephemeral bool) error
	// Reply answers with a new message. After Defer it fills in the
	// "thinking" message; after a button's silent acknowledgement it is a
	// follow-up message.
	Reply(ctx context.Context, m Message) error
	// Progress shows m in place of the "thinking" message of a deferred
	// command while the work goes on; Reply then gives the answer. Before
	// a deferral there is no message to show it in, and it does nothing.
	Progress(ctx context.Context, m Message) error
	// Update replaces the message whose button was clicked.
	Update(ctx context.Context, m Message) error
	// Autocomplete answers an autocomplete request with choices.
	Autocomplete(ctx context.Context, choices []Choice) error
}

// DefaultDeferAfter is how long a handler may take before the responder
// acknowledges the interaction itself. Discord drops interactions not
// acknowledged within 3 s.
const DefaultDeferAfter = 2 * time.Second

// ErrAnswered is returned by a second answer to one interaction.
var ErrAnswered = errors.New("bot: interaction already answered")

// transport carries responses to Discord: the interaction callback (once per
// interaction), edits of the original response and follow-up messages.
// The gateway sends them over REST; the HTTP endpoint sends the callback as
// its HTTP reply and the rest over the interaction webhook.
type transport interface {
	respond(ctx context.Context, resp *discordgo.InteractionResponse) error
	editOriginal(ctx context.Context, e *discordgo.WebhookEdit) error
	followup(ctx context.Context, p *discordgo.WebhookParams) error
}

// ack says how to acknowledge an interaction whose handler is slow: with a
// "thinking" message (ephemeral or not), or, for a button, silently before
// an update of its message.
type ack struct {
	update    bool
	ephemeral bool
}

type phase int

const (
	fresh          phase = iota // nothing sent yet
	deferredReply               // "thinking" message sent; an answer edits it
	deferredUpdate              // button acknowledged silently; an update edits its message
	answered                    // done: further answers are refused
	failed                      // the automatic deferral failed
)

// responder implements Responder over a transport. It is the one place that
// knows Discord's answer protocol: one callback, then edits, and the
// automatic deferral when the handler is slow.
type responder struct {
	t   transport
	typ RequestType
	ack ack

	mu     sync.Mutex // held across sends, so a deferral and an answer never cross
	phase  phase
	err    error // why the automatic deferral failed
	auto   bool  // the automatic deferral was sent
	closed bool
	timer  *time.Timer
}

// newResponder returns a responder that acknowledges the interaction itself
// (as ack says) when nothing was sent within budget. ctx bounds that
// automatic deferral.
func newResponder(ctx context.Context, t transport, typ RequestType, a ack, budget time.Duration) *responder {
	r := &responder{t: t, typ: typ, ack: a}
	if typ != AutocompleteRequest && budget > 0 {
		r.mu.Lock() // the timer may fire before the assignment is done
		r.timer = time.AfterFunc(budget, func() { r.autoDefer(ctx) })
		r.mu.Unlock()
	}
	return r
}

func (r *responder) autoDefer(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.phase != fresh {
		return
	}
	if err := r.deferLocked(ctx, r.ack.ephemeral); err != nil {
		r.phase, r.err = failed, fmt.Errorf("bot: automatic deferral: %w", err)
		return
	}
	r.auto = true
}

// autoDeferred reports whether the responder acknowledged the interaction
// itself because the handler was slow.
func (r *responder) autoDeferred() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.auto
}

// close stops the automatic deferral; the router calls it when the
// interaction is done.
func (r *responder) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
	}
}

// answered reports whether anything reached Discord (or was tried).
func (r *responder) answered() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.phase != fresh
}

// deferred reports whether the interaction was acknowledged but not answered.
func (r *responder) deferred() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.phase == deferredReply || r.phase == deferredUpdate
}

func (r *responder) Defer(ctx context.Context, ephemeral bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if r.phase != fresh {
		return nil // already acknowledged (perhaps automatically)
	}
	return r.deferLocked(ctx, ephemeral)
}

func (r *responder) deferLocked(ctx context.Context, ephemeral bool) error {
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	next := deferredReply
	switch {
	case r.typ == AutocompleteRequest:
		return errors.New("bot: an autocomplete request cannot be deferred")
	case r.typ == ButtonRequest && r.ack.update:
		resp.Type, next = discordgo.InteractionResponseDeferredMessageUpdate, deferredUpdate
	case ephemeral:
		resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	r.stopTimer()
	if err := r.t.respond(ctx, resp); err != nil {
		r.phase = failed
		r.err = fmt.Errorf("bot: defer: %w", err)
		return r.err
	}
	r.phase = next
	return nil
}

func (r *responder) Reply(ctx context.Context, m Message) error {
	if err := checkLimits(m); err != nil {
		return fmt.Errorf("bot: reply breaks Discord's limits: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if r.typ == AutocompleteRequest {
		return errors.New("bot: an autocomplete request is answered with choices")
	}
	d := m.toDiscord()
	r.stopTimer()
	var err error
	switch r.phase {
	case fresh:
		err = r.t.respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: d})
	case deferredReply:
		err = r.t.editOriginal(ctx, webhookEdit(d))
	case deferredUpdate:
		err = r.t.followup(ctx, webhookParams(d))
	}
	r.phase = answered
	if err != nil {
		return fmt.Errorf("bot: reply: %w", err)
	}
	return nil
}

func (r *responder) Progress(ctx context.Context, m Message) error {
	if err := checkLimits(m); err != nil {
		return fmt.Errorf("bot: progress breaks Discord's limits: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if r.phase != deferredReply {
		return nil
	}
	if err := r.t.editOriginal(ctx, webhookEdit(m.toDiscord())); err != nil {
		return fmt.Errorf("bot: progress: %w", err)
	}
	return nil
}

func (r *responder) Update(ctx context.Context, m Message) error {
	if err := checkLimits(m); err != nil {
		return fmt.Errorf("bot: update breaks Discord's limits: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if r.typ != ButtonRequest {
		return errors.New("bot: only a button click can update its message")
	}
	d := m.toDiscord()
	d.Flags = 0 // a message keeps the flags it was sent with
	r.stopTimer()
	var err error
	switch r.phase {
	case fresh:
		err = r.t.respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: d})
	case deferredReply, deferredUpdate:
		err = r.t.editOriginal(ctx, webhookEdit(d))
	}
	r.phase = answered
	if err != nil {
		return fmt.Errorf("bot: update: %w", err)
	}
	return nil
}

func (r *responder) Autocomplete(ctx context.Context, choices []Choice) error {
	if err := checkChoices(choices); err != nil {
		return fmt.Errorf("bot: choices break Discord's limits: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if r.typ != AutocompleteRequest {
		return errors.New("bot: only an autocomplete request is answered with choices")
	}
	r.phase = answered
	err := r.t.respond(ctx, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choicesToDiscord(choices)},
	})
	if err != nil {
		return fmt.Errorf("bot: autocomplete: %w", err)
	}
	return nil
}

// usable refuses answers after the interaction was answered or its
// deferral failed; r.mu must be held.
func (r *responder) usable() error {
	switch r.phase {
	case answered:
		return ErrAnswered
	case failed:
		return r.err
	}
	return nil
}

func (r *responder) stopTimer() {
	if r.timer != nil {
		r.timer.Stop()
	}
}
