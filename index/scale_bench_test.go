package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"visitbot/corpus"
	"visitbot/corpus/corpustest"
)

// The benchmarks at scale: run them with
//
//	go test -run '^$' -bench 'Build|Search|Bare|Suggest|Open' -benchtime 2000x -timeout 60m ./index
//
// (see BENCHMARKS.md). Each size's synthetic corpus is generated and built
// once per process and shared.

var sizes = []int{1_000, 10_000, 100_000}

type fixture struct {
	set     corpus.Set
	dir     string
	ix      *Index
	queries map[Command][]string
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[int]*fixture{}
	benchRoot  string
)

func fixtureFor(b *testing.B, n int) *fixture {
	b.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f, ok := fixtures[n]; ok {
		return f
	}
	if benchRoot == "" {
		var err error
		if benchRoot, err = os.MkdirTemp("", "visitbot-bench-"); err != nil {
			b.Fatal(err)
		}
	}
	set, err := corpustest.Synthetic(1, n)
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(benchRoot, fmt.Sprintf("idx-%d", n))
	ix, err := Build(context.Background(), set, BuildOptions{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	f := &fixture{set: set, dir: dir, ix: ix, queries: benchQueries(set)}
	fixtures[n] = f
	return f
}

// TestMain removes the shared benchmark indexes.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range fixtures {
		if f.ix != nil {
			f.ix.Close()
		}
	}
	if benchRoot != "" {
		os.RemoveAll(benchRoot)
	}
	os.Exit(code)
}

// benchQueries draws realistic queries from the corpus itself: topic words
// for /issue, the people it names for /who, questions mixing a person and a
// word of the text for /ask.
func benchQueries(set corpus.Set) map[Command][]string {
	r := rand.New(rand.NewPCG(7, 7))
	var people, words []string
	for _, d := range set.Docs {
		for _, p := range d.People {
			people = append(people, p.Name)
		}
		for _, p := range d.Passages[:2] {
			f := strings.Fields(p.Text)
			words = append(words, strings.Trim(f[r.IntN(len(f))], ".,“”\""))
		}
	}
	var topics []string
	for _, t := range set.Thesaurus.Topics {
		topics = append(topics, t.Phrases...)
	}
	q := map[Command][]string{}
	for range 200 {
		q[Issue] = append(q[Issue], topics[r.IntN(len(topics))])
		q[Who] = append(q[Who], people[r.IntN(len(people))])
		p := people[r.IntN(len(people))]
		q[Ask] = append(q[Ask], fmt.Sprintf("what did %s say about %s?", p[strings.LastIndex(p, " ")+1:], words[r.IntN(len(words))]))
	}
	return q
}

// latencies records each operation's duration and reports p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(l[len(l)*99/100].Microseconds()), "p99-µs")
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("passages=%d", n), func(b *testing.B) {
			set := fixtureFor(b, n).set
			passages := 0
			for _, d := range set.Docs {
				passages += len(d.Passages)
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				ix, err := Build(context.Background(), set, BuildOptions{Dir: filepath.Join(b.TempDir(), "idx")})
				if err != nil {
					b.Fatal(err)
				}
				ix.Close()
			}
			b.ReportMetric(float64(passages)*float64(b.N)/b.Elapsed().Seconds(), "passages/s")
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	benchLatency(b, func(ctx context.Context, f *fixture, cmd Command, text string) error {
		_, err := f.ix.Search(ctx, Query{Command: cmd, Text: text})
		return err
	})
}

// BenchmarkBare is the baseline a plain implementation would have: the same
// queries as one Bleve match query on the text with highlighting.
func BenchmarkBare(b *testing.B) {
	benchLatency(b, func(ctx context.Context, f *fixture, _ Command, text string) error {
		_, err := bareSearch(ctx, f.ix.bleve, text)
		return err
	})
}

// benchLatency runs search over each size's queries for each command and
// reports p50 and p99.
func benchLatency(b *testing.B, search func(context.Context, *fixture, Command, string) error) {
	for _, n := range sizes {
		for _, cmd := range Commands {
			b.Run(fmt.Sprintf("cmd=%s/passages=%d", cmd, n), func(b *testing.B) {
				f := fixtureFor(b, n)
				qs := f.queries[cmd]
				lat := make(latencies, 0, b.N)
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					start := time.Now()
					if err := search(ctx, f, cmd, qs[i%len(qs)]); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
				}
				lat.report(b)
			})
		}
	}
}

func bareSearch(ctx context.Context, bi bleve.Index, text string) (*bleve.SearchResult, error) {
	mq := bleve.NewMatchQuery(text)
	mq.SetField(fieldText)
	req := bleve.NewSearchRequestOptions(mq, DefaultLimit, 0, false)
	req.Highlight = bleve.NewHighlight()
	req.Highlight.AddField(fieldText)
	return bi.SearchInContext(ctx, req)
}

func BenchmarkSuggest(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("passages=%d", n), func(b *testing.B) {
			f := fixtureFor(b, n)
			people := f.queries[Who]
			lat := make(latencies, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				p := people[i%len(people)]
				start := time.Now()
				f.ix.Suggest(People, p[:1+i%3], MaxSuggestions)
				lat = append(lat, time.Since(start))
			}
			lat.report(b)
		})
	}
}

// BenchmarkOpen opens the built 100k index as a restart would, and reports
// the Go heap it holds (the process's resident memory is measured by the
// cmd/visitbot benchmarks, in a process of its own).
func BenchmarkOpen(b *testing.B) {
	f := fixtureFor(b, 100_000)
	if err := f.ix.Close(); err != nil {
		b.Fatal(err)
	}
	f.ix = nil
	var ix *Index
	for b.Loop() {
		if ix != nil {
			ix.Close()
		}
		var err error
		if ix, err = Open(f.dir, f.set); err != nil {
			b.Fatal(err)
		}
	}
	f.ix = ix
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
}
