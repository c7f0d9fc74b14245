package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus"
	"visitbot/index"
)

// TestMain fails the package if goroutines of the bot, discordgo or HTTP
// connections outlive the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(3 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "leaked goroutines:\n%s\n", leaked)
			code = 1
		}
	}
	if shipped.ix != nil {
		shipped.ix.Close()
	}
	os.Exit(code)
}

func leakedGoroutines(wait time.Duration) string {
	suspects := []string{"visitbot/bot.", "bwmarrin/discordgo", "gorilla/websocket", "net/http.(*conn).serve"}
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "leakedGoroutines") {
				continue
			}
			for _, s := range suspects {
				if strings.Contains(g, s) {
					leaked = append(leaked, g)
					break
				}
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(50 * time.Millisecond) // polling for exit, not synchronising a test
	}
}

// shipped is the index of the shipped corpus, built once: it is read-only.
var shipped struct {
	once sync.Once
	ix   *index.Index
	err  error
}

func shippedIndex(t testing.TB) *index.Index {
	t.Helper()
	shipped.once.Do(func() {
		set, err := corpus.Shipped()
		if err != nil {
			shipped.err = err
			return
		}
		shipped.ix, shipped.err = index.Build(context.Background(), set, index.BuildOptions{})
	})
	if shipped.err != nil {
		t.Fatalf("building the shipped index: %v", shipped.err)
	}
	return shipped.ix
}

// smallCorpus is a corpus of our own whose passages carry people and
// topics, for autocomplete and coverage.
func smallCorpus() []*corpus.Document {
	d := &corpus.Document{
		ID:          "test-visit",
		Title:       "Foreign minister visits Beijing",
		Publication: "The Test Gazette",
		Byline:      "A. Writer",
		Published:   time.Date(2024, 12, 25, 0, 0, 0, 0, time.UTC),
		URL:         "https://example.com/news/visit",
		Kind:        corpus.KindArticle,
		Standfirst:  "Talks on seafood and security.",
	}
	texts := []struct {
		text    string
		people  []string
		topics  []string
		section int
	}{
		{"Talks on seafood and security.", nil, []string{"seafood ban"}, 0},
		{"Takeshi Iwaya met Wang Yi in Beijing on Wednesday.", []string{"Takeshi Iwaya", "Wang Yi"}, []string{"diplomacy"}, 1},
		{"Wang Yi said the seafood ban would be eased after sampling.", []string{"Wang Yi"}, []string{"seafood ban", "Fukushima wastewater"}, 2},
		{"Li Qiang urged a positive direction for relations.", []string{"Li Qiang"}, []string{"diplomacy"}, 3},
		{"Military activity near Taiwan worried Tokyo.", nil, []string{"military activity", "Taiwan"}, 4},
		{"Wang Huning did not attend.", []string{"Wang Huning"}, nil, 5},
	}
	for i, tx := range texts {
		d.Passages = append(d.Passages, corpus.Passage{
			ID: fmt.Sprintf("%s#%d", d.ID, i+1), Doc: d.ID, Paragraph: tx.section,
			Text: tx.text, People: tx.people, Topics: tx.topics,
		})
	}
	return []*corpus.Document{d}
}

func smallIndex(t testing.TB) *index.Index {
	t.Helper()
	ix, err := index.Build(context.Background(), corpus.Set{Docs: smallCorpus()}, index.BuildOptions{})
	if err != nil {
		t.Fatalf("building the small index: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// gate is a Searcher whose searches wait until the test opens it, so a test
// can hold a handler past the defer budget without sleeping.
type gate struct {
	Searcher
	entered chan struct{} // receives once per search that started
	open    chan struct{}
}

func newGate(s Searcher) *gate {
	return &gate{Searcher: s, entered: make(chan struct{}, 16), open: make(chan struct{})}
}

func (g *gate) Search(ctx context.Context, q index.Query) (index.Result, error) {
	g.entered <- struct{}{}
	select {
	case <-g.open:
	case <-ctx.Done():
		return index.Result{}, ctx.Err()
	}
	return g.Searcher.Search(ctx, q)
}

// logBuffer collects log output safely from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newTestBot(t testing.TB, s Searcher, deferAfter time.Duration) (*Bot, *logBuffer) {
	t.Helper()
	return botWith(t, s, Options{DeferAfter: deferAfter})
}

// botWith is newTestBot with options o; their logger is replaced by
// one that writes every level to the returned buffer.
func botWith(t testing.TB, s Searcher, o Options) (*Bot, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := New(o)
	if s != nil {
		b.SetSearcher(s)
	}
	return b, logs
}

// fakeClock is a clock tests move by hand: no test waits for real time to
// pass a rate limit or a freshness window.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testContext is the test's context with a deadline, so that a broken wait
// fails the test instead of hanging it.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// never is a defer budget no test reaches: answers come as callbacks.
const never = time.Hour

// responseText gathers the visible text of a response: content, embed
// authors, descriptions and footers.
func responseText(d *discordgo.InteractionResponseData) string {
	if d == nil {
		return ""
	}
	return messageText(d.Content, d.Embeds)
}

func messageText(content string, embeds []*discordgo.MessageEmbed) string {
	parts := []string{content}
	for _, e := range embeds {
		if e.Author != nil {
			parts = append(parts, e.Author.Name)
		}
		parts = append(parts, e.Title, e.Description)
		for _, f := range e.Fields {
			parts = append(parts, f.Name, f.Value)
		}
		if e.Footer != nil {
			parts = append(parts, e.Footer.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// customIDs lists the custom_ids of the buttons in components.
func customIDs(cs []discordgo.MessageComponent) []string {
	var out []string
	for _, c := range cs {
		switch c := c.(type) {
		case discordgo.ActionsRow:
			out = append(out, customIDs(c.Components)...)
		case *discordgo.ActionsRow:
			out = append(out, customIDs(c.Components)...)
		case discordgo.Button:
			out = append(out, c.CustomID)
		case *discordgo.Button:
			out = append(out, c.CustomID)
		}
	}
	return out
}

// unescape undoes escapeMarkdown and the mention guard, for checks on the
// text a user sees.
func unescape(s string) string {
	s = strings.ReplaceAll(s, zwsp, "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// seafoodBan is the article paragraph /issue seafood must quote.
const seafoodBan = "China’s ban on Japanese seafood"
