package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"visitbot/corpus"
)

// shipped builds the in-memory index of the shipped corpus once per test.
func shipped(t testing.TB) *Index {
	t.Helper()
	set, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(context.Background(), set, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestSearchAnswersEachCommandOnTheShippedCorpus(t *testing.T) {
	ix := shipped(t)
	tests := []struct {
		line string
		want string // a substring of one of the first three passages; "" wants none
	}{
		{"/issue seafood", "China’s ban on Japanese seafood in response"},
		{"/who Wang Yi", "Wang Yi, his Chinese counterpart"},
		{"/ask why did China ban Japanese seafood?", "ban on Japanese seafood"},
		{"/issue Fukushima", "Fukushima"},
		// Only the stripped donation pitch ever said this.
		{"/issue climate change", ""},
		{"/ask how can I donate?", ""},
		{"/who Kim Jong Un", ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			q, err := ParseCommand(tt.line)
			if err != nil {
				t.Fatal(err)
			}
			res, err := ix.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(res.Hits) != 0 {
					t.Errorf("Search(%q) = %d hits, first %q; want none", tt.line, len(res.Hits), res.Hits[0].Passage.Text)
				}
				return
			}
			for _, h := range res.Hits {
				if strings.Contains(h.Passage.Text, tt.want) {
					return
				}
			}
			t.Errorf("Search(%q): no passage of %d contains %q", tt.line, len(res.Hits), tt.want)
		})
	}
}

