package bot

import (
	"sync"
	"time"
)

// maxReplays bounds how many accepted signatures the endpoint remembers.
// At more than maxReplays requests within maxAge (over 330 a second) the
// oldest are forgotten early, and a replay of one of those within its
// window would be let through: the signature and timestamp checks still
// hold, and the memory stays bounded (about 10 MB).
const maxReplays = 100_000

// replays remembers the signatures of accepted requests until their signed
// timestamp goes stale, so an exact replay inside the freshness window is
// refused (after it the timestamp check refuses it). Ed25519 signatures as
// Go verifies them are canonical, so a replay cannot change the signature
// (only the case of its hex, and the key is read from the decoded bytes).
// The key is the signature's first 16 bytes, part of its random-looking
// point R: no two genuine requests share them in practice, and no one
// without the application's key can make a signature at all.
//
// Each replica remembers its own requests: behind a load balancer a replay
// sent to another replica within the window is not caught here.
type replays struct {
	max int

	mu    sync.Mutex
	seen  map[sigKey]time.Time // signature → when it goes stale
	order []replay             // in the order accepted
	head  int                  // order[:head] are forgotten
}

type sigKey [16]byte

type replay struct {
	sig   sigKey
	until time.Time
}

func newReplays(max int) *replays {
	return &replays{max: max, seen: map[sigKey]time.Time{}}
}

// first records the signature raw (decoded, ed25519.SignatureSize bytes),
// stale after until, and reports whether it is new.
func (r *replays) first(raw []byte, until, now time.Time) bool {
	var sig sigKey
	copy(sig[:], raw)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forget(now)
	if t, ok := r.seen[sig]; ok && !now.After(t) {
		return false
	}
	r.seen[sig] = until
	r.order = append(r.order, replay{sig, until})
	return true
}

// forget drops signatures gone stale, and the oldest while there are too
// many. Entries are in the order accepted, which is nearly the order of
// their timestamps; one that goes stale behind a fresher one waits for it.
func (r *replays) forget(now time.Time) {
	for r.head < len(r.order) {
		e := r.order[r.head]
		if !now.After(e.until) && len(r.seen) < r.max {
			break
		}
		if t, ok := r.seen[e.sig]; ok && t.Equal(e.until) {
			delete(r.seen, e.sig)
		}
		r.order[r.head] = replay{}
		r.head++
	}
	if r.head > 1024 && r.head > len(r.order)/2 {
		r.order = append(r.order[:0], r.order[r.head:]...)
		r.head = 0
	}
}
