package index

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"visitbot/corpus"
)

// Span is a byte range of a passage's text that matched the query.
type Span struct{ Start, End int }

// Hit is one passage that answers a query.
type Hit struct {
	Passage    corpus.Passage
	Doc        *corpus.Document
	Score      float64
	Highlights []Span // sorted, not overlapping
}

// Result is the answer to a query.
type Result struct {
	Query Query
	Hits  []Hit
	// Total counts the relevant passages (capped at candidates), of which
	// Hits is the page at Query.Offset.
	Total int
	// Corrected is the query as searched when typos were corrected
	// ("seafood" for "seefood"); "" when the words were searched as typed.
	Corrected string
}

// candidates is how many Bleve hits a search considers before the relevance
// floor and paging.
const candidates = 100

// minCoverage is the share of the query's meaning (its terms weighted by
// rarity) a passage must contain to count as relevant. It is a proportion, so
// it carries over from one corpus size to another, unlike a raw score cut.
const minCoverage = 0.5

// summaryWeight scales the score of summary passages below the article
// passages they restate.
const summaryWeight = 0.6

// Search runs one query.
func (ix *Index) Search(ctx context.Context, q Query) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	res := Result{Query: q, Hits: []Hit{}}
	plan := ix.plan(q)
	if plan.query == nil {
		return res, nil
	}
	req := bleve.NewSearchRequestOptions(plan.query, candidates, 0, false)
	req.IncludeLocations = true
	req.Score = ""
	sr, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("index: search %s %q: %w", q.Command, q.Text, err)
	}
	hits := make([]Hit, 0, len(sr.Hits))
	for _, dm := range sr.Hits {
		r, ok := ix.passages[dm.ID]
		if !ok {
			continue // an index entry the corpus no longer has
		}
		cov, spans := plan.coverage(dm)
		if cov < minCoverage {
			continue
		}
		score := dm.Score * (0.5 + cov)
		if r.doc.Kind == corpus.KindSummary {
			// Primary sources first: a summary restates the article, so
			// when both match, quote the article and show the summary after.
			score *= summaryWeight
		}
		hits = append(hits, Hit{
			Passage:    r.doc.Passages[r.i],
			Doc:        r.doc,
			Score:      score,
			Highlights: spans,
		})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	res.Total = len(hits)
	lo := min(q.Offset, len(hits))
	hi := min(lo+q.limit(), len(hits))
	res.Hits = hits[lo:hi]
	if plan.corrected {
		res.Corrected = strings.Join(plan.searched, " ")
	}
	return res, nil
}

// term is one meaningful (analyzed) word of the query.
type term struct {
	text string
	idf  float64 // rarity in the corpus
}

type plan struct {
	query     query.Query
	terms     []term
	searched  []string // the words as searched, corrections applied
	corrected bool
}

// plan corrects misspelt words, analyzes the query as passages are analyzed,
// and turns each term into a term query: one Bleve request for the lot.
func (ix *Index) plan(q Query) plan {
	var p plan
	// Splice corrections into the text as typed, so the passage analyzer
	// still sees its case ("US" is an acronym, "us" a stop word).
	var text strings.Builder
	at := 0
	for _, t := range ix.bleve.Mapping().AnalyzerNamed(nameAnalyzer).Analyze([]byte(q.Text)) {
		w := string(t.Term)
		if ix.unknown(w) {
			if fixed, ok := ix.vocab.correct(w); ok {
				text.WriteString(q.Text[at:t.Start])
				text.WriteString(fixed)
				at = t.End
				w = fixed
				p.corrected = true
			}
		}
		p.searched = append(p.searched, w)
	}
	text.WriteString(q.Text[at:])
	var clauses []query.Query
	for _, w := range ix.analyze(text.String()) {
		p.terms = append(p.terms, term{text: w, idf: ix.vocab.idf(w)})
		if ix.vocab.df[w] == 0 {
			continue // nothing to find, but it still counts against coverage
		}
		tq := bleve.NewTermQuery(w)
		tq.SetField(fieldText)
		clauses = append(clauses, tq)
	}
	if len(clauses) > 0 {
		p.query = bleve.NewDisjunctionQuery(clauses...)
	}
	return p
}

// unknown reports a word worth correcting: one that is not a stop word and
// whose stem no passage has ("seefood"; not "culture", which finds
// "cultural").
func (ix *Index) unknown(w string) bool {
	terms := ix.analyzer().Analyze([]byte(w))
	for _, t := range terms {
		if ix.vocab.df[string(t.Term)] > 0 {
			return false
		}
	}
	return len(terms) > 0
}

// coverage is the idf-weighted share of the query's terms that the hit
// contains, with the byte spans of those terms in the passage text.
func (p plan) coverage(dm *search.DocumentMatch) (float64, []Span) {
	locs := dm.Locations[fieldText]
	var have, want float64
	for _, t := range p.terms {
		want += t.idf
		if len(locs[t.text]) > 0 {
			have += t.idf
		}
	}
	var spans []Span
	for _, ls := range locs {
		for _, l := range ls {
			spans = append(spans, Span{int(l.Start), int(l.End)})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	if want == 0 {
		return 0, spans
	}
	return have / want, spans
}

// analyze runs the passage analyzer over text, keeping each term once, in
// order, and at most 32 of them. Single characters ("9", "x") carry no
// meaning a passage could cover, so they are left out.
func (ix *Index) analyze(text string) []string {
	var out []string
	for _, t := range ix.analyzer().Analyze([]byte(text)) {
		if utf8.RuneCount(t.Term) < 2 {
			continue
		}
		if s := string(t.Term); !slices.Contains(out, s) {
			out = append(out, s)
			if len(out) == 32 {
				break
			}
		}
	}
	return out
}
