package bot

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Rate
		bad  bool
	}{
		{in: "5/10s", want: Rate{5, 10 * time.Second}},
		{in: " 60 / 1m ", want: Rate{60, time.Minute}},
		{in: "1/500ms", want: Rate{1, 500 * time.Millisecond}},
		{in: "off", want: Rate{}},
		{in: "0", want: Rate{}},
		{in: "5", bad: true},
		{in: "5/", bad: true},
		{in: "/10s", bad: true},
		{in: "0/10s", bad: true},
		{in: "-1/10s", bad: true},
		{in: "5/0s", bad: true},
		{in: "5/-1s", bad: true},
		{in: "5/10", bad: true},
		{in: "5/48h", bad: true},
		{in: "9999999/1s", bad: true},
		{in: "five/10s", bad: true},
	} {
		got, err := ParseRate(tc.in)
		switch {
		case tc.bad && err == nil:
			t.Errorf("ParseRate(%q) = %v, want an error", tc.in, got)
		case !tc.bad && (err != nil || got != tc.want):
			t.Errorf("ParseRate(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
	for _, r := range []Rate{{5, 10 * time.Second}, {60, time.Minute}, {}} {
		if back, err := ParseRate(r.String()); err != nil || back != r {
			t.Errorf("ParseRate(%q) = %v, %v, want %v back", r.String(), back, err, r)
		}
	}
}

func TestSlowDownRoundsUp(t *testing.T) {
	for _, tc := range []struct {
		wait time.Duration
		want string
	}{
		{time.Nanosecond, "Slow down: try again in 1 s."},
		{time.Second, "Slow down: try again in 1 s."},
		{1001 * time.Millisecond, "Slow down: try again in 2 s."},
		{9500 * time.Millisecond, "Slow down: try again in 10 s."},
	} {
		if got := userSentence(slowDown(tc.wait)); got != tc.want {
			t.Errorf("slowDown(%v) = %q, want %q", tc.wait, got, tc.want)
		}
	}
}

// limitedBot is a bot with limits whose handlers count their calls, on a
// clock the test moves.
type limitedBot struct {
	b     *Bot
	clock *fakeClock
	calls atomic.Int64
	logs  *logBuffer
}

func newLimitedBot(t *testing.T, l Limits) *limitedBot {
	t.Helper()
	lb := &limitedBot{clock: newFakeClock(now)}
	lb.b, lb.logs = botWith(t, smallIndex(t), Options{DeferAfter: never, Limits: l, Now: lb.clock.Now})
	for name, rt := range lb.b.commands {
		h := rt.handle
		rt.handle = func(ctx context.Context, req Request, r Responder) error {
			lb.calls.Add(1)
			return h(ctx, req, r)
		}
		lb.b.commands[name] = rt
	}
	return lb
}

func from(i *discordgo.Interaction, user string) *discordgo.Interaction {
	if i.Member != nil {
		i.Member.User = &discordgo.User{ID: user}
	} else {
		i.User = &discordgo.User{ID: user}
	}
	return i
}

// content is the plain content of a lone response, "" if it has none.
func content(t *testing.T, rec *recorder) string {
	t.Helper()
	resp := onlyResponse(t, rec)
	if resp.Data == nil {
		return ""
	}
	return resp.Data.Content
}

func TestRateLimitPerUserRefusesWithWhenToRetry(t *testing.T) {
	lb := newLimitedBot(t, Limits{User: Rate{5, 10 * time.Second}})
	help := func(user string) *recorder { return serveOnce(t, lb.b, from(command("", "help"), user)) }
	for n := range 5 {
		if got := content(t, help("1")); got != "" {
			t.Fatalf("command %d of 5 refused: %q", n+1, got)
		}
	}
	rec := help("1")
	wantRefusal(t, rec, "Slow down: try again in 2 s.") // one token every 2 s
	if n := lb.calls.Load(); n != 5 {
		t.Errorf("%d handler calls, want 5: a refused command must not reach its handler", n)
	}
	if got := content(t, help("2")); got != "" {
		t.Errorf("another user was refused: %q", got)
	}
	lb.clock.Advance(1500 * time.Millisecond)
	wantRefusal(t, help("1"), "Slow down: try again in 1 s.")
	lb.clock.Advance(500 * time.Millisecond)
	if got := content(t, help("1")); got != "" {
		t.Errorf("after the refill, refused: %q", got)
	}
	wantRefusal(t, help("1"), "Slow down: try again in 2 s.")
	lb.clock.Advance(time.Hour) // a full bucket, not more
	for range 5 {
		help("1")
	}
	wantRefusal(t, help("1"), "Slow down: try again in 2 s.")
	if strings.Contains(lb.logs.String(), "level=ERROR") {
		t.Errorf("a refusal was logged as an error:\n%s", lb.logs)
	}
}

func TestRateLimitPerGuildCountsEveryMember(t *testing.T) {
	lb := newLimitedBot(t, Limits{User: Rate{5, 10 * time.Second}, Guild: Rate{3, 9 * time.Second}})
	const guild = "1187000000000000100"
	for n := range 3 {
		if got := content(t, serveOnce(t, lb.b, from(command(guild, "help"), fmt.Sprint(n)))); got != "" {
			t.Fatalf("member %d refused: %q", n, got)
		}
	}
	wantRefusal(t, serveOnce(t, lb.b, from(command(guild, "help"), "9")), "Slow down: try again in 3 s.")
	// The guild's refusal took nothing from the user's bucket, and a DM
	// has no guild.
	for range 5 {
		if got := content(t, serveOnce(t, lb.b, from(command("", "help"), "9"))); got != "" {
			t.Fatalf("a DM was refused: %q", got)
		}
	}
	wantRefusal(t, serveOnce(t, lb.b, from(command("", "help"), "9")), "Slow down: try again in 2 s.")
	if n := lb.calls.Load(); n != 8 {
		t.Errorf("%d handler calls, want 8", n)
	}
}

func TestRateLimitCountsButtonClicks(t *testing.T) {
	lb := newLimitedBot(t, Limits{User: Rate{1, 10 * time.Second}})
	serveOnce(t, lb.b, from(command("", "help"), "1"))
	wantRefusal(t, serveOnce(t, lb.b, from(click("", "v1:more:issue:3:seafood", nil), "1")), "Slow down: try again in 10 s.")
}

func TestAutocompleteIsLimitedApartAndGetsNoChoicesOverBudget(t *testing.T) {
	lb := newLimitedBot(t, Limits{User: Rate{1, 10 * time.Second}, Autocomplete: Rate{3, 3 * time.Second}})
	suggest := func() []*discordgo.ApplicationCommandOptionChoice {
		resp := onlyResponse(t, serveOnce(t, lb.b, from(autocompleteFor("who", "name", "wa"), "1")))
		if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Fatalf("response type %d, want autocomplete choices", resp.Type)
		}
		return resp.Data.Choices
	}
	serveOnce(t, lb.b, from(command("", "help"), "1")) // the command budget is spent
	for n := range 3 {
		if len(suggest()) == 0 {
			t.Fatalf("autocomplete %d of 3 offered nothing", n+1)
		}
	}
	if got := suggest(); len(got) != 0 {
		t.Errorf("over budget, autocomplete offered %d choices, want none", len(got))
	}
	lb.clock.Advance(time.Second)
	if len(suggest()) == 0 {
		t.Error("after the refill autocomplete offered nothing")
	}
}

func TestRateLimitsApplyOnBothTransports(t *testing.T) {
	l := Limits{User: Rate{2, 10 * time.Second}}
	t.Run("HTTP endpoint", func(t *testing.T) {
		e := startEndpointWith(t, shippedIndex(t), Options{DeferAfter: never, Limits: l})
		for range 2 {
			if resp := e.interact(t, payload(t, command("", "help"))); resp.Data.Content != "" {
				t.Fatalf("refused too soon: %q", resp.Data.Content)
			}
		}
		resp := e.interact(t, payload(t, command("", "help")))
		if resp.Data.Content != "Slow down: try again in 5 s." || resp.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("third /help = %q (flags %d), want an ephemeral slow down", resp.Data.Content, resp.Data.Flags)
		}
	})
	t.Run("gateway", func(t *testing.T) {
		run := startGatewayWith(t, shippedIndex(t), Options{DeferAfter: never, Limits: l}, "")
		ctx := testContext(t)
		var last *discordgo.InteractionResponse
		for range 3 {
			i := command("", "help")
			if err := run.fake.DispatchInteraction(ctx, i); err != nil {
				t.Fatal(err)
			}
			resp, err := run.fake.WaitResponse(ctx, i.ID)
			if err != nil {
				t.Fatal(err)
			}
			last = resp
		}
		if !strings.HasPrefix(last.Data.Content, "Slow down: try again in ") || last.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("third /help = %q (flags %d), want an ephemeral slow down", last.Data.Content, last.Data.Flags)
		}
	})
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	clock := newFakeClock(now)
	l := newLimiter(Limits{User: Rate{5, 10 * time.Second}}, clock.Now)
	l.cap = 64
	req := func(user string) Request { return Request{Type: CommandRequest, UserID: user} }
	// Many users within one period: the map never passes the cap.
	for n := range 1000 {
		if err := l.allow(req(fmt.Sprint(n))); err != nil {
			t.Fatalf("user %d refused on their first command: %v", n, err)
		}
		if l.size() > l.cap {
			t.Fatalf("%d buckets after %d users, want at most %d", l.size(), n+1, l.cap)
		}
	}
	// Once a period has passed, the next sweep drops the idle buckets (full
	// again, like new ones) and keeps the active one.
	clock.Advance(10 * time.Second)
	for range 5 {
		l.allow(req("busy"))
	}
	for n := range 40 {
		l.allow(req(fmt.Sprint("new", n)))
		if err := l.allow(req("busy")); err == nil {
			t.Fatalf("after %d new users the busy user's empty bucket was forgotten", n+1)
		}
	}
	if got := l.size(); got > 41 {
		t.Errorf("%d buckets after the sweep, want at most 41 (the busy one and the new)", got)
	}
}
