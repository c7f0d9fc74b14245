package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// notify is a slog handler that also signals each record whose message is
// msg, so a test can wait for a line logged by a goroutine it cannot join.
type notify struct {
	slog.Handler
	msg  string
	seen chan string
}

func (n notify) Handle(ctx context.Context, r slog.Record) error {
	err := n.Handler.Handle(ctx, r)
	if r.Message == n.msg {
		n.seen <- r.Message
	}
	return err
}

func (n notify) WithAttrs(as []slog.Attr) slog.Handler {
	return notify{n.Handler.WithAttrs(as), n.msg, n.seen}
}

func (n notify) WithGroup(g string) slog.Handler {
	return notify{n.Handler.WithGroup(g), n.msg, n.seen}
}

type ctxKey struct{}

func TestAHandlerPastItsDeadlineIsAnsweredOnceAndItsLateAnswerDropped(t *testing.T) {
	logs := &logBuffer{}
	late := notify{slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}), "late handler result dropped", make(chan string, 1)}
	const timeout = 100 * time.Millisecond
	b := New(Options{Logger: slog.New(late), DeferAfter: time.Millisecond, HandlerTimeout: timeout})
	b.SetSearcher(shippedIndex(t))
	release := make(chan struct{})
	lateErr := make(chan error, 1)
	type seenCtx struct {
		deadline time.Time
		lifetime any
	}
	entered := make(chan seenCtx, 1)
	b.commands["stuck"] = route{
		handle: func(ctx context.Context, req Request, r Responder) error {
			d, _ := ctx.Deadline()
			entered <- seenCtx{d, ctx.Value(ctxKey{})}
			<-release // a handler that ignores its context
			err := r.Reply(context.WithoutCancel(ctx), hello)
			lateErr <- err
			return err
		},
		ack: func(Request) ack { return ack{} },
	}
	rec := newRecorder()
	i := command("", "stuck")
	i.ID, i.Token = "1320000000000005555", "interaction-token-never-logged"
	start := time.Now()
	b.serve(context.WithValue(testContext(t), ctxKey{}, "lifetime"), i, rec)
	end := time.Now()

	seen := <-entered
	if seen.lifetime != "lifetime" {
		t.Error("the handler's context does not derive from the transport's")
	}
	// The deadline was set when serve began (no bound from above: that
	// would time the scheduler, not the code).
	if seen.deadline.IsZero() || seen.deadline.Before(start.Add(timeout)) {
		t.Errorf("the handler's deadline is %v after the start (serve took %v), want at least %v",
			seen.deadline.Sub(start), end.Sub(start), timeout)
	}
	if calls := rec.Calls(); strings.Join(calls, ",") != "respond 5,edit" {
		t.Fatalf("sent %v, want the deferral then one edit", calls)
	}
	if got := *rec.edits[0].Content; got != msgTooSlow {
		t.Errorf("the edit says %q, want %q", got, msgTooSlow)
	}
	close(release)
	if err := <-lateErr; !errors.Is(err, ErrAnswered) {
		t.Errorf("the late Reply returned %v, want ErrAnswered", err)
	}
	select {
	case <-late.seen:
	case <-testContext(t).Done():
		t.Fatal("the late result was not logged")
	}
	if calls := rec.Calls(); len(calls) != 2 {
		t.Errorf("sent %v after the late answer, want nothing more", calls)
	}
	out := logs.String()
	for _, want := range []string{"interaction failed", "deadline exceeded", "late handler result dropped", "interaction=1320000000000005555"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, i.Token) {
		t.Errorf("the token reached the log:\n%s", out)
	}
}

func TestASlowSearchOverHTTPIsDeferredThenToldItTookTooLong(t *testing.T) {
	slow := newGate(shippedIndex(t)) // never opened: the search waits for its context
	e := startEndpointWith(t, slow, Options{DeferAfter: time.Millisecond, HandlerTimeout: 200 * time.Millisecond})
	resp := e.interact(t, payload(t, command("", "issue", stringOpt("topic", "seafood"))))
	if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("first response type %d, want a deferral", resp.Type)
	}
	var call webhookCall
	select {
	case call = <-e.calls:
	case <-testContext(t).Done():
		t.Fatal("no webhook call")
	}
	var edit struct{ Content string }
	json.Unmarshal(call.body, &edit)
	if call.method != http.MethodPatch || edit.Content != msgTooSlow {
		t.Errorf("webhook %s %s, want PATCH with %q", call.method, call.body, msgTooSlow)
	}
	e.srv.Wait()
	select {
	case extra := <-e.calls:
		t.Errorf("a second webhook call: %s %s", extra.method, extra.body)
	default:
	}
}

