package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus"
	"visitbot/corpus/corpustest"
	"visitbot/index"
)

// The load tests drive the real HTTP interactions endpoint over loopback:
// 50 clients send Ed25519-signed /issue, /who, /ask and autocomplete
// requests for a fixed time (3 s; 1 s with -short) against the shipped
// corpus, and every answer is checked. The bot runs as visitbot serve runs
// it: default defer budget and deadline, metrics on, and the default rate
// limits on. Each request comes from a user of its own in a DM, so the
// limiter creates (and sweeps) a bucket per request without refusing any.
//
// The figures are printed with t.Logf (go test -v -run Load ./bot); the
// bounds asserted are: no errors, every answer right, none later than 3 s.

const (
	loadClients = 50
	loadWindow  = 3 * time.Second // Discord's limit for the first response
	maxRequests = 200_000         // a bound on the loop besides time
	// loadOvertime bounds how long a load waits past its time for the
	// changes it runs under.
	loadOvertime = 10 * time.Second
)

// loadKind is one kind of request the clients send, and what its answer
// must say.
type loadKind struct {
	name  string
	i     func() *discordgo.Interaction
	check func(resp *discordgo.InteractionResponse) error
}

func loadKinds() []loadKind {
	has := func(want string) func(*discordgo.InteractionResponse) error {
		return func(resp *discordgo.InteractionResponse) error {
			if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data == nil {
				return fmt.Errorf("response type %d, want a message", resp.Type)
			}
			if text := seen(responseText(resp.Data)); !strings.Contains(text, want) || strings.Contains(text, "Nothing in these") {
				return fmt.Errorf("the answer does not quote %q: %.200s", want, text)
			}
			return nil
		}
	}
	choices := func(resp *discordgo.InteractionResponse) error {
		if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult || resp.Data == nil || len(resp.Data.Choices) == 0 {
			return fmt.Errorf("response type %d, want choices", resp.Type)
		}
		return nil
	}
	return []loadKind{
		{"/issue seafood", func() *discordgo.Interaction { return command("", "issue", stringOpt("topic", "seafood")) }, has(seafoodBan)},
		{"/who Wang Yi", func() *discordgo.Interaction { return command("", "who", stringOpt("name", "Wang Yi")) }, has("Wang Yi")},
		{"/ask", func() *discordgo.Interaction {
			return command("", "ask", stringOpt("question", "why did China ban Japanese seafood?"))
		}, has("seafood")},
		{"autocomplete /who", func() *discordgo.Interaction { return autocompleteFor("who", "name", "wa") }, choices},
		{"autocomplete /issue", func() *discordgo.Interaction { return autocompleteFor("issue", "topic", "sea") }, choices},
	}
}

// loadRun is one load test's endpoint and tallies.
type loadRun struct {
	t     *testing.T
	url   string
	c     *http.Client
	priv  ed25519.PrivateKey
	kinds []loadKind

	ids atomic.Int64

	mu        sync.Mutex
	latencies []time.Duration
	perKind   map[string]int
	errs      []string
	deferred  map[string]loadKind // by interaction token: to be answered by a webhook edit
	deferrals int                 // how many were deferred
	edits     map[string][]byte   // webhook edits by interaction token
	editCame  chan struct{}
}

type loadResult struct {
	requests, errors, deferred int
	p50, p99, max              time.Duration
	perSecond                  float64
	elapsed                    time.Duration
	perKind                    map[string]int
}

