package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"visitbot/corpus"
)

// Live is the index readers use while moderators change the corpus. It
// serves one on-disk index at a time and has the method set of *Index, so
// whoever searches can take either.
//
// A change (Add, Remove, Refresh) checks and loads its input first, then
// writes the store, then builds a whole new index beside the served one,
// opens it, records its name in the pointer file CURRENT (temporary file,
// fsync, rename, fsync), and swaps it in. Searches already running finish on
// the old index, which is closed and deleted once the last of them is done.
// If anything fails the store is rolled back and the old index keeps
// serving. A crash at any point leaves CURRENT naming a complete index; a
// store that moved on meanwhile makes it stale, and OpenLive rebuilds it.
//
// On disk, under the data directory:
//
//	index/CURRENT      the name of the index to serve, one line
//	index/ix-<time>-<pid>/   Bleve indexes: CURRENT's, and ones being built
//	lock               held (flock) by whoever is changing the corpus
//	docs/, hidden.json, audit.jsonl   the corpus.Store
//
// Several processes may share a data directory (the bot, and a moderator's
// shell running visitbot corpus): changes exclude each other through the
// lock; indexes are opened read-only, each holding a shared flock on its
// directory so no one deletes an index another process still serves; and
// Watch lets a long-running process pick up a change made by another.
type Live struct {
	dataDir string
	root    string // dataDir/index
	store   *corpus.Store
	shipped corpus.Set
	fetcher Fetcher
	log     *slog.Logger
	batch   int
	rebuilt func(time.Duration, error)

	cur      atomic.Pointer[served]
	swapMu   sync.Mutex     // one swap at a time in this process
	retiring sync.WaitGroup // indexes swapped out and not yet closed
	closed   atomic.Bool
}

// Fetcher gets the page at a URL: its body, the URL it was finally served
// from, and its media type. corpus/fetch.Client is one; its errors the
// moderator can act on are corpus.UserErrors.
type Fetcher interface {
	Fetch(ctx context.Context, rawURL string) (body []byte, finalURL, mediaType string, err error)
}

// LiveOptions tune a Live. The zero value works, without fetching.
type LiveOptions struct {
	Fetcher   Fetcher        // nil: adding or refreshing a link is refused
	Log       *slog.Logger   // nil: no logging
	BatchSize int            // 0: DefaultBatchSize
	Progress  func(Progress) // reports a rebuild OpenLive has to do; may be nil
	// OnRebuild is told how long each rebuild took and whether it failed,
	// whatever started it (a start, a change, a refresh); may be nil.
	OnRebuild func(time.Duration, error)
}

// MaxSourceBytes is the largest file Add accepts.
const MaxSourceBytes = 5 << 20

// Refusals a moderator may see.
var (
	ErrBusy     error = &corpus.UserError{Msg: "A refresh is already running."}
	ErrNoFetch  error = &corpus.UserError{Msg: "Adding links is not enabled here: attach the article as a file instead."}
	ErrNoSource error = &corpus.UserError{Msg: "Give a link to the article or attach it as a file."}
	ErrTooLarge error = &corpus.UserError{Msg: "That file is larger than 5 MiB, so it was not added."}
	// ErrClosed is returned by searches on a closed Live.
	ErrClosed = errors.New("index: live index is closed")
)

const (
	currentFile = "CURRENT"
	lockFile    = "lock"
	dirPrefix   = "ix-"
)

// served is one open index with the count of its readers. The Live itself
// holds one reference while the index is current.
type served struct {
	ix   *Index
	name string   // directory name under Live.root
	lock *os.File // shared flock on the directory: "in use"
	refs atomic.Int64
	done chan struct{} // closed once retired
}