func TestEveryLogLineNamesItsInteraction(t *testing.T) {
	b, logs := botWith(t, broken{Searcher: shippedIndex(t)}, Options{
		DeferAfter: never, Limits: Limits{User: Rate{3, time.Minute}}})
	guild := "1187000000000000100"
	for _, i := range []*discordgo.Interaction{
		command(guild, "help"),                               // answered (debug)
		command(guild, "issue", stringOpt("topic", "   ")),   // refused (debug)
		command(guild, "issue", stringOpt("topic", "sea")),   // internal error
		command(guild, "help"),                               // rate limited
		from(click("", "v1:more:issue:x:seafood", nil), "7"), // a forged button
	} {
		serveOnce(t, b, i)
	}
	out := strings.TrimSpace(logs.String())
	lines := strings.Split(out, "\n")
	if len(lines) < 5 {
		t.Fatalf("%d log lines, want one per interaction at least:\n%s", len(lines), out)
	}
	for _, line := range lines {
		for _, want := range []string{"interaction=1320000000000009999", "kind=", "command=", "guild=", "user="} {
			if !strings.Contains(line, want) {
				t.Errorf("a line lacks %q: %s", want, line)
			}
		}
		if strings.Contains(line, "interaction-token-never-logged") {
			t.Errorf("a line holds the token: %s", line)
		}
	}
	for _, want := range []string{"outcome=rate_limited", "outcome=user_error", "level=ERROR", "custom_id=v1:more:issue:x:seafood"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckShard(t *testing.T) {
	for _, tc := range []struct {
		id, count int
		ok        bool
	}{
		{0, 0, true}, {0, 1, true}, {0, 4, true}, {3, 4, true},
		{4, 4, false}, {-1, 4, false}, {1, 0, false}, {0, -1, false}, {1, 1, false},
	} {
		if err := CheckShard(tc.id, tc.count); (err == nil) != tc.ok {
			t.Errorf("CheckShard(%d, %d) = %v, want ok %v", tc.id, tc.count, err, tc.ok)
		}
	}
}

func TestOnlyShardZeroRegistersTheCommands(t *testing.T) {
	for _, tc := range []struct {
		id, count int
		registers bool
	}{
		{0, 2, true},
		{1, 2, false},
	} {
		run := startShard(t, shippedIndex(t), Options{DeferAfter: never}, GatewayOptions{ShardID: tc.id, ShardCount: tc.count})
		if got := run.fake.Shards(); len(got) != 1 || got[0] != [2]int{tc.id, tc.count} {
			t.Errorf("shard %d/%d identified as %v", tc.id, tc.count, got)
		}
		if _, cmds := run.fake.Commands(); (len(cmds) > 0) != tc.registers {
			t.Errorf("shard %d/%d registered %d commands, want registering %v", tc.id, tc.count, len(cmds), tc.registers)
		}
		ctx := testContext(t)
		i := command("1187000000000000100", "help")
		if err := run.fake.DispatchInteraction(ctx, i); err != nil {
			t.Fatal(err)
		}
		if resp, err := run.fake.WaitResponse(ctx, i.ID); err != nil || !strings.Contains(responseText(resp.Data), "/issue") {
			t.Errorf("shard %d/%d: /help = %v, %v", tc.id, tc.count, resp, err)
		}
		if err := run.stop(); err != nil {
			t.Errorf("shard %d/%d: Run = %v", tc.id, tc.count, err)
		}
	}
	b, _ := newTestBot(t, nil, never)
	g := NewGateway(b, GatewayOptions{Token: botToken, ShardID: 2, ShardCount: 2})
	if err := g.Run(testContext(t)); err == nil || !strings.Contains(err.Error(), "0 <= id < count") {
		t.Errorf("Run as shard 2 of 2 = %v, want a refusal", err)
	}
}
