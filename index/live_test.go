package index

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"visitbot/corpus"
	"visitbot/corpus/corpustest"
	"visitbot/corpus/fetch"
)

// lighthouse is an article page a test site serves; extra paragraphs make a
// changed version of it.
func lighthouse(extra ...string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Last lighthouse keeper retires | Coast Gazette</title>
<meta property="og:site_name" content="Coast Gazette">
<meta property="article:published_time" content="2025-05-14T07:00:00Z">
</head><body><nav><a href="/">Home</a> | <a href="/login">Log in</a></nav><main><article>
<h1>Last lighthouse keeper retires</h1>
<p>The last keeper of the Skerry Point lighthouse retired on Tuesday after thirty-one years, leaving the light to run automatically from a control room on the mainland.</p>
<p>Keeper Morag Findlay said the hardest winters were the ones when the supply boat could not land for weeks and she rationed paraffin by the cupful.</p>
<p>The lighthouse board said the automated lamp would be checked by engineers twice a year and that the keeper's cottage would become a museum.</p>
`)
	for _, p := range extra {
		b.WriteString("<p>" + p + "</p>\n")
	}
	b.WriteString("</article></main><footer>© Coast Gazette</footer></body></html>")
	return b.String()
}

// site is a news site on loopback whose pages a test can change.
type site struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]string // path → HTML; missing paths are 404
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{pages: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		page, ok := s.pages[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) set(path, page string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if page == "" {
		delete(s.pages, path)
		return
	}
	s.pages[path] = page
}

func shippedSet(t testing.TB) corpus.Set {
	t.Helper()
	set, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// logBuffer collects what a Live logs, safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func openLive(t *testing.T, dir string, set corpus.Set, logs *logBuffer) *Live {
	t.Helper()
	opts := LiveOptions{Fetcher: &fetch.Client{AllowPrivate: true}, BatchSize: 5}
	if logs != nil {
		opts.Log = slog.New(slog.NewTextHandler(logs, nil))
	}
	l, err := OpenLive(context.Background(), dir, set, opts)
	if err != nil {
		t.Fatalf("OpenLive(%s) = %v", dir, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func liveSearch(t *testing.T, l interface {
	Search(context.Context, Query) (Result, error)
}, line string) Result {
	t.Helper()
	q, err := ParseCommand(line)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%q) = %v", line, err)
	}
	return res
}

func hasText(res Result, text string) bool {
	for _, h := range res.Hits {
		if strings.Contains(h.Passage.Text, text) {
			return true
		}
	}
	return false
}

func indexDirs(t *testing.T, dataDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dataDir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestLiveHasTheMethodsOfIndex(t *testing.T) {
	ix, live := reflect.TypeFor[*Index](), reflect.TypeFor[*Live]()
	for i := range ix.NumMethod() {
		m := ix.Method(i)
		lm, ok := live.MethodByName(m.Name)
		if !ok {
			t.Errorf("*Live has no method %s: add one that runs it on the current index", m.Name)
			continue
		}
		if lm.Type.NumIn() != m.Type.NumIn() || lm.Type.NumOut() != m.Type.NumOut() {
			t.Errorf("(*Live).%s is %v, want the signature of (*Index).%s, %v", m.Name, lm.Type, m.Name, m.Type)
			continue
		}
		for j := 1; j < m.Type.NumIn(); j++ {
			if lm.Type.In(j) != m.Type.In(j) {
				t.Errorf("(*Live).%s argument %d is %v, want %v", m.Name, j, lm.Type.In(j), m.Type.In(j))
			}
		}
		for j := range m.Type.NumOut() {
			if lm.Type.Out(j) != m.Type.Out(j) {
				t.Errorf("(*Live).%s result %d is %v, want %v", m.Name, j, lm.Type.Out(j), m.Type.Out(j))
			}
		}
	}
}

func TestAddingAPageThenAnswersFromIt(t *testing.T) {
	s := newSite(t)
	s.set("/news/2025/lighthouse-keeper-retires.html", lighthouse())
	dir := t.TempDir()
	l := openLive(t, dir, shippedSet(t), nil)
	if res := liveSearch(t, l, "/ask lighthouse keeper"); len(res.Hits) != 0 {
		t.Fatalf("before Add, Search found %d hits about the lighthouse", len(res.Hits))
	}
	var phases []Phase
	u := s.URL + "/news/2025/lighthouse-keeper-retires.html"
	c, err := l.Add(context.Background(), Source{URL: u}, "shell:ann", func(p Progress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	})
	if err != nil {
		t.Fatalf("Add(%q) = %v, want it added", u, err)
	}
	if len(c.Added) != 1 || c.Added[0].ID != "lighthouse-keeper-retires" || c.Added[0].Passages < 3 {
		t.Errorf("Add(%q) = %+v, want lighthouse-keeper-retires added with its passages", u, c)
	}
	if want := []Phase{PhaseFetching, PhaseExtracting, PhaseIndexing, PhaseDone}; !slices_equal(phases, want) {
		t.Errorf("Add(%q) reported phases %v, want %v", u, phases, want)
	}
	res := liveSearch(t, l, "/ask who rationed paraffin at the lighthouse?")
	if !hasText(res, "she rationed paraffin by the cupful") {
		t.Errorf("after Add, Search found %d hits, none the keeper's quote", len(res.Hits))
	}
	d, ok := l.Document("lighthouse-keeper-retires")
	if !ok || d.URL != u || d.Publication != "Coast Gazette" {
		t.Errorf("Document(lighthouse-keeper-retires) = %+v, want it with URL %q", d, u)
	}
	if got := liveSearch(t, l, "/issue seafood"); len(got.Hits) == 0 {
		t.Errorf("after Add, the shipped corpus no longer answers /issue seafood")
	}
	l.retiring.Wait() // the old index closes in the background
	if dirs := indexDirs(t, dir); len(dirs) != 1 {
		t.Errorf("index directories after Add = %v, want just the current one", dirs)
	}
	log, _ := l.Store().AuditLog()
	if n := len(log); n == 0 || log[n-1].Action != "add" || log[n-1].Outcome != corpus.OutcomeOK || log[n-1].Who != "shell:ann" || log[n-1].Target != u {
		t.Errorf("audit log ends %+v, want shell:ann's add of %s, ok", log, u)
	}
	// The same link again is refused, saying where it is.
	if _, err := l.Add(context.Background(), Source{URL: u}, "shell:ann", nil); !strings.Contains(userMsg(err), "already in the corpus") {
		t.Errorf("Add(%q) again = %v, want a refusal saying it is already in", u, err)
	}
}

func slices_equal[T comparable](a, b []T) bool { return reflect.DeepEqual(a, b) }

func userMsg(err error) string {
	msg, _ := corpus.UserMessage(err)
	return msg
}

func TestRestartKeepsAddedAndRemovedDocuments(t *testing.T) {
	dir := t.TempDir()
	set := shippedSet(t)
	l := openLive(t, dir, set, nil)
	file := Source{Name: "harbour.md", Data: []byte(corpustest.Article(7, 3))}
	if _, err := l.Add(context.Background(), file, "shell:ann", nil); err != nil {
		t.Fatalf("Add(%q) = %v", file.Name, err)
	}
	gone := set.Docs[0].ID
	if _, err := l.Remove(context.Background(), gone, "discord:42"); err != nil {
		t.Fatalf("Remove(%q) = %v", gone, err)
	}
	want := l.Meta()
	current := readFile(t, filepath.Join(dir, "index", "CURRENT"))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	logs := &logBuffer{}
	start := time.Now()
	l2 := openLive(t, dir, shippedSet(t), logs)
	t.Logf("OpenLive of an existing index: %v", time.Since(start))
	if got := l2.Meta(); got != want {
		t.Errorf("after restart Meta() = %+v, want %+v", got, want)
	}
	if _, ok := l2.Document("harbour"); !ok {
		t.Errorf("after restart the added document harbour is gone")
	}
	if _, ok := l2.Document(gone); ok {
		t.Errorf("after restart the removed shipped document %s is back", gone)
	}
	if now := readFile(t, filepath.Join(dir, "index", "CURRENT")); now != current || strings.Contains(logs.String(), "rebuilding") {
		t.Errorf("restart rebuilt the index (CURRENT %q → %q; log %s), want it opened as it was", current, now, logs)
	}
	if _, err := l2.Remove(context.Background(), gone, "discord:42"); userMsg(err) != fmt.Sprintf("The document %q is already removed.", gone) {
		t.Errorf("Remove(%q) again = %v, want it refused as already removed", gone, err)
	}
	entries, err := l2.List()
	if err != nil {
		t.Fatal(err)
	}
	var sawHidden, sawAdded bool
	for _, e := range entries {
		sawHidden = sawHidden || e.ID == gone && e.Hidden && e.AddedBy == "shipped"
		sawAdded = sawAdded || e.ID == "harbour" && e.AddedBy == "shell:ann" && e.Source == "harbour.md" && e.Passages > 0
	}
	if !sawHidden || !sawAdded {
		t.Errorf("List() = %+v, want %s hidden and harbour added by shell:ann", entries, gone)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestAFailedAddLeavesTheOldIndexServing(t *testing.T) {
	s := newSite(t)
	s.set("/empty.html", "<html><body><nav>Home</nav></body></html>")
	noarticle, err := os.ReadFile("../corpus/testdata/noarticle.html")
	if err != nil {
		t.Fatal(err)
	}
	s.set("/noarticle.html", string(noarticle))
	dir := t.TempDir()
	l := openLive(t, dir, shippedSet(t), nil)
	good := Source{Name: "harbour.md", Data: []byte(corpustest.Article(7, 3))}
	if _, err := l.Add(context.Background(), good, "shell:ann", nil); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		src     Source
		cancel  bool   // cancel the build once indexing starts
		want    string // the user message; "" for an internal error
		outcome string
	}{
		{"a missing page", Source{URL: s.URL + "/gone.html"}, false, "The site answered 404 Not Found instead of the page.", corpus.OutcomeRefused},
		{"a page with no article", Source{URL: s.URL + "/noarticle.html"}, false, userMsg(corpus.ErrNoText), corpus.OutcomeRefused},
		{"an empty page", Source{URL: s.URL + "/empty.html"}, false, userMsg(corpus.ErrNoText), corpus.OutcomeRefused},
		{"a bad scheme", Source{URL: "ftp://example.com/a.txt"}, false, userMsg(fetch.ErrScheme), corpus.OutcomeRefused},
		{"a binary file", Source{Name: "photo.txt", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}, false, userMsg(corpus.ErrBinary), corpus.OutcomeRefused},
		{"an empty file", Source{Name: "blank.md", Data: []byte("\n\n")}, false, userMsg(corpus.ErrEmpty), corpus.OutcomeRefused},
		{"a file with the id of another", Source{Name: "harbour.md", Data: []byte(corpustest.Article(8, 1))}, false, userMsg(corpus.IDTaken("harbour")), corpus.OutcomeRefused},
		{"a shipped id", Source{Name: "x.md", Data: []byte("---\nid: ap-iwaya-beijing\n---\nA paragraph long enough to be a passage of its own, about nothing much.\n")}, false, userMsg(corpus.IDTaken("ap-iwaya-beijing")), corpus.OutcomeRefused},
		{"nothing", Source{}, false, userMsg(ErrNoSource), corpus.OutcomeRefused},
		{"a build that fails", Source{Name: "ferry.md", Data: []byte(corpustest.Article(9, 2))}, true, "", corpus.OutcomeFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := l.Meta()
			served := l.servedName()
			stored, _ := l.Store().Documents()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := l.Add(ctx, tt.src, "shell:ann", func(p Progress) {
				if tt.cancel && p.Phase == PhaseIndexing {
					cancel()
				}
			})
			if err == nil || userMsg(err) != tt.want {
				t.Errorf("Add(%q) = %v, want %q", tt.src, err, tt.want)
			}
			if l.Meta() != before || l.servedName() != served {
				t.Errorf("after a failed Add(%q) the served index changed", tt.src)
			}
			if now, _ := l.Store().Documents(); len(now) != len(stored) {
				t.Errorf("after a failed Add(%q) the store has %d documents, want %d", tt.src, len(now), len(stored))
			}
			if res := liveSearch(t, l, "/issue seafood"); len(res.Hits) == 0 {
				t.Errorf("after a failed Add(%q) /issue seafood finds nothing", tt.src)
			}
			l.retiring.Wait()
			if dirs := indexDirs(t, dir); len(dirs) != 1 {
				t.Errorf("after a failed Add(%q) index directories are %v, want one", tt.src, dirs)
			}
			log, _ := l.Store().AuditLog()
			if last := log[len(log)-1]; last.Outcome != tt.outcome || last.Action != "add" {
				t.Errorf("after a failed Add(%q) the audit log ends %+v, want outcome %s", tt.src, last, tt.outcome)
			}
		})
	}
	// And the index still opens after a restart, with what was there.
	want := l.Meta()
	l.Close()
	if got := openLive(t, dir, shippedSet(t), nil).Meta(); got != want {
		t.Errorf("after restart Meta() = %+v, want %+v", got, want)
	}
}

func TestASecondChangeWhileOneRunsIsRefused(t *testing.T) {
	dir := t.TempDir()
	l := openLive(t, dir, shippedSet(t), nil)
	other := openLive(t, dir, shippedSet(t), nil) // as another process would
	var tried bool
	_, err := l.Add(context.Background(), Source{Name: "harbour.md", Data: []byte(corpustest.Article(7, 3))}, "shell:ann", func(p Progress) {
		if p.Phase != PhaseIndexing || tried {
			return
		}
		tried = true
		attempts := []struct {
			name string
			run  func() error
		}{
			{"Refresh on the same Live", func() error { _, err := l.Refresh(context.Background(), "discord:1", nil); return err }},
			{"Remove on the same Live", func() error { _, err := l.Remove(context.Background(), "ap-iwaya-beijing", "discord:1"); return err }},
			{"Refresh from another Live", func() error { _, err := other.Refresh(context.Background(), "shell:bob", nil); return err }},
			{"Add from another Live", func() error {
				_, err := other.Add(context.Background(), Source{Name: "ferry.md", Data: []byte(corpustest.Article(9, 2))}, "shell:bob", nil)
				return err
			}},
		}
		for _, a := range attempts {
			if err := a.run(); userMsg(err) != "A refresh is already running." {
				t.Errorf("%s during an Add = %v, want %q", a.name, err, "A refresh is already running.")
			}
		}
	})
	if err != nil || !tried {
		t.Fatalf("Add = %v (indexing reported: %v), want it added", err, tried)
	}
	// Once it is done, changes go through again.
	if _, err := other.Refresh(context.Background(), "shell:bob", nil); err != nil {
		t.Errorf("Refresh after the Add = %v", err)
	}
}

func TestSearchesDuringChangesNeverFailOrComeBackEmpty(t *testing.T) {
	s := newSite(t)
	s.set("/lighthouse.html", lighthouse())
	l := openLive(t, t.TempDir(), shippedSet(t), nil)
	q, _ := ParseCommand("/issue seafood")

	var searches, failures atomic.Int64
	var firstFailure atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	started := make(chan struct{}, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := l.Search(context.Background(), q)
				if err != nil || len(res.Hits) == 0 {
					failures.Add(1)
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("%d hits, %v", len(res.Hits), err))
				}
				searches.Add(1)
				if first {
					started <- struct{}{}
					first = false
				}
			}
		}()
	}
	for range 4 {
		<-started
	}
	// While each change indexes, let searches run before it goes on.
	overlap := func(p Progress) {
		if p.Phase != PhaseIndexing || p.Done != p.Total {
			return
		}
		// The new index is built but not yet swapped in.
		for n := searches.Load(); searches.Load() < n+20; {
			runtime.Gosched()
		}
	}
	steps := []struct {
		name string
		run  func() (Change, error)
	}{
		{"Add(link)", func() (Change, error) {
			return l.Add(context.Background(), Source{URL: s.URL + "/lighthouse.html"}, "shell:ann", overlap)
		}},
		{"Refresh", func() (Change, error) {
			s.set("/lighthouse.html", lighthouse("The museum opens in June, with the keeper's logbooks on show."))
			return l.Refresh(context.Background(), "shell:ann", overlap)
		}},
		{"Add(file)", func() (Change, error) {
			return l.Add(context.Background(), Source{Name: "harbour.md", Data: []byte(corpustest.Article(7, 3))}, "shell:ann", overlap)
		}},
		{"Remove(added)", func() (Change, error) { return l.Remove(context.Background(), "lighthouse", "shell:ann") }},
		{"Remove(shipped summary)", func() (Change, error) {
			return l.Remove(context.Background(), "ap-iwaya-beijing-summary", "shell:ann")
		}},
	}
	for _, st := range steps {
		c, err := st.run()
		if err != nil || c.Empty() {
			t.Errorf("%s = %+v, %v; want a change", st.name, c, err)
		}
	}
	close(stop)
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Errorf("%d of %d searches during changes failed or found nothing; first: %v", n, searches.Load(), firstFailure.Load())
	}
	t.Logf("%d searches ran during %d changes", searches.Load(), len(steps))
}

func TestAnOldIndexClosesOnlyAfterItsLastReader(t *testing.T) {
	dir := t.TempDir()
	l := openLive(t, dir, shippedSet(t), nil)
	old := l.acquire() // a search in flight
	if _, err := l.Add(context.Background(), Source{Name: "harbour.md", Data: []byte(corpustest.Article(7, 3))}, "shell:ann", nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-old.done:
		t.Fatal("the old index was closed under a reader")
	default:
	}
	res, err := old.ix.Search(context.Background(), Query{Command: Issue, Text: "seafood"})
	if err != nil || len(res.Hits) == 0 {
		t.Errorf("Search on the old index while held = %d hits, %v", len(res.Hits), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index", old.name)); err != nil {
		t.Errorf("the old index directory is gone while read: %v", err)
	}
	l.release(old)
	<-old.done
	if _, err := os.Stat(filepath.Join(dir, "index", old.name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old index directory after its last reader = %v, want it deleted", err)
	}
}

func TestRefreshReportsWhatChanged(t *testing.T) {
	s := newSite(t)
	s.set("/lighthouse.html", lighthouse())
	s.set("/ferry.html", strings.ReplaceAll(lighthouse(), "lighthouse", "ferry"))
	l := openLive(t, t.TempDir(), shippedSet(t), nil)
	for _, p := range []string{"/lighthouse.html", "/ferry.html"} {
		if _, err := l.Add(context.Background(), Source{URL: s.URL + p}, "shell:ann", nil); err != nil {
			t.Fatal(err)
		}
	}
	c, err := l.Refresh(context.Background(), "shell:ann", nil)
	if err != nil || !c.Empty() || len(c.Failed) != 0 {
		t.Errorf("Refresh with nothing changed = %+v, %v; want no change", c, err)
	}
	before := l.servedName()

	s.set("/lighthouse.html", lighthouse("The museum opens in June, with the keeper's logbooks on show."))
	s.set("/ferry.html", "")
	c, err = l.Refresh(context.Background(), "shell:ann", nil)
	if err != nil {
		t.Fatalf("Refresh = %v", err)
	}
	if len(c.Changed) != 1 || c.Changed[0].ID != "lighthouse" || c.Changed[0].Passages != c.Changed[0].Before+1 {
		t.Errorf("Refresh().Changed = %+v, want lighthouse with one passage more", c.Changed)
	}
	if len(c.Failed) != 1 || c.Failed[0].ID != "ferry" || !strings.Contains(c.Failed[0].Reason, "404") {
		t.Errorf("Refresh().Failed = %+v, want ferry kept, with the 404", c.Failed)
	}
	if l.servedName() == before {
		t.Errorf("Refresh changed a document but did not rebuild")
	}
	if !hasText(liveSearch(t, l, "/ask when does the museum open?"), "The museum opens in June") {
		t.Errorf("after Refresh the new paragraph is not found")
	}
	if _, ok := l.Document("ferry"); !ok {
		t.Errorf("after Refresh the ferry article, which failed to fetch, is gone")
	}
	for _, want := range []string{"Changed lighthouse (3 → 4 passages).", "Kept ferry as it was: The site answered 404 Not Found instead of the page."} {
		if !strings.Contains(c.Summary(), want) {
			t.Errorf("Summary() = %q, want it to say %q", c.Summary(), want)
		}
	}
}

func TestOpenLiveRebuildsAMissingDamagedOrStaleIndex(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dataDir, current string)
	}{
		{"no CURRENT", func(t *testing.T, dataDir, current string) {
			os.Remove(filepath.Join(dataDir, "index", "CURRENT"))
		}},
		{"CURRENT names nothing", func(t *testing.T, dataDir, current string) {
			os.WriteFile(filepath.Join(dataDir, "index", "CURRENT"), []byte("ix-nowhere\n"), 0o644)
		}},
		{"CURRENT is garbage", func(t *testing.T, dataDir, current string) {
			os.WriteFile(filepath.Join(dataDir, "index", "CURRENT"), []byte("../../etc\n"), 0o644)
		}},
		{"the index is deleted", func(t *testing.T, dataDir, current string) {
			os.RemoveAll(filepath.Join(dataDir, "index", current))
		}},
		{"its files are truncated", func(t *testing.T, dataDir, current string) {
			filepath.WalkDir(filepath.Join(dataDir, "index", current), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					os.Truncate(p, 7)
				}
				return nil
			})
		}},
		{"its files are garbage", func(t *testing.T, dataDir, current string) {
			filepath.WalkDir(filepath.Join(dataDir, "index", current), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					os.WriteFile(p, bytes.Repeat([]byte{0xff, 0x00, 0x13}, 4096), 0o644)
				}
				return nil
			})
		}},
		{"the corpus changed on disk", func(t *testing.T, dataDir, current string) {
			os.WriteFile(filepath.Join(dataDir, "docs", "extra.md"), []byte(corpustest.Article(3, 3)), 0o644)
		}},
		{"a build was left half done", func(t *testing.T, dataDir, current string) {
			os.MkdirAll(filepath.Join(dataDir, "index", "ix-halfdone"), 0o755)
			os.WriteFile(filepath.Join(dataDir, "index", "ix-halfdone", "root.bolt"), []byte("x"), 0o644)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openLive(t, dir, shippedSet(t), nil)
			current := l.servedName()
			l.Close()
			tt.damage(t, dir, current)
			logs := &logBuffer{}
			l2 := openLive(t, dir, shippedSet(t), logs)
			l2.retiring.Wait()
			if res := liveSearch(t, l2, "/issue seafood"); len(res.Hits) == 0 {
				t.Errorf("after %s, /issue seafood finds nothing", tt.name)
			}
			if dirs := indexDirs(t, dir); len(dirs) != 1 || dirs[0] != l2.servedName() {
				t.Errorf("after %s, index directories are %v, want only %s", tt.name, dirs, l2.servedName())
			}
			if tt.name == "a build was left half done" {
				return // the index itself was fine
			}
			if !strings.Contains(logs.String(), "level=WARN") {
				t.Errorf("after %s, OpenLive logged no warning: %s", tt.name, logs)
			}
		})
	}
}

func TestAnotherProcessesChangeIsServedAfterSync(t *testing.T) {
	dir := t.TempDir()
	bot := openLive(t, dir, shippedSet(t), nil)
	shell := openLive(t, dir, shippedSet(t), nil)
	old := bot.servedName()
	if _, err := shell.Add(context.Background(), Source{Name: "harbour.md", Data: []byte(corpustest.Article(7, 3))}, "shell:ann", nil); err != nil {
		t.Fatal(err)
	}
	// The bot still serves the old index, so the shell must not delete it.
	if _, err := os.Stat(filepath.Join(dir, "index", old)); err != nil {
		t.Fatalf("the shell deleted the index the bot serves: %v", err)
	}
	if _, ok := bot.Document("harbour"); ok {
		t.Fatalf("the bot serves the new document before Sync")
	}
	held := bot.acquire()
	swapped, err := bot.Sync()
	if err != nil || !swapped {
		t.Fatalf("Sync() = %v, %v; want it to swap in the shell's index", swapped, err)
	}
	if _, ok := bot.Document("harbour"); !ok {
		t.Errorf("after Sync the bot does not serve the added document")
	}
	bot.release(held)
	<-held.done
	if dirs := indexDirs(t, dir); len(dirs) != 1 {
		t.Errorf("after Sync, index directories are %v, want one", dirs)
	}
	if swapped, err := bot.Sync(); swapped || err != nil {
		t.Errorf("Sync() again = %v, %v; want nothing to do", swapped, err)
	}
}

func TestClosedLiveRefusesSearches(t *testing.T) {
	l := openLive(t, t.TempDir(), shippedSet(t), nil)
	l.Close()
	if _, err := l.Search(context.Background(), Query{Command: Issue, Text: "seafood"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Search after Close = %v, want ErrClosed", err)
	}
}

func TestURLNamesMakeUsefulIDs(t *testing.T) {
	tests := []struct{ url, mediaType, want string }{
		{"https://news.example/2025/05/lighthouse-keeper-retires.html", "text/html", "lighthouse-keeper-retires.html"},
		{"https://news.example/2025/05/lighthouse-keeper-retires", "text/html", "lighthouse-keeper-retires.html"},
		{"https://www.news.example/", "text/html", "news.example.html"},
		{"https://news.example/world/index.html", "text/html", "news.example-index.html"},
		{"https://news.example/article/123456", "text/plain", "news.example-article-123456.txt"},
		{"https://news.example/notes.md", "text/markdown", "notes.md"},
	}
	for _, tt := range tests {
		if got := urlName(tt.url, tt.mediaType); got != tt.want {
			t.Errorf("urlName(%q, %q) = %q, want %q", tt.url, tt.mediaType, got, tt.want)
		}
	}
}

// The crash test: a child process (this test binary, re-run) rebuilds a
// largish corpus and is SIGKILLed while it indexes; the parent then opens
// the data directory and must answer, with every document.

const (
	crashEnvDir  = "VISITBOT_LIVE_CRASH_DIR"
	crashEnvMode = "VISITBOT_LIVE_CRASH_MODE"
	crashSize    = 2400 // passages
	crashBatch   = 40   // so that the child reports 60 times while it indexes
)

// crashSet is a largish corpus made directly, not through corpus.Load,
// whose heuristics are slow under the race detector: the test is about the
// index on disk, not about ingest.
func crashSet(t testing.TB) corpus.Set {
	t.Helper()
	r := rand.New(rand.NewPCG(11, 12))
	vocab := make([]string, 3000)
	syl := strings.Fields("ba ke mi to ru sa ne lo vi da po ge fu ha ji")
	for i := range vocab {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		vocab[i] = b.String()
	}
	var docs []*corpus.Document
	for i := 0; len(docs)*20 < crashSize; i++ {
		d := &corpus.Document{ID: fmt.Sprintf("big-%04d", i), Title: "Report " + strconv.Itoa(i), Kind: corpus.KindArticle}
		for p := range 20 {
			words := make([]string, 25+r.IntN(30))
			for w := range words {
				words[w] = vocab[r.IntN(len(vocab))]
			}
			d.Passages = append(d.Passages, corpus.Passage{
				ID: fmt.Sprintf("%s#%d", d.ID, p+1), Doc: d.ID, Paragraph: p + 1,
				Text: strings.ToUpper(words[0][:1]) + strings.Join(words, " ")[1:] + ".",
			})
		}
		docs = append(docs, d)
	}
	return corpus.NewSet(docs, nil)
}

// TestCrashChild is the child's side; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnvDir)
	if dir == "" {
		t.Skip("run by TestAKilledRebuildLeavesAnIndexThatAnswers")
	}
	progress := func(p Progress) {
		if p.Phase == PhaseIndexing {
			fmt.Printf("indexing %d/%d\n", p.Done, p.Total)
		}
	}
	opts := LiveOptions{BatchSize: crashBatch, Progress: progress}
	l, err := OpenLive(context.Background(), dir, crashSet(t), opts)
	if err != nil {
		fmt.Printf("error %v\n", err)
		os.Exit(3)
	}
	fmt.Println("opened")
	if mode := os.Getenv(crashEnvMode); strings.HasPrefix(mode, "add") {
		i, _ := strconv.Atoi(strings.TrimPrefix(mode, "add"))
		src := Source{Name: fmt.Sprintf("added-%d.md", i), Data: []byte(corpustest.Article(12, i))}
		if _, err := l.Add(context.Background(), src, "shell:crash", progress); err != nil {
			fmt.Printf("error %v\n", err)
			os.Exit(3)
		}
	}
	fmt.Println("finished")
	os.Exit(0)
}

func TestAKilledRebuildLeavesAnIndexThatAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a largish corpus several times")
	}
	dir := t.TempDir()
	set := crashSet(t)
	runs := []struct {
		mode   string
		killAt int // kill at this "indexing" line (of 60)
	}{
		{"open", 1},  // during the first build: there is no index at all
		{"open", 45}, // later in a build from scratch
		{"add1", 2},  // during the rebuild for an added document
		{"add2", 58}, // near the end of it
	}
	added := 0
	for i, r := range runs {
		if r.mode == "open" {
			// As on a first start, or after a mapping change.
			os.Remove(filepath.Join(dir, "index", "CURRENT"))
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnvDir+"="+dir, crashEnvMode+"="+r.mode)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines, killed := 0, false
		sc := bufio.NewScanner(out)
		var last string
		for sc.Scan() {
			last = sc.Text()
			if strings.HasPrefix(last, "indexing ") {
				lines++
				if lines == r.killAt && !killed {
					cmd.Process.Signal(syscall.SIGKILL)
					killed = true
				}
			}
		}
		cmd.Wait()
		if !killed {
			t.Fatalf("run %d (%s): the child ended (%q) before indexing line %d", i, r.mode, last, r.killAt)
		}
		if strings.HasPrefix(r.mode, "add") {
			added++
		}

		// The parent restarts on what the kill left.
		logs := &logBuffer{}
		l, err := OpenLive(context.Background(), dir, set, LiveOptions{Log: slog.New(slog.NewTextHandler(logs, nil))})
		t.Logf("run %d (%s): killed at %q; restart rebuilt: %v", i, r.mode, last, strings.Contains(logs.String(), "rebuilding"))
		if err != nil {
			t.Fatalf("run %d (%s): OpenLive after the kill = %v", i, r.mode, err)
		}
		wantDocs := len(set.Docs) + added
		if got := len(l.Documents()); got != wantDocs {
			t.Errorf("run %d (%s): after the kill the index has %d documents, want %d", i, r.mode, got, wantDocs)
		}
		probe := set.Docs[i*7%len(set.Docs)].Passages[3]
		words := strings.Join(strings.Fields(probe.Text)[:6], " ")
		res, err := l.Search(context.Background(), Query{Command: Ask, Text: words, Limit: MaxLimit})
		if err != nil || len(res.Hits) == 0 {
			t.Errorf("run %d (%s): after the kill Search(%q) = %d hits, %v", i, r.mode, words, len(res.Hits), err)
		}
		if _, ok := l.Document(fmt.Sprintf("added-%d", added)); added > 0 && !ok {
			t.Errorf("run %d (%s): the document added before the kill is lost", i, r.mode)
		}
		l.Close()
		if dirs := indexDirs(t, dir); len(dirs) != 1 {
			t.Errorf("run %d (%s): index directories after restart: %v, want one", i, r.mode, dirs)
		}
	}
}

func TestModeratorsEditTheTopicsAndARefreshReloadsThem(t *testing.T) {
	dir := t.TempDir()
	l := openLive(t, dir, shippedSet(t), nil)
	topics := filepath.Join(dir, corpus.TopicsFile)
	shipped := readFile(t, topics) // written on first start, to be edited
	if shipped != corpus.ShippedTopicsText() {
		t.Fatalf("%s does not start as the shipped thesaurus", topics)
	}
	search := func(text string) int {
		res, err := l.Search(context.Background(), Query{Command: Issue, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Hits)
	}
	if n := search("aquaculture"); n != 0 {
		t.Fatalf("/issue aquaculture = %d hits before the edit, want 0", n)
	}

	edited := shipped + "\naquaculture: aquaculture, seafood\n"
	if err := os.WriteFile(topics, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Refresh(context.Background(), "discord:7", nil); err != nil {
		t.Fatalf("Refresh = %v", err)
	}
	if n := search("aquaculture"); n == 0 {
		t.Errorf("/issue aquaculture found nothing after the edit and a refresh")
	}
	if th := l.Thesaurus(); th == nil || len(th.Topics) == 0 || th.Topics[len(th.Topics)-1].Label != "aquaculture" {
		t.Errorf("Thesaurus() does not show the edited topics")
	}

	// A broken file is refused by a refresh, which changes nothing.
	if err := os.WriteFile(topics, []byte("no colon on this line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := l.Meta()
	_, err := l.Refresh(context.Background(), "discord:7", nil)
	if msg, ok := corpus.UserMessage(err); !ok || !strings.Contains(msg, "Line 1") {
		t.Errorf("Refresh with a broken topics file = %v, want a sentence naming the line", err)
	}
	if l.Meta() != before || search("aquaculture") == 0 {
		t.Errorf("a refused refresh changed what is served")
	}
}

func TestEveryRebuildIsReported(t *testing.T) {
	var mu sync.Mutex
	var got []error
	opts := LiveOptions{BatchSize: 5, OnRebuild: func(d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if d <= 0 {
			t.Errorf("OnRebuild got duration %v", d)
		}
		got = append(got, err)
	}}
	l, err := OpenLive(context.Background(), t.TempDir(), shippedSet(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	file := Source{Name: "harbour.md", Data: []byte(corpustest.Article(7, 3))}
	if _, err := l.Add(context.Background(), file, "shell:ann", nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0] != nil || got[1] != nil {
		t.Errorf("OnRebuild saw %v, want two successful rebuilds (the first start, the add)", got)
	}
}
