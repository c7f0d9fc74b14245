package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// recorder is a transport that records what it is asked to send and
// signals each send on sent.
type recorder struct {
	mu    sync.Mutex
	calls []string // "respond 4", "edit", "followup"
	resps []*discordgo.InteractionResponse
	edits []*discordgo.WebhookEdit
	fups  []*discordgo.WebhookParams
	sent  chan string
	fail  error
}

func newRecorder() *recorder { return &recorder{sent: make(chan string, 16)} }

func (r *recorder) record(call string) error {
	r.mu.Lock()
	r.calls = append(r.calls, call)
	err := r.fail
	r.mu.Unlock()
	r.sent <- call
	return err
}

func (r *recorder) respond(_ context.Context, resp *discordgo.InteractionResponse) error {
	r.mu.Lock()
	r.resps = append(r.resps, resp)
	r.mu.Unlock()
	return r.record("respond " + strconv.Itoa(int(resp.Type)))
}

func (r *recorder) editOriginal(_ context.Context, e *discordgo.WebhookEdit) error {
	r.mu.Lock()
	r.edits = append(r.edits, e)
	r.mu.Unlock()
	return r.record("edit")
}

func (r *recorder) followup(_ context.Context, p *discordgo.WebhookParams) error {
	r.mu.Lock()
	r.fups = append(r.fups, p)
	r.mu.Unlock()
	return r.record("followup")
}

func (r *recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

var hello = Message{Content: "hello"}

func TestResponderRepliesOnceAndRefusesASecondAnswer(t *testing.T) {
	ctx := testContext(t)
	rec := newRecorder()
	r := newResponder(ctx, rec, CommandRequest, ack{}, never)
	defer r.close()
	if err := r.Reply(ctx, hello); err != nil {
		t.Fatalf("Reply: %v", err)
	}
	if err := r.Reply(ctx, hello); !errors.Is(err, ErrAnswered) {
		t.Errorf("second Reply = %v, want ErrAnswered", err)
	}
	if err := r.Defer(ctx, false); !errors.Is(err, ErrAnswered) {
		t.Errorf("Defer after Reply = %v, want ErrAnswered", err)
	}
	if got, want := strings.Join(rec.Calls(), ","), "respond 4"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if am := rec.resps[0].Data.AllowedMentions; am == nil || am.Parse == nil || len(am.Parse) != 0 {
		t.Errorf("allowed mentions = %+v, want parse []", am)
	}
}

func TestResponderDefersBySelfWhenTheHandlerIsSlow(t *testing.T) {
	for _, tc := range []struct {
		name      string
		typ       RequestType
		ack       ack
		answer    func(context.Context, *responder) error
		wantDefer string
		wantThen  string
		ephemeral bool
	}{
		{"command then reply edits the thinking message", CommandRequest, ack{ephemeral: true},
			func(ctx context.Context, r *responder) error { return r.Reply(ctx, hello) }, "respond 5", "edit", true},
		{"public command", CommandRequest, ack{},
			func(ctx context.Context, r *responder) error { return r.Reply(ctx, hello) }, "respond 5", "edit", false},
		{"button update edits the clicked message", ButtonRequest, ack{update: true},
			func(ctx context.Context, r *responder) error { return r.Update(ctx, hello) }, "respond 6", "edit", false},
		{"button reply after a silent ack is a follow-up", ButtonRequest, ack{update: true},
			func(ctx context.Context, r *responder) error { return r.Reply(ctx, errorMessage("no")) }, "respond 6", "followup", false},
		{"button that opens a new message", ButtonRequest, ack{ephemeral: true},
			func(ctx context.Context, r *responder) error { return r.Reply(ctx, hello) }, "respond 5", "edit", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			rec := newRecorder()
			r := newResponder(ctx, rec, tc.typ, tc.ack, time.Nanosecond)
			defer r.close()
			// The handler "works" until the responder has deferred by itself.
			if got := <-rec.sent; got != tc.wantDefer {
				t.Fatalf("first call = %q, want %q", got, tc.wantDefer)
			}
			if err := tc.answer(ctx, r); err != nil {
				t.Fatalf("answer: %v", err)
			}
			if got := <-rec.sent; got != tc.wantThen {
				t.Errorf("second call = %q, want %q", got, tc.wantThen)
			}
			resp := rec.resps[0]
			gotEph := resp.Data != nil && resp.Data.Flags&discordgo.MessageFlagsEphemeral != 0
			if gotEph != tc.ephemeral {
				t.Errorf("deferral ephemeral = %v, want %v", gotEph, tc.ephemeral)
			}
			if err := r.Reply(ctx, hello); !errors.Is(err, ErrAnswered) {
				t.Errorf("Reply after the answer = %v, want ErrAnswered", err)
			}
		})
	}
}