// OpenLive opens the index recorded in dataDir for the corpus made of the
// shipped set and what the store in dataDir adds and hides. An index that is
// missing, stale (another mapping or corpus) or damaged is rebuilt, with a
// warning, never a failure that would stop the bot from starting again.
// Directories of other indexes left by crashes are deleted.
func OpenLive(ctx context.Context, dataDir string, shipped corpus.Set, opts LiveOptions) (*Live, error) {
	root := filepath.Join(dataDir, "index")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("index: live: %w", err)
	}
	store, err := corpus.OpenStore(dataDir)
	if err != nil {
		return nil, err
	}
	l := &Live{
		dataDir: dataDir,
		root:    root,
		store:   store,
		shipped: shipped,
		fetcher: opts.Fetcher,
		log:     opts.Log,
		batch:   opts.BatchSize,
		rebuilt: opts.OnRebuild,
	}
	if l.log == nil {
		l.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s, err := l.openCurrent(); err == nil {
		l.cur.Store(s)
		if unlock, err := l.tryLock(); err == nil {
			l.gc()
			unlock()
		}
		return l, nil
	} else if l.firstStart() {
		l.log.Info("index: building the first index", "dir", root)
	} else {
		l.log.Warn("index: rebuilding", "dir", root, "reason", err)
	}

	// Rebuild under the lock, waiting for a change another process is making.
	unlock, err := l.waitLock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if s, err := l.openCurrent(); err == nil { // another process rebuilt meanwhile
		l.cur.Store(s)
		l.gc()
		return l, nil
	}
	set, _, err := l.loadSet()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := l.rebuild(ctx, set, opts.Progress); err != nil {
		l.audit(corpus.AuditEntry{Who: "system", Action: "rebuild", Outcome: corpus.OutcomeFailed, Detail: err.Error()})
		return nil, err
	}
	l.log.Info("index: rebuilt", "dir", root, "passages", l.Len(), "took", time.Since(start).Round(time.Millisecond))
	l.audit(corpus.AuditEntry{Who: "system", Action: "rebuild", Outcome: corpus.OutcomeOK,
		Detail: fmt.Sprintf("%d documents, %d passages", len(set.Docs), l.Len())})
	l.gc()
	return l, nil
}

// openCurrent opens the index CURRENT names for the corpus as the store has
// it now.
func (l *Live) openCurrent() (*served, error) {
	for attempt := 0; ; attempt++ {
		name, err := l.readCurrent()
		if err != nil {
			return nil, err
		}
		set, _, err := l.loadSet()
		if err != nil {
			return nil, err
		}
		s, err := l.open(name, set)
		if err == nil {
			return s, nil
		}
		// Another process may have moved CURRENT on and deleted this one
		// between our reading and opening it.
		if now, _ := l.readCurrent(); now == name || attempt == 2 {
			return nil, err
		}
	}
}

// firstStart reports a data directory with no index yet: no CURRENT, and
// no index directory.
func (l *Live) firstStart() bool {
	if _, err := os.Stat(filepath.Join(l.root, currentFile)); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	entries, _ := os.ReadDir(l.root)
	for _, e := range entries {
		if e.IsDir() {
			return false
		}
	}
	return true
}

func (l *Live) readCurrent() (string, error) {
	data, err := os.ReadFile(filepath.Join(l.root, currentFile))
	if err != nil {
		return "", fmt.Errorf("index: live: %w", err)
	}
	name := strings.TrimSpace(string(data))
	if !strings.HasPrefix(name, dirPrefix) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("index: live: %s names %q, not an index", currentFile, name)
	}
	return name, nil
}

// open opens the index directory name read-only for set, holding a shared
// flock on the directory while it is served.
func (l *Live) open(name string, set corpus.Set) (*served, error) {
	dir := filepath.Join(l.root, name)
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("index: live: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("index: live: %s is being deleted: %w", dir, err)
	}
	// Open is read-only: several processes can serve one index, a stuck
	// lock fails in seconds instead of hanging, and a damaged directory is
	// an error, never a panic.
	ix, err := Open(dir, set)
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &served{ix: ix, name: name, lock: f, done: make(chan struct{})}
	s.refs.Store(1)
	return s, nil
}

// rebuild builds set into a new directory, opens it and makes it current.
// Until it returns nil nothing readers see has changed.
func (l *Live) rebuild(ctx context.Context, set corpus.Set, progress func(Progress)) (err error) {
	if l.rebuilt != nil {
		defer func(start time.Time) { l.rebuilt(time.Since(start), err) }(time.Now())
	}
	name := fmt.Sprintf("%s%s-%d", dirPrefix, time.Now().UTC().Format("20060102T150405.000000000"), os.Getpid())
	dir := filepath.Join(l.root, name)
	ix, err := Build(ctx, set, BuildOptions{Dir: dir, BatchSize: l.batch, Progress: func(done, total int) {
		report(progress, Progress{Phase: PhaseIndexing, Done: done, Total: total})
	}})
	if err != nil {
		return err
	}
	err = ix.Close()
	if err == nil {
		err = syncTree(dir)
	}
	var s *served
	if err == nil {
		s, err = l.open(name, set)
	}
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("index: live: new index: %w", err)
	}
	// The commit point: from here on a restart serves the new index.
	if err := corpus.WriteFileAtomic(filepath.Join(l.root, currentFile), []byte(name+"\n"), 0o644); err != nil {
		if l.currentName() == name {
			// The rename happened and only the directory's sync failed:
			// CURRENT names the new index, so it is committed. Serve it
			// rather than delete what a restart would open.
			l.log.Warn("index: live: CURRENT renamed but not synced", "name", name, "err", err)
			l.swap(s)
			return nil
		}
		l.retire(s)
		os.RemoveAll(dir)
		return fmt.Errorf("index: live: record %s: %w", currentFile, err)
	}
	l.swap(s)
	return nil
}

