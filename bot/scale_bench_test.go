package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus/corpustest"
	"visitbot/index"
)

// The handler at scale: interaction in, Discord response out, in process,
// over synthetic corpora of 1k, 10k and 100k passages (the same seed and
// sizes as index's BenchmarkBare, the bare Bleve baseline). Run with
//
//	go test -run '^$' -bench Handler -benchtime 2000x -timeout 60m ./bot

var (
	scaleMu   sync.Mutex
	scaleIdx  = map[int]*index.Index{}
	scaleQs   = map[int]map[string][]string{}
	scaleSize = []int{1_000, 10_000, 100_000}
)

func scaleFixture(b *testing.B, n int) (*index.Index, map[string][]string) {
	b.Helper()
	scaleMu.Lock()
	defer scaleMu.Unlock()
	if ix, ok := scaleIdx[n]; ok {
		return ix, scaleQs[n]
	}
	set, err := corpustest.Synthetic(1, n)
	if err != nil {
		b.Fatal(err)
	}
	ix, err := index.Build(context.Background(), set, index.BuildOptions{Dir: b.TempDir() + "/idx"})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	var people, words, topics []string
	for _, d := range set.Docs {
		for _, p := range d.People {
			people = append(people, p.Name)
		}
		f := strings.Fields(d.Passages[0].Text)
		words = append(words, strings.Trim(f[r.IntN(len(f))], ".,“”\""))
	}
	for _, t := range set.Thesaurus.Topics {
		topics = append(topics, t.Phrases...)
	}
	qs := map[string][]string{}
	for range 200 {
		qs["issue"] = append(qs["issue"], topics[r.IntN(len(topics))])
		qs["who"] = append(qs["who"], people[r.IntN(len(people))])
		p := people[r.IntN(len(people))]
		qs["ask"] = append(qs["ask"], fmt.Sprintf("what did %s say about %s?", p[strings.LastIndex(p, " ")+1:], words[r.IntN(len(words))]))
		qs["autocomplete"] = append(qs["autocomplete"], p[:1+r.IntN(3)])
	}
	scaleIdx[n], scaleQs[n] = ix, qs
	return ix, qs
}

func BenchmarkHandler(b *testing.B) {
	option := map[string]string{"issue": "topic", "who": "name", "ask": "question"}
	for _, n := range scaleSize {
		for _, cmd := range []string{"issue", "who", "ask", "autocomplete"} {
			b.Run(fmt.Sprintf("cmd=%s/passages=%d", cmd, n), func(b *testing.B) {
				ix, qs := scaleFixture(b, n)
				bot := New(Options{DeferAfter: never})
				bot.SetSearcher(ix)
				ctx := context.Background()
				lat := make([]time.Duration, 0, b.N)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					var in *discordgo.Interaction
					if cmd == "autocomplete" {
						in = autocompleteFor("who", "name", qs[cmd][i%len(qs[cmd])])
					} else {
						in = command("1100000000000000100", cmd, stringOpt(option[cmd], qs[cmd][i%len(qs[cmd])]))
					}
					start := time.Now()
					bot.serve(ctx, in, discard{})
					lat = append(lat, time.Since(start))
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			})
		}
	}
}