func TestResponderExplicitDeferIsIdempotent(t *testing.T) {
	ctx := testContext(t)
	rec := newRecorder()
	r := newResponder(ctx, rec, CommandRequest, ack{}, never)
	defer r.close()
	if err := r.Defer(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := r.Defer(ctx, true); err != nil {
		t.Fatalf("second Defer: %v", err)
	}
	if err := r.Reply(ctx, hello); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rec.Calls(), ","), "respond 5,edit"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if e := rec.edits[0]; e.AllowedMentions == nil || len(e.AllowedMentions.Parse) != 0 {
		t.Errorf("edit allowed mentions = %+v, want none", e.AllowedMentions)
	}
}

func TestResponderRefusesWhatTheInteractionCannotTake(t *testing.T) {
	ctx := testContext(t)
	cases := []struct {
		name string
		typ  RequestType
		do   func(*responder) error
	}{
		{"update of a command", CommandRequest, func(r *responder) error { return r.Update(ctx, hello) }},
		{"choices for a command", CommandRequest, func(r *responder) error { return r.Autocomplete(ctx, nil) }},
		{"reply to autocomplete", AutocompleteRequest, func(r *responder) error { return r.Reply(ctx, hello) }},
		{"defer autocomplete", AutocompleteRequest, func(r *responder) error { return r.Defer(ctx, false) }},
		{"message over the limits", CommandRequest, func(r *responder) error {
			return r.Reply(ctx, Message{Content: strings.Repeat("x", maxContent+1)})
		}},
		{"too many choices", AutocompleteRequest, func(r *responder) error {
			return r.Autocomplete(ctx, make([]Choice, 26))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			r := newResponder(ctx, rec, tc.typ, ack{}, never)
			defer r.close()
			if err := tc.do(r); err == nil {
				t.Error("got no error")
			}
			if calls := rec.Calls(); len(calls) != 0 {
				t.Errorf("sent %v, want nothing", calls)
			}
		})
	}
}

func TestResponderAutocompleteNeverDefers(t *testing.T) {
	ctx := testContext(t)
	rec := newRecorder()
	r := newResponder(ctx, rec, AutocompleteRequest, ack{}, time.Nanosecond)
	if r.timer != nil {
		t.Error("an autocomplete responder has a deferral timer")
	}
	if err := r.Autocomplete(ctx, []Choice{{"Wang Yi", "Wang Yi"}}); err != nil {
		t.Fatal(err)
	}
	r.close()
	if got := rec.Calls(); len(got) != 1 || got[0] != "respond 8" {
		t.Errorf("calls = %v, want [respond 8]", got)
	}
}

func TestResponderReportsAFailedAutomaticDeferral(t *testing.T) {
	ctx := testContext(t)
	rec := newRecorder()
	rec.fail = errors.New("connection reset")
	r := newResponder(ctx, rec, CommandRequest, ack{}, time.Nanosecond)
	defer r.close()
	<-rec.sent // the deferral is being sent; Reply waits for its outcome
	err := r.Reply(ctx, hello)
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("Reply after a failed deferral = %v, want the deferral's error", err)
	}
}
