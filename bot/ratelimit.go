package bot

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"visitbot/corpus"
)

// Rate is a token-bucket budget: N requests per Per, with bursts of up to N.
// The zero Rate means no limit.
type Rate struct {
	N   int
	Per time.Duration
}

// Off reports whether r imposes no limit.
func (r Rate) Off() bool { return r.N <= 0 || r.Per <= 0 }

// String is the form ParseRate reads: "5/10s", or "off".
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	return strconv.Itoa(r.N) + "/" + r.Per.String()
}

// Bounds of a rate, so a typo cannot make a bucket that never refills.
const (
	maxRateN   = 1_000_000
	maxRatePer = 24 * time.Hour
)

// ParseRate reads "N/DURATION" (5/10s, 60/1m, 1/500ms), or "off" or "0" for
// no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	if !ok {
		return Rate{}, fmt.Errorf("bot: rate %q: want N/DURATION, e.g. 5/10s, or off", s)
	}
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || count < 1 || count > maxRateN {
		return Rate{}, fmt.Errorf("bot: rate %q: want a count from 1 to %d before the slash", s, maxRateN)
	}
	d, err := time.ParseDuration(strings.TrimSpace(per))
	if err != nil || d <= 0 || d > maxRatePer {
		return Rate{}, fmt.Errorf("bot: rate %q: want a duration up to 24h after the slash, e.g. 10s", s)
	}
	return Rate{N: count, Per: d}, nil
}

// Limits are the rate limits the router applies before any handler runs.
// A zero Rate turns that limit off; the zero Limits limit nothing.
type Limits struct {
	// User bounds the commands and button clicks of one user.
	User Rate
	// Guild bounds the commands and button clicks of one server, all its
	// members together. DMs have no guild and only the user limit.
	Guild Rate
	// Autocomplete bounds one user's autocomplete requests, separately from
	// commands: typing sends one per keystroke, so its budget is higher,
	// and over it the user just sees no suggestions for a moment.
	Autocomplete Rate
}

// DefaultLimits are the limits visitbot runs with unless configured.
func DefaultLimits() Limits {
	return Limits{
		User:         Rate{N: 5, Per: 10 * time.Second},
		Guild:        Rate{N: 60, Per: 10 * time.Second},
		Autocomplete: Rate{N: 30, Per: 10 * time.Second},
	}
}

// errRateLimited marks a refusal by the rate limiter; the user sees the
// sentence of the corpus.UserError that wraps it.
var errRateLimited = errors.New("bot: rate limited")

// slowDown is the refusal of a request over its budget: one sentence that
// says, in whole seconds rounded up, when to try again.
func slowDown(wait time.Duration) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &corpus.UserError{Msg: fmt.Sprintf("Slow down: try again in %d s.", secs), Err: errRateLimited}
}

// Bucket memory bounds. A bucket left alone for its whole period is full,
// exactly like a new one, so sweeping it away loses nothing; the hard cap
// only matters when more than maxBuckets keys are active within one period,
// and then an arbitrary bucket is dropped (its owner starts afresh) rather
// than letting memory grow.
const (
	minSweep   = 1024
	maxBuckets = 100_000
)

type bucketClass uint8

const (
	classUser bucketClass = iota
	classGuild
	classAutocomplete
	numClasses
)

type bucketKey struct {
	class bucketClass
	id    string
}

type bucket struct {
	tokens float64
	last   time.Time
}

// limiter holds token buckets keyed by class and user or guild ID. It is
// safe for concurrent use; its clock is injectable, so tests need no sleep.
type limiter struct {
	now   func() time.Time
	rates [numClasses]Rate

	cap int // maxBuckets; tests lower it

	mu      sync.Mutex
	buckets map[bucketKey]*bucket
	sweepAt int
}

func newLimiter(l Limits, now func() time.Time) *limiter {
	return &limiter{
		now:     now,
		rates:   [numClasses]Rate{classUser: l.User, classGuild: l.Guild, classAutocomplete: l.Autocomplete},
		cap:     maxBuckets,
		buckets: map[bucketKey]*bucket{},
		sweepAt: minSweep,
	}
}

// allow takes one token from every bucket of req, or from none: it returns
// nil, or the refusal saying how long until every bucket has a token.
func (l *limiter) allow(req Request) error {
	var keys [2]bucketKey
	n := 0
	add := func(c bucketClass, id string) {
		if !l.rates[c].Off() {
			keys[n] = bucketKey{c, id}
			n++
		}
	}
	switch req.Type {
	case AutocompleteRequest:
		add(classAutocomplete, req.UserID)
	case CommandRequest, ButtonRequest:
		add(classUser, req.UserID)
		if req.GuildID != "" {
			add(classGuild, req.GuildID)
		}
	}
	if n == 0 {
		return nil
	}
	if wait := l.take(keys[:n]); wait > 0 {
		return slowDown(wait)
	}
	return nil
}

// take refills the buckets of keys to now and takes a token from each if
// all have one; otherwise it takes none and returns the longest wait.
func (l *limiter) take(keys []bucketKey) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var bs [2]*bucket
	var wait time.Duration
	for i, k := range keys {
		r := l.rates[k.class]
		b := l.buckets[k]
		if b == nil {
			l.makeRoom(now)
			b = &bucket{tokens: float64(r.N), last: now}
			l.buckets[k] = b
		}
		if elapsed := now.Sub(b.last); elapsed > 0 {
			b.tokens = math.Min(float64(r.N), b.tokens+float64(r.N)*float64(elapsed)/float64(r.Per))
			b.last = now
		}
		if b.tokens < 1 {
			need := time.Duration((1 - b.tokens) * float64(r.Per) / float64(r.N))
			wait = max(wait, need, time.Nanosecond)
		}
		bs[i] = b
	}
	if wait > 0 {
		return wait
	}
	for _, b := range bs[:len(keys)] {
		b.tokens--
	}
	return 0
}

// makeRoom keeps the map bounded before a bucket is added: once it reaches
// sweepAt entries it drops the buckets idle for their whole period (full
// again); if more than 7/8 of maxBuckets are still active, it drops
// arbitrary ones down to that. Sweeps are amortised: the next happens when
// the map has doubled from what survived, or reached maxBuckets.
func (l *limiter) makeRoom(now time.Time) {
	if len(l.buckets) < min(l.sweepAt, l.cap) {
		return
	}
	for k, b := range l.buckets {
		if now.Sub(b.last) >= l.rates[k.class].Per {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) <= l.cap/8*7 {
			break
		}
		delete(l.buckets, k)
	}
	l.sweepAt = min(max(minSweep, 2*len(l.buckets)), l.cap)
}

// size is the number of buckets held, for tests.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