// syncTree fsyncs every file and directory under dir, so that what CURRENT
// is about to name survives a power cut, not just a killed process.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// swap makes s current and lets the previous index go once its readers are
// done.
func (l *Live) swap(s *served) {
	l.swapMu.Lock()
	defer l.swapMu.Unlock()
	l.swapLocked(s)
}

func (l *Live) swapLocked(s *served) {
	if l.closed.Load() {
		l.retire(s)
		return
	}
	if old := l.cur.Swap(s); old != nil {
		l.retiring.Add(1) // done when its last reader lets go
		l.release(old)    // the Live's own reference
	}
}

// acquire returns the current index with a reference its caller must
// release, or nil once the Live is closed.
func (l *Live) acquire() *served {
	for {
		s := l.cur.Load()
		if s == nil {
			return nil
		}
		n := s.refs.Load()
		if n <= 0 {
			continue // retired a moment ago; cur has already moved on
		}
		if s.refs.CompareAndSwap(n, n+1) {
			return s
		}
	}
}

// release drops a reference; the last one retires the index (in the
// background: a search does not wait for it).
func (l *Live) release(s *served) {
	if s.refs.Add(-1) == 0 {
		go func() {
			defer l.retiring.Done()
			l.retire(s)
		}()
	}
}

// retire closes an index no one reads any more and deletes its directory
// unless CURRENT names it or another process still serves it.
func (l *Live) retire(s *served) {
	defer close(s.done)
	if err := s.ix.Close(); err != nil {
		l.log.Warn("index: close", "err", err)
	}
	s.lock.Close() // drops the shared flock
	if name, err := l.readCurrent(); err == nil && name == s.name {
		return
	}
	l.removeIfUnused(s.name)
}

// removeIfUnused deletes an index directory no process holds.
func (l *Live) removeIfUnused(name string) {
	dir := filepath.Join(l.root, name)
	f, err := os.Open(dir)
	if err != nil {
		return
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return // served elsewhere: whoever retires it last deletes it
	}
	if err := os.RemoveAll(dir); err != nil {
		l.log.Warn("index: delete old index", "dir", dir, "err", err)
	}
}

// gc deletes index directories other than CURRENT's that no one serves:
// builds a crash interrupted, and indexes retired while another process
// still served them. Call it holding the lock, so that no build is under
// way.
func (l *Live) gc() {
	current, _ := l.readCurrent()
	entries, err := os.ReadDir(l.root)
	if err != nil {
		return
	}
	for _, e := range entries {
		switch {
		case e.IsDir() && e.Name() != current:
			l.removeIfUnused(e.Name())
		case !e.IsDir() && strings.Contains(e.Name(), ".tmp-"):
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
				os.Remove(filepath.Join(l.root, e.Name()))
			}
		}
	}
}