// startLoad serves the endpoint for b on loopback, with a fake interaction
// webhook for deferred answers.
func startLoad(t *testing.T, b *Bot) *loadRun {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	l := &loadRun{t: t, priv: priv, kinds: loadKinds(), perKind: map[string]int{},
		deferred: map[string]loadKind{}, edits: map[string][]byte{}, editCame: make(chan struct{}, 1)}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		parts := strings.Split(r.URL.Path, "/") // /api/v10/webhooks/{app}/{token}/messages/@original
		if len(parts) > 5 {
			l.mu.Lock()
			l.edits[parts[5]] = body
			l.mu.Unlock()
			select {
			case l.editCame <- struct{}{}:
			default:
			}
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"1320000000000000999"}`)
	}))
	t.Cleanup(hook.Close)
	srv := NewHTTPServer(b, HTTPOptions{PublicKey: pub, Webhook: &Webhook{Client: hook.Client(), BaseURL: hook.URL + "/api/v10"}})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Wait()
	})
	tr := ts.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = loadClients
	l.url, l.c = ts.URL, &http.Client{Transport: tr, Timeout: 10 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	return l
}

// one sends one request of kind k and checks its answer.
func (l *loadRun) one(ctx context.Context, k loadKind) {
	n := l.ids.Add(1)
	i := k.i()
	i.ID = strconv.FormatInt(1330000000000000000+n, 10)
	i.AppID, i.Version = "1100000000000000001", 1
	i.Token = "load-token-" + strconv.FormatInt(n, 10)
	i.User = &discordgo.User{ID: strconv.FormatInt(1060000000000000000+n, 10), Username: "load"}
	body, err := json.Marshal(i)
	if err != nil {
		l.fail(k, err.Error())
		return
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.url+"/interactions", bytes.NewReader(body))
	if err != nil {
		l.fail(k, err.Error())
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(l.priv, append([]byte(ts), body...))))
	start := time.Now()
	resp, err := l.c.Do(req)
	if err != nil {
		l.fail(k, err.Error())
		return
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusOK {
		l.fail(k, fmt.Sprintf("status %d, %v: %.200s", resp.StatusCode, err, out))
		return
	}
	r, err := decodeResponse(out)
	if err != nil {
		l.fail(k, err.Error())
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.latencies = append(l.latencies, took)
	l.perKind[k.name]++
	if r.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
		l.deferred[i.Token] = k // checked once the edit has come
		l.deferrals++
		return
	}
	if err := k.check(r); err != nil {
		l.errs = append(l.errs, k.name+": "+err.Error())
	}
}

func (l *loadRun) fail(k loadKind, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, k.name+": "+msg)
}

// run sends requests from loadClients clients for d and, when until is
// not nil, until it is closed too (at most loadOvertime longer), then
// checks the answers of deferred requests, and returns the figures.
func (l *loadRun) run(d time.Duration, until <-chan struct{}) loadResult {
	ctx := testContext(l.t)
	start := time.Now()
	stop, hardStop := start.Add(d), start.Add(d+loadOvertime)
	if until == nil {
		c := make(chan struct{})
		close(c)
		until = c
	}
	more := func() bool {
		now := time.Now()
		if now.Before(stop) {
			return true
		}
		select {
		case <-until:
			return false
		default:
			return now.Before(hardStop)
		}
	}
	var wg sync.WaitGroup
	var sent atomic.Int64
	for c := range loadClients {
		wg.Go(func() {
			for n := c; more() && sent.Add(1) <= maxRequests; n++ {
				l.one(ctx, l.kinds[n%len(l.kinds)])
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	l.checkDeferred(ctx)

	l.mu.Lock()
	defer l.mu.Unlock()
	lat := slices.Clone(l.latencies)
	slices.Sort(lat)
	res := loadResult{requests: len(lat), errors: len(l.errs), deferred: l.deferrals, perKind: l.perKind, elapsed: elapsed}
	if len(lat) > 0 {
		res.p50, res.p99, res.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
		res.perSecond = float64(len(lat)) / elapsed.Seconds()
	}
	for _, e := range l.errs[:min(len(l.errs), 10)] {
		l.t.Errorf("error: %s", e)
	}
	return res
}

// checkDeferred waits (until ctx ends) for the webhook edit of every
// deferred request and checks it as it would check a direct answer.
func (l *loadRun) checkDeferred(ctx context.Context) {
	for {
		l.mu.Lock()
		missing := 0
		for token, k := range l.deferred {
			body, ok := l.edits[token]
			if !ok {
				missing++
				continue
			}
			var e struct {
				Content string                    `json:"content"`
				Embeds  []*discordgo.MessageEmbed `json:"embeds"`
			}
			json.Unmarshal(body, &e)
			resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: e.Content, Embeds: e.Embeds}}
			if err := k.check(resp); err != nil {
				l.errs = append(l.errs, k.name+" (deferred): "+err.Error())
			}
			delete(l.deferred, token)
		}
		l.mu.Unlock()
		if missing == 0 {
			return
		}
		select {
		case <-l.editCame:
		case <-ctx.Done():
			l.t.Errorf("%d deferred requests never got their answer", missing)
			return
		}
	}
}

func (r loadResult) report(t *testing.T, what string) {
	t.Helper()
	t.Logf("%s: %d requests answered in %s by %d clients (%.0f/s), %d errors, %d deferred; latency p50 %v, p99 %v, max %v; per kind %v; GOMAXPROCS %d",
		what, r.requests, r.elapsed.Round(10*time.Millisecond), loadClients, r.perSecond, r.errors, r.deferred,
		r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.max.Round(10*time.Microsecond), r.perKind, runtime.GOMAXPROCS(0))
	if r.requests == 0 {
		t.Error("no request was answered")
	}
	if r.max > loadWindow {
		t.Errorf("the slowest first response took %v, past Discord's %v", r.max, loadWindow)
	}
}

func loadDuration() time.Duration {
	if testing.Short() {
		return time.Second
	}
	return 3 * time.Second
}

func loadBot(t *testing.T, s Searcher, m *Metrics) *Bot {
	t.Helper()
	b, _ := botWith(t, s, Options{Limits: DefaultLimits(), Metrics: m, DeferAfter: DefaultDeferAfter})
	return b
}

func TestLoadHTTPEndpoint(t *testing.T) {
	m := NewMetrics()
	b := loadBot(t, shippedIndex(t), m)
	l := startLoad(t, b)
	res := l.run(loadDuration(), nil)
	res.report(t, "steady index")

	// The metrics saw every request: one ok per answer, none refused. An
	// interaction is counted when its handler returns, just after its reply
	// has gone, so read until the handlers in flight are done (bounded).
	text := scrapeSettled(t, l.c, l.url)
	total := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "visitbot_interactions_total{") {
			n, _ := strconv.Atoi(line[strings.LastIndexByte(line, ' ')+1:])
			total += n
			if n > 0 && !strings.Contains(line, `outcome="ok"`) {
				t.Errorf("metrics count a failure: %s", line)
			}
		}
	}
	if total != res.requests {
		t.Errorf("metrics count %d interactions, the clients %d", total, res.requests)
	}
}

func TestLoadHTTPEndpointWhileTheIndexIsSwapped(t *testing.T) {
	const maxBuilds, maxSwaps = 100, 20_000
	set, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	// Swap in a freshly built index of the shipped corpus, again and again,
	// until the load is over: up to maxBuilds fresh ones, then (to bound
	// memory) those again, one a millisecond. Old indexes stay open until
	// the end (closed after the server has stopped): with SetSearcher the
	// caller owns their lifetime, while index.Live closes each once its
	// last search is done (TestLoadHTTPEndpointWhileTheLiveIndexChanges,
	// and index's own tests).
	var built []*index.Index
	t.Cleanup(func() {
		for _, ix := range built {
			ix.Close()
		}
	})
	b := loadBot(t, shippedIndex(t), NewMetrics())
	l := startLoad(t, b)
	stop, done := make(chan struct{}), make(chan struct{})
	var swaps atomic.Int64
	go func() {
		defer close(done)
		pace := time.NewTicker(time.Millisecond) // paces swaps once the builds are done
		defer pace.Stop()
		for n := 0; n < maxSwaps; n++ {
			select {
			case <-stop:
				return
			default:
			}
			// Memory bounds the fresh builds; past them, swap among those.
			var ix *index.Index
			if len(built) < maxBuilds {
				var err error
				if ix, err = index.Build(context.Background(), set, index.BuildOptions{}); err != nil {
					t.Errorf("building an index: %v", err)
					return
				}
				built = append(built, ix)
			} else {
				select {
				case <-pace.C:
				case <-stop:
					return
				}
				ix = built[n%len(built)]
			}
			b.SetSearcher(ix)
			swaps.Add(1)
		}
	}()
	res := l.run(loadDuration(), nil)
	during := swaps.Load()
	close(stop)
	<-done
	res.report(t, fmt.Sprintf("index swapped %d times (%d fresh builds)", during, len(built)))
	if during < 2 {
		t.Errorf("the index was swapped %d times during the load, want several", during)
	}
}

func TestLoadHTTPEndpointWhileTheLiveIndexChanges(t *testing.T) {
	set, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	live, err := index.OpenLive(testContext(t), t.TempDir(), set, index.LiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close() }) // after the server has stopped
	b := loadBot(t, live, NewMetrics())
	l := startLoad(t, b)

	// Moderators' changes, one after another until the load is over: add
	// an article (a file), remove it. Each builds a new index on disk beside
	// the served one and swaps it in; the old closes after its last search.
	stop, done := make(chan struct{}), make(chan struct{})
	var changes atomic.Int64
	twoDone := make(chan struct{}) // the load goes on at least until then
	var once sync.Once
	go func() {
		defer close(done)
		defer once.Do(func() { close(twoDone) })
		ctx := context.WithoutCancel(testContext(t))
		for n := 0; n < 100; n++ {
			select {
			case <-stop:
				return
			default:
			}
			c, err := live.Add(ctx, index.Source{Name: fmt.Sprintf("harbour-%d.md", n), Data: []byte(corpustest.Article(uint64(n), n))}, "load-test", nil)
			if err != nil || len(c.Added) != 1 {
				t.Errorf("adding an article: %+v, %v", c, err)
				return
			}
			changes.Add(1)
			if _, err := live.Remove(ctx, c.Added[0].ID, "load-test"); err != nil {
				t.Errorf("removing %s: %v", c.Added[0].ID, err)
				return
			}
			if changes.Add(1) == 2 {
				once.Do(func() { close(twoDone) })
			}
		}
	}()
	res := l.run(loadDuration(), twoDone)
	during := changes.Load()
	close(stop)
	<-done
	res.report(t, fmt.Sprintf("index.Live changed %d times (adding, removing an article)", during))
	if during < 2 {
		t.Errorf("the live index changed %d times during the load, want at least an add and a remove", during)
	}
}

// scrapeSettled reads /metrics once no interaction is in flight (within 10
// s): an interaction is counted when its handler returns, just after its
// reply has gone, so a scrape right after the last reply may miss it.
func scrapeSettled(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		text := scrape(t, c, url)
		if strings.Contains(text, "\nvisitbot_interactions_in_flight 0\n") || time.Now().After(deadline) {
			return text
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func scrape(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(testContext(t), http.MethodGet, url+"/metrics", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", resp.StatusCode, b)
	}
	return string(b)
}