func TestHitsQuoteVerbatimAndMarkTheMatchedWords(t *testing.T) {
	ix := shipped(t)
	res, err := ix.Search(context.Background(), Query{Command: Issue, Text: "seafood ban"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 {
		t.Fatal("no hits")
	}
	for _, h := range res.Hits {
		p, d, ok := ix.Passage(h.Passage.ID)
		if !ok || p.Text != h.Passage.Text || d != h.Doc {
			t.Errorf("hit %s is not the corpus passage verbatim", h.Passage.ID)
		}
		if len(h.Highlights) == 0 {
			t.Errorf("hit %s has no highlights", h.Passage.ID)
		}
		for _, s := range h.Highlights {
			word := strings.ToLower(h.Passage.Text[s.Start:s.End])
			if word != "seafood" && word != "ban" && word != "seafood ban" {
				t.Errorf("hit %s highlights %q, want seafood, ban or both together", h.Passage.ID, word)
			}
		}
	}
}

func TestUserTextIsNeverQuerySyntax(t *testing.T) {
	ix := shipped(t)
	for _, text := range []string{"+title:x -foo", "*", "seafood^100", `"unclosed`, "kind:summary", "a AND b OR NOT c", "(((", "~2", "/regex.*/"} {
		res, err := ix.Search(context.Background(), Query{Command: Ask, Text: text})
		if err != nil {
			t.Errorf("Search(%q) = %v, want words searched as words", text, err)
			continue
		}
		for _, h := range res.Hits {
			if h.Doc.Kind == corpus.KindSummary && text == "kind:summary" && !strings.Contains(strings.ToLower(h.Passage.Text), "kind") {
				t.Errorf("Search(%q) applied a field filter", text)
			}
		}
	}
	res, err := ix.Search(context.Background(), Query{Command: Issue, Text: "+seafood -ban^9"})
	if err != nil || len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Passage.Text, "seafood ban") {
		t.Errorf(`Search("+seafood -ban^9") = %d hits, %v; want the seafood-ban passages (the operators are punctuation)`, len(res.Hits), err)
	}
}

func TestBadQueriesAreRefusedWithOneSentence(t *testing.T) {
	ix := shipped(t)
	tests := []struct {
		q    Query
		want error
	}{
		{Query{Command: Issue, Text: ""}, ErrEmptyQuery},
		{Query{Command: Who, Text: " \t\n"}, ErrEmptyQuery},
		{Query{Command: "weather", Text: "rain"}, ErrUnknownCommand},
		{Query{Command: Ask, Text: strings.Repeat("why ", 100)}, ErrQueryTooLong},
	}
	for _, tt := range tests {
		_, err := ix.Search(context.Background(), tt.q)
		if !errors.Is(err, tt.want) {
			t.Errorf("Search(%+v) = %v, want %v", tt.q, err, tt.want)
		}
		if msg, ok := corpus.UserMessage(err); !ok || msg == "" {
			t.Errorf("Search(%+v): %v has no user message", tt.q, err)
		}
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line    string
		want    Query
		wantErr error
	}{
		{"/issue seafood", Query{Command: Issue, Text: "seafood"}, nil},
		{"  /WHO   Wang Yi ", Query{Command: Who, Text: "Wang Yi"}, nil},
		{"ask why?", Query{Command: Ask, Text: "why?"}, nil},
		{"", Query{}, ErrNoCommand},
		{"/", Query{}, ErrNoCommand},
		{"/weather rain", Query{}, ErrUnknownCommand},
		{"/issue", Query{}, ErrEmptyQuery},
		{"/issue    ", Query{}, ErrEmptyQuery},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.line)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("ParseCommand(%q) error = %v, want %v", tt.line, err, tt.wantErr)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestPagingWalksThroughAllRelevantPassages(t *testing.T) {
	ix := shipped(t)
	first, err := ix.Search(context.Background(), Query{Command: Issue, Text: "Japan", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if first.Total <= 2 {
		t.Fatalf("Total = %d, want more than a page", first.Total)
	}
	seen := map[string]bool{}
	for off := 0; off < first.Total; off += 2 {
		res, err := ix.Search(context.Background(), Query{Command: Issue, Text: "Japan", Limit: 2, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if seen[h.Passage.ID] {
				t.Errorf("offset %d repeats %s", off, h.Passage.ID)
			}
			seen[h.Passage.ID] = true
		}
	}
	if len(seen) != first.Total {
		t.Errorf("paging saw %d passages, Total says %d", len(seen), first.Total)
	}
}

func TestOnDiskIndexReopensAndKnowsWhenItIsStale(t *testing.T) {
	set, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "idx")
	var progress []int
	ix, err := Build(context.Background(), set, BuildOptions{Dir: dir, BatchSize: 5, Progress: func(done, total int) { progress = append(progress, done) }})
	if err != nil {
		t.Fatal(err)
	}
	if n := ix.Len(); len(progress) == 0 || progress[len(progress)-1] != n || len(progress) < n/5 {
		t.Errorf("progress = %v for %d passages in batches of 5", progress, n)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix, err = Open(dir, set)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	res, err := ix.Search(context.Background(), Query{Command: Issue, Text: "seafood"})
	if err != nil || len(res.Hits) == 0 {
		t.Errorf("reopened index: %d hits, %v", len(res.Hits), err)
	}
	ix.Close()

	changed := corpus.Set{Docs: set.Docs[:1], Thesaurus: set.Thesaurus}
	if _, err := Open(dir, changed); !errors.Is(err, ErrStale) {
		t.Errorf("Open with another corpus = %v, want ErrStale", err)
	}
	if _, err := Open(dir, corpus.Set{Docs: set.Docs}); !errors.Is(err, ErrStale) {
		t.Errorf("Open with another thesaurus = %v, want ErrStale", err)
	}
	if _, err := Build(context.Background(), set, BuildOptions{Dir: dir}); err == nil {
		t.Errorf("Build over an existing index succeeded")
	}
}

func TestBuildStopsWhenCancelled(t *testing.T) {
	set, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := filepath.Join(t.TempDir(), "idx")
	if _, err := Build(ctx, set, BuildOptions{Dir: dir}); !errors.Is(err, context.Canceled) {
		t.Errorf("Build with a cancelled context = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a cancelled build left %s behind", dir)
	}
}

// The eval floors: the dev set (../shared/eval/dev.jsonl) and a second set
// written blind to the code (testdata/extra.jsonl), so that quality cannot
// silently regress on either.
func TestEvalStaysAboveTheFloor(t *testing.T) {
	tests := []struct {
		name, path string
		hit1, none float64
	}{
		{"dev", filepath.Join("..", "..", "shared", "eval", "dev.jsonl"), 0.90, 0.90},
		{"extra", filepath.Join("testdata", "extra.jsonl"), 0.88, 0.95},
	}
	ix := shipped(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(tt.path)
			if err != nil {
				t.Fatalf("the %s set: %v", tt.name, err)
			}
			defer f.Close()
			cases, err := ReadEvalCases(f)
			if err != nil {
				t.Fatal(err)
			}
			scores, outcomes, err := ix.Evaluate(context.Background(), cases)
			if err != nil {
				t.Fatal(err)
			}
			all := scores[len(scores)-1]
			t.Logf("%s: %s", tt.name, all)
			if all.HitAt1 < tt.hit1 || all.None < tt.none {
				for _, o := range outcomes {
					if !o.Pass() {
						t.Logf("miss: %s %s %q rank=%d hits=%d", o.Case.ID, o.Case.Command, o.Case.Query, o.Rank, o.Hits)
					}
				}
				t.Errorf("%s eval %s, want hit@1 ≥ %.2f and none ≥ %.2f", tt.name, all, tt.hit1, tt.none)
			}
		})
	}
}

func TestSuggestRanksPrefixThenWordThenSubstring(t *testing.T) {
	docs := []*corpus.Document{{
		ID: "t", Kind: corpus.KindArticle, Title: "T",
		Passages: []corpus.Passage{
			{ID: "t#1", Doc: "t", Paragraph: 1, Text: "One.", People: []string{"Wang Yi", "Li Qiang"}},
			{ID: "t#2", Doc: "t", Paragraph: 2, Text: "Two.", People: []string{"Wang Yi", "Takeshi Iwaya"}},
			{ID: "t#3", Doc: "t", Paragraph: 3, Text: "Three.", People: []string{"Edwang Smith"}},
		},
	}}
	ix, err := Build(context.Background(), corpus.Set{Docs: docs}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	tests := []struct {
		in   string
		want string
	}{
		{"", "Wang Yi|Edwang Smith|Li Qiang|Takeshi Iwaya"},
		{"wa", "Wang Yi|Edwang Smith|Takeshi Iwaya"},
		{"qi", "Li Qiang"},
		{"i", "Takeshi Iwaya|Wang Yi|Edwang Smith|Li Qiang"},
		{"iw", "Takeshi Iwaya"},
		{"zz", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(ix.Suggest(People, tt.in, 25), "|"); got != tt.want {
			t.Errorf("Suggest(people, %q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := ix.Suggest(People, "", 2); len(got) != 2 {
		t.Errorf("Suggest with n=2 gave %d", len(got))
	}
}