// tryLock takes the change lock, or returns ErrBusy. flock is released by
// the kernel when its holder dies, so a crash never leaves it stuck; the
// PID written into the file is for people only.
func (l *Live) tryLock() (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(l.dataDir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("index: live: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("index: live: lock: %w", err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { f.Close() }, nil
}

// waitLock takes the change lock, waiting for another holder to finish.
func (l *Live) waitLock(ctx context.Context) (func(), error) {
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		unlock, err := l.tryLock()
		if !errors.Is(err, ErrBusy) {
			return unlock, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// loadSet is the corpus as the store has it now: the shipped documents less
// the hidden ones, plus the added ones. Added files that no longer load, and
// added documents whose ID a shipped one took since, are left out with a
// warning; they are returned so that List can show them.
func (l *Live) loadSet() (corpus.Set, []corpus.StoredDoc, error) {
	hidden, err := l.store.Hidden()
	if err != nil {
		return corpus.Set{}, nil, err
	}
	stored, err := l.store.Documents()
	if err != nil {
		return corpus.Set{}, nil, err
	}
	th, err := l.store.Thesaurus(l.shipped.Thesaurus)
	if err != nil {
		if _, ok := corpus.UserMessage(err); !ok {
			return corpus.Set{}, nil, err
		}
		// A moderator's typo in topics.txt must not take the bot down:
		// serve with the shipped topics and say why (a refresh refuses
		// the file with the same sentence).
		l.log.Warn("index: topics.txt is malformed; using the shipped topics", "err", err)
		th = l.shipped.Thesaurus
	}
	var docs, added []*corpus.Document
	have := map[string]bool{}
	for _, d := range l.shipped.Docs {
		if hidden[d.ID] {
			continue
		}
		if th != l.shipped.Thesaurus {
			// Tag a copy: readers of the served index read the shipped
			// documents' passages.
			d = cloneDoc(d)
			th.Tag([]*corpus.Document{d})
		}
		docs = append(docs, d)
		have[d.ID] = true
	}
	for _, sd := range stored {
		switch {
		case sd.Err != nil:
			l.log.Warn("index: stored document left out", "id", sd.ID, "err", sd.Err)
		case have[sd.ID]:
			l.log.Warn("index: stored document left out: a shipped document has its id", "id", sd.ID)
		default:
			added = append(added, sd.Doc)
		}
	}
	// Only the documents just loaded are tagged here, never the served ones.
	corpus.NewSet(added, th)
	docs = append(docs, added...)
	slices.SortFunc(docs, func(a, b *corpus.Document) int { return strings.Compare(a.ID, b.ID) })
	return corpus.Set{Docs: docs, Thesaurus: th}, stored, nil
}

func cloneDoc(d *corpus.Document) *corpus.Document {
	c := *d
	c.Passages = slices.Clone(d.Passages)
	return &c
}

// Close stops serving and waits until every index this Live opened is
// closed. Searches after Close return ErrClosed.
func (l *Live) Close() error {
	l.swapMu.Lock()
	l.closed.Store(true)
	old := l.cur.Swap(nil)
	if old != nil {
		l.retiring.Add(1)
	}
	l.swapMu.Unlock()
	if old != nil {
		l.release(old)
	}
	l.retiring.Wait()
	return nil
}

// Dir is the data directory.
func (l *Live) Dir() string { return l.dataDir }

// Store is the store of added and hidden documents.
func (l *Live) Store() *corpus.Store { return l.store }

// Sync serves the index CURRENT names if another process has made one since
// this Live last looked. It reports whether it swapped.
func (l *Live) Sync() (bool, error) {
	s := l.acquire()
	if s == nil {
		return false, ErrClosed
	}
	servedName := s.name
	l.release(s)
	name, err := l.readCurrent()
	if err != nil || name == servedName {
		return false, err
	}
	set, _, err := l.loadSet()
	if err != nil {
		return false, err
	}
	next, err := l.open(name, set)
	if err != nil {
		// Most likely the store has moved on again and its build is under
		// way: the next Sync will see it.
		return false, err
	}
	if !l.swapIf(name, next) {
		return false, nil // a change of this process moved CURRENT on meanwhile
	}
	l.log.Info("index: serving an index another process built", "name", name, "passages", next.ix.Len())
	return true, nil
}

// swapIf swaps s in only while CURRENT still names name, so a Sync that read
// CURRENT before a change of this process committed never puts the older
// index back over the newer one.
func (l *Live) swapIf(name string, s *served) bool {
	l.swapMu.Lock()
	current, err := l.readCurrent()
	if err != nil || current != name {
		l.swapMu.Unlock()
		l.retire(s)
		return false
	}
	defer l.swapMu.Unlock()
	l.swapLocked(s)
	return true
}

// Watch calls Sync every interval until ctx is done, so that a bot serves
// changes a moderator made from the shell.
func (l *Live) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := l.Sync(); err != nil && !errors.Is(err, ErrClosed) {
				l.log.Debug("index: sync", "err", err)
			}
		}
	}
}

// The reading half: each call runs on the index current when it starts.

// Search runs one query.
func (l *Live) Search(ctx context.Context, q Query) (Result, error) {
	s := l.acquire()
	if s == nil {
		return Result{}, ErrClosed
	}
	defer l.release(s)
	return s.ix.Search(ctx, q)
}

// Suggest offers autocomplete entries; see Index.Suggest.
func (l *Live) Suggest(f Facet, input string, n int) []string {
	s := l.acquire()
	if s == nil {
		return nil
	}
	defer l.release(s)
	return s.ix.Suggest(f, input, n)
}

// Neighbours returns a passage with up to n either side; see Index.Neighbours.
func (l *Live) Neighbours(id string, n int) ([]corpus.Passage, *corpus.Document, bool) {
	s := l.acquire()
	if s == nil {
		return nil, nil, false
	}
	defer l.release(s)
	return s.ix.Neighbours(id, n)
}

// Documents returns the documents served, by ID.
func (l *Live) Documents() []*corpus.Document {
	s := l.acquire()
	if s == nil {
		return nil
	}
	defer l.release(s)
	return s.ix.Documents()
}

// Document returns the served document with the given ID.
func (l *Live) Document(id string) (*corpus.Document, bool) {
	s := l.acquire()
	if s == nil {
		return nil, false
	}
	defer l.release(s)
	return s.ix.Document(id)
}

// Passage returns a served passage and its document by passage ID.
func (l *Live) Passage(id string) (corpus.Passage, *corpus.Document, bool) {
	s := l.acquire()
	if s == nil {
		return corpus.Passage{}, nil, false
	}
	defer l.release(s)
	return s.ix.Passage(id)
}

// Len is the number of passages served.
func (l *Live) Len() int {
	s := l.acquire()
	if s == nil {
		return 0
	}
	defer l.release(s)
	return s.ix.Len()
}

// Meta says what the served index was built from.
func (l *Live) Meta() Meta {
	s := l.acquire()
	if s == nil {
		return Meta{}
	}
	defer l.release(s)
	return s.ix.Meta()
}

// Thesaurus is the topic thesaurus of the served corpus.
func (l *Live) Thesaurus() *corpus.Thesaurus {
	s := l.acquire()
	if s == nil {
		return l.shipped.Thesaurus
	}
	defer l.release(s)
	return s.ix.Thesaurus()
}

// Evaluate scores the served index against eval cases; see Index.Evaluate.
func (l *Live) Evaluate(ctx context.Context, cases []EvalCase) ([]Score, []EvalOutcome, error) {
	s := l.acquire()
	if s == nil {
		return nil, nil, ErrClosed
	}
	defer l.release(s)
	return s.ix.Evaluate(ctx, cases)
}

// The changing half.

// Source is what a moderator adds: a link, or a file's name and content.
type Source struct {
	URL  string
	Name string
	Data []byte
}

func (s Source) String() string {
	if s.URL != "" {
		return s.URL
	}
	return s.Name
}

// Phase is a stage of a change, for progress reports.
type Phase string

const (
	PhaseFetching   Phase = "fetching"
	PhaseExtracting Phase = "extracting"
	PhaseIndexing   Phase = "indexing"
	PhaseDone       Phase = "done"
)

// Progress is one report from a running change.
type Progress struct {
	Phase  Phase
	Source string  // fetching, extracting: the link or file
	Done   int     // fetching: documents so far; indexing: passages so far
	Total  int     // of how many
	Change *Change // done: what changed
}

func report(progress func(Progress), p Progress) {
	if progress != nil {
		progress(p)
	}
}

// DocChange is one document a change added, changed or removed.
type DocChange struct {
	ID       string
	Title    string
	Passages int // now; for a removed document, before
	Before   int // passages before, for a changed document
}

// DocFailure is a document a refresh could not read again: it stays as it
// was.
type DocFailure struct {
	ID     string
	Source string
	Reason string // one sentence
}

// Change is what a change did to the corpus.
type Change struct {
	Added, Changed, Removed []DocChange
	Failed                  []DocFailure
	Documents, Passages     int // in the corpus now
}

// Empty reports a change that changed nothing.
func (c Change) Empty() bool { return len(c.Added)+len(c.Changed)+len(c.Removed) == 0 }

// Summary says in a line or two what changed.
func (c Change) Summary() string {
	var parts []string
	list := func(verb string, ds []DocChange) {
		if len(ds) == 0 {
			return
		}
		var names []string
		for _, d := range ds {
			if d.Before > 0 && d.Before != d.Passages {
				names = append(names, fmt.Sprintf("%s (%d → %d passages)", d.ID, d.Before, d.Passages))
			} else {
				names = append(names, fmt.Sprintf("%s (%s)", d.ID, plural(d.Passages, "passage")))
			}
		}
		parts = append(parts, verb+" "+strings.Join(names, ", ")+".")
	}
	list("Added", c.Added)
	list("Changed", c.Changed)
	list("Removed", c.Removed)
	if len(parts) == 0 {
		parts = append(parts, "Nothing changed.")
	}
	for _, f := range c.Failed {
		parts = append(parts, fmt.Sprintf("Kept %s as it was: %s", f.ID, f.Reason))
	}
	parts = append(parts, fmt.Sprintf("The corpus has %s, %s.", plural(c.Documents, "document"), plural(c.Passages, "passage")))
	return strings.Join(parts, " ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// diff compares two corpora by document.
func diff(before, after corpus.Set) Change {
	var c Change
	old := map[string]*corpus.Document{}
	for _, d := range before.Docs {
		old[d.ID] = d
	}
	for _, d := range after.Docs {
		c.Documents++
		c.Passages += len(d.Passages)
		o, ok := old[d.ID]
		delete(old, d.ID)
		switch {
		case !ok:
			c.Added = append(c.Added, DocChange{ID: d.ID, Title: d.Title, Passages: len(d.Passages)})
		case corpus.Fingerprint([]*corpus.Document{o}) != corpus.Fingerprint([]*corpus.Document{d}):
			c.Changed = append(c.Changed, DocChange{ID: d.ID, Title: d.Title, Passages: len(d.Passages), Before: len(o.Passages)})
		}
	}
	for _, d := range before.Docs {
		if _, gone := old[d.ID]; gone {
			c.Removed = append(c.Removed, DocChange{ID: d.ID, Title: d.Title, Passages: len(d.Passages)})
		}
	}
	return c
}

// change runs fn under the lock with the corpus as it is, then rebuilds
// unless the corpus fn leaves is the one served. It undoes fn's writes to
// the store when anything fails, and writes the audit entry.
func (l *Live) change(ctx context.Context, entry corpus.AuditEntry, progress func(Progress),
	fn func(before corpus.Set, stored []corpus.StoredDoc) (*corpus.Snapshot, []DocFailure, error)) (Change, error) {
	unlock, err := l.tryLock()
	if err != nil {
		return Change{}, l.refused(entry, err)
	}
	defer unlock()

	before, stored, err := l.loadSet()
	if err != nil {
		return Change{}, l.refused(entry, err)
	}
	snap, failed, err := fn(before, stored)
	if err != nil {
		if snap != nil {
			err = errors.Join(err, snap.Restore())
		}
		return Change{}, l.refused(entry, err)
	}
	undo := func(err error) error {
		if snap != nil {
			if rerr := snap.Restore(); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		return l.refused(entry, err)
	}
	after, _, err := l.loadSet()
	if err != nil {
		return Change{}, undo(err)
	}
	// What changes for readers: the served corpus against the new one (which
	// also shows files edited by hand, and changes another process made).
	c := diff(corpus.Set{Docs: l.Documents()}, after)
	c.Failed = failed
	if after.Fingerprint() != l.Meta().Fingerprint || l.servedName() != l.currentName() {
		if err := l.rebuild(ctx, after, progress); err != nil {
			return Change{}, undo(err)
		}
	}
	l.gc()
	entry.Outcome = corpus.OutcomeOK
	entry.Detail = c.Summary()
	l.audit(entry)
	report(progress, Progress{Phase: PhaseDone, Change: &c})
	return c, nil
}

func (l *Live) servedName() string {
	s := l.acquire()
	if s == nil {
		return ""
	}
	defer l.release(s)
	return s.name
}

func (l *Live) currentName() string {
	name, _ := l.readCurrent()
	return name
}

// refused audits a failed change and returns err.
func (l *Live) refused(entry corpus.AuditEntry, err error) error {
	entry.Outcome = corpus.OutcomeFailed
	entry.Detail = err.Error()
	if msg, ok := corpus.UserMessage(err); ok {
		entry.Outcome = corpus.OutcomeRefused
		entry.Detail = msg
	}
	l.audit(entry)
	return err
}

func (l *Live) audit(e corpus.AuditEntry) {
	if err := l.store.Audit(e); err != nil {
		l.log.Error("index: audit log", "err", err, "entry", e)
	}
}

// Add fetches or reads an article, checks that it yields passages, stores
// it and rebuilds the index with it. by names who asked ("shell:ann").
func (l *Live) Add(ctx context.Context, src Source, by string, progress func(Progress)) (Change, error) {
	entry := corpus.AuditEntry{Who: by, Action: "add", Target: src.String()}
	return l.change(ctx, entry, progress, func(before corpus.Set, stored []corpus.StoredDoc) (*corpus.Snapshot, []DocFailure, error) {
		doc, info, err := l.load(ctx, src, "", progress)
		if err != nil {
			return nil, nil, err
		}
		info.By = by
		info.At = time.Now()
		for _, sd := range stored {
			if src.URL != "" && (sd.Info.Source == src.URL || sd.Doc != nil && sd.Doc.URL == doc.URL) {
				return nil, nil, &corpus.UserError{Msg: fmt.Sprintf("That article is already in the corpus as %q: refresh to update it.", sd.ID)}
			}
		}
		for _, d := range before.Docs {
			if d.ID == doc.ID {
				return nil, nil, corpus.IDTaken(doc.ID)
			}
		}
		if _, ok, _ := l.store.Get(doc.ID); ok {
			return nil, nil, corpus.IDTaken(doc.ID) // stored, though left out
		}
		snap, err := l.store.Snapshot(doc.ID)
		if err != nil {
			return nil, nil, err
		}
		if _, err := l.store.Put(doc, info); err != nil {
			return nil, nil, errors.Join(err, snap.Restore())
		}
		return snap, nil, nil
	})
}

// load fetches (for a link) and extracts a document. id, when set, is the
// ID it keeps (a refresh).
func (l *Live) load(ctx context.Context, src Source, id string, progress func(Progress)) (*corpus.Document, corpus.AddInfo, error) {
	var (
		name string
		data []byte
		meta = corpus.Meta{ID: id}
		info = corpus.AddInfo{Source: src.String()}
	)
	switch {
	case src.URL != "":
		if l.fetcher == nil {
			return nil, info, ErrNoFetch
		}
		report(progress, Progress{Phase: PhaseFetching, Source: src.URL, Total: 1})
		body, final, mediaType, err := l.fetcher.Fetch(ctx, src.URL)
		if err != nil {
			return nil, info, err
		}
		info.FetchedAt = time.Now()
		name, data, meta.URL = urlName(final, mediaType), body, final
	case src.Name != "":
		if len(src.Data) > MaxSourceBytes {
			return nil, info, ErrTooLarge
		}
		name, data = path.Base(strings.ReplaceAll(src.Name, `\`, "/")), src.Data
		info.Source = name
	default:
		return nil, info, ErrNoSource
	}
	report(progress, Progress{Phase: PhaseExtracting, Source: src.String()})
	doc, err := corpus.Load(name, data, meta)
	if err != nil {
		if _, ok := corpus.UserMessage(err); ok {
			return nil, info, err
		}
		return nil, info, fmt.Errorf("index: load %s: %w", src, err)
	}
	return doc, info, nil
}

// genericNames are last path segments that name no article.
var genericNames = map[string]bool{"": true, "index": true, "default": true, "article": true, "story": true, "amp": true, "news": true, "home": true, "main": true}

// urlName is the name corpus.Load gets for a fetched page: its last path
// segment (which becomes the document ID), prefixed with the site when that
// says nothing, with the extension its media type calls for.
func urlName(final, mediaType string) string {
	u, err := url.Parse(final)
	if err != nil {
		return "page.html"
	}
	segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	base := ""
	if len(segs) > 0 {
		base = segs[len(segs)-1]
		if ext := path.Ext(base); len(ext) <= 6 {
			base = strings.TrimSuffix(base, ext)
		}
	}
	if genericNames[strings.ToLower(base)] || strings.Trim(base, "0123456789") == "" {
		host := strings.TrimPrefix(u.Hostname(), "www.")
		if len(segs) > 1 && !genericNames[strings.ToLower(base)] {
			base = host + "-" + segs[len(segs)-2] + "-" + base
		} else {
			base = strings.TrimSuffix(host+"-"+base, "-")
		}
	}
	switch mediaType {
	case "text/plain":
		return base + ".txt"
	case "text/markdown", "text/x-markdown":
		return base + ".md"
	}
	return base + ".html"
}

// Remove takes a document out of the corpus: an added one is deleted, a
// shipped one hidden (and stays hidden across restarts).
func (l *Live) Remove(ctx context.Context, id, by string) (Change, error) {
	entry := corpus.AuditEntry{Who: by, Action: "remove", Target: id}
	return l.change(ctx, entry, nil, func(before corpus.Set, stored []corpus.StoredDoc) (*corpus.Snapshot, []DocFailure, error) {
		snap, err := l.store.Snapshot(id)
		if err != nil {
			return nil, nil, err
		}
		if _, ok, err := l.store.Get(id); err != nil {
			return nil, nil, err
		} else if ok {
			return snap, nil, l.store.Remove(id)
		}
		for _, d := range l.shipped.Docs {
			if d.ID != id {
				continue
			}
			hidden, err := l.store.Hidden()
			if err != nil {
				return nil, nil, err
			}
			if hidden[id] {
				return nil, nil, &corpus.UserError{Msg: fmt.Sprintf("The document %q is already removed.", id)}
			}
			return snap, nil, l.store.Hide(id)
		}
		return nil, nil, &corpus.UserError{Msg: fmt.Sprintf("No document in the corpus has the id %q: list them to see the ids.", id)}
	})
}

// Refresh reads the added documents again: each link is fetched anew and
// each stored file re-read, and the index rebuilt when anything changed. A
// link that fails now keeps the version the store has, and the change says
// why.
func (l *Live) Refresh(ctx context.Context, by string, progress func(Progress)) (Change, error) {
	entry := corpus.AuditEntry{Who: by, Action: "refresh"}
	return l.change(ctx, entry, progress, func(before corpus.Set, stored []corpus.StoredDoc) (*corpus.Snapshot, []DocFailure, error) {
		// A refresh reloads the topics moderators edited: refuse one that
		// does not parse rather than quietly serving the shipped ones.
		if _, err := l.store.Thesaurus(l.shipped.Thesaurus); err != nil {
			return nil, nil, err
		}
		var (
			failed  []DocFailure
			changed []string
			fresh   []*corpus.Document
			infos   []corpus.AddInfo
		)
		for i, sd := range stored {
			if sd.Err != nil {
				failed = append(failed, DocFailure{ID: sd.ID, Source: sd.Info.Source, Reason: "its stored file no longer loads."})
				continue
			}
			if !sd.Info.IsURL() {
				continue // the stored file itself was just re-read
			}
			report(progress, Progress{Phase: PhaseFetching, Source: sd.Info.Source, Done: i, Total: len(stored)})
			doc, info, err := l.load(ctx, Source{URL: sd.Info.Source}, sd.ID, nil)
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if err != nil {
				reason, ok := corpus.UserMessage(err)
				if !ok {
					reason = "it could not be read."
					l.log.Warn("index: refresh", "id", sd.ID, "err", err)
				}
				failed = append(failed, DocFailure{ID: sd.ID, Source: sd.Info.Source, Reason: reason})
				continue
			}
			info.By, info.At = sd.Info.By, sd.Info.At
			// Compare as stored: the stored copy is what a restart serves.
			_, storedDoc, err := corpus.Render(doc, info)
			if err == nil && corpus.Fingerprint([]*corpus.Document{storedDoc}) == corpus.Fingerprint([]*corpus.Document{untagged(sd.Doc)}) {
				continue
			}
			changed = append(changed, sd.ID)
			fresh = append(fresh, doc)
			infos = append(infos, info)
		}
		snap, err := l.store.Snapshot(changed...)
		if err != nil {
			return nil, nil, err
		}
		for i, doc := range fresh {
			if _, err := l.store.Put(doc, infos[i]); err != nil {
				return nil, nil, errors.Join(err, snap.Restore())
			}
		}
		return snap, failed, nil
	})
}

// untagged is d without the topics a set tagged it with: as Load gives it.
func untagged(d *corpus.Document) *corpus.Document {
	c := cloneDoc(d)
	for i := range c.Passages {
		c.Passages[i].Topics = nil
	}
	return c
}

// Entry is one document as List shows it.
type Entry struct {
	ID       string
	Title    string
	Source   string // the link or file name it was added from; "shipped"
	Kind     corpus.Kind
	URL      string
	AddedBy  string // "shipped" for a shipped document
	AddedAt  time.Time
	Passages int
	Hidden   bool   // a shipped document a moderator removed
	Problem  string // why a stored file is left out, if it is
}

// List returns every document, shipped (hidden ones too) and added, by ID,
// as the store has them now.
func (l *Live) List() ([]Entry, error) {
	hidden, err := l.store.Hidden()
	if err != nil {
		return nil, err
	}
	_, stored, err := l.loadSet()
	if err != nil {
		return nil, err
	}
	var out []Entry
	shippedIDs := map[string]bool{}
	for _, d := range l.shipped.Docs {
		shippedIDs[d.ID] = !hidden[d.ID]
		out = append(out, Entry{ID: d.ID, Title: d.Title, Source: "shipped", Kind: d.Kind, URL: d.URL,
			AddedBy: "shipped", Passages: len(d.Passages), Hidden: hidden[d.ID]})
	}
	for _, sd := range stored {
		e := Entry{ID: sd.ID, Source: sd.Info.Source, AddedBy: sd.Info.By, AddedAt: sd.Info.At}
		if sd.Doc != nil {
			e.Title, e.Kind, e.URL, e.Passages = sd.Doc.Title, sd.Doc.Kind, sd.Doc.URL, len(sd.Doc.Passages)
		}
		switch {
		case sd.Err != nil:
			e.Problem = "its stored file does not load"
		case shippedIDs[sd.ID]:
			e.Problem = "a shipped document has its id"
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
