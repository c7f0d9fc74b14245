package index

import (
	"math"
	"slices"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"visitbot/corpus"
)

// vocabulary is what the index knows of its words beyond Bleve: how rare each
// term is (to weigh query terms), which terms the thesaurus and the people's
// names and roles use (matched in memory, not by Bleve), and the words as
// written (to find the word a typo meant).
type vocabulary struct {
	terms   *termTable
	n       int // passages
	words   map[string]int
	byFirst map[rune][]string

	// topics: label → its phrases, analyzed; topicTerms: every term of them.
	topics     map[string][][]string
	topicTerms map[string]bool
	// people: canonical name → the terms of their name and roles;
	// byTerm: term → the people whose name or roles have it.
	people map[string]map[string]bool
	// names: canonical name → the terms of the name alone.
	names  map[string]map[string]bool
	byTerm map[string][]string
	// persons: canonical name → the person with every role the corpus
	// gives them, articles' before summaries'.
	persons map[string]corpus.Person
}

// useTerms completes the index with its term table and what it derives from
// the corpus in memory: thesaurus and people terms, and the words as written.
func (ix *Index) useTerms(tt *termTable) {
	ix.terms = tt
	an := ix.analyzer()
	v := vocabulary{
		terms: tt, n: len(ix.passages), words: tt.words, byFirst: map[rune][]string{},
		topics: map[string][][]string{}, topicTerms: map[string]bool{},
		people: map[string]map[string]bool{}, names: map[string]map[string]bool{}, byTerm: map[string][]string{},
		persons: map[string]corpus.Person{},
	}
	addWords := func(s string) {
		forEachWord(s, func(w string) {
			if v.words[w] == 0 {
				v.words[w] = 1
			}
		})
	}
	if th := ix.set.Thesaurus; th != nil {
		for _, t := range th.Topics {
			for _, phrase := range t.Phrases {
				terms := analyzeTerms(an, phrase)
				if len(terms) == 0 {
					continue
				}
				v.topics[t.Label] = append(v.topics[t.Label], terms)
				for _, term := range terms {
					v.topicTerms[term] = true
				}
				addWords(phrase)
			}
		}
	}
	for _, kind := range []corpus.Kind{corpus.KindArticle, corpus.KindSummary} {
		for _, d := range ix.order {
			if d.Kind != kind {
				continue
			}
			for _, p := range d.People {
				merged := v.persons[p.Name]
				merged.Name = p.Name
				for _, r := range p.Roles {
					if !slices.Contains(merged.Roles, r) {
						merged.Roles = append(merged.Roles, r)
					}
				}
				v.persons[p.Name] = merged
			}
		}
	}
	for _, d := range ix.order {
		for _, p := range d.People {
			terms := v.people[p.Name]
			if terms == nil {
				terms = map[string]bool{}
				v.people[p.Name] = terms
				v.names[p.Name] = map[string]bool{}
				for _, t := range analyzeTerms(an, p.Name) {
					v.names[p.Name][t] = true
				}
			}
			for _, t := range analyzeTerms(an, joinRoles(p)) {
				if !terms[t] {
					terms[t] = true
					v.byTerm[t] = append(v.byTerm[t], p.Name)
				}
			}
			addWords(joinRoles(p))
		}
	}
	for w := range v.words {
		r := firstRune(w)
		v.byFirst[r] = append(v.byFirst[r], w)
	}
	for _, ws := range v.byFirst {
		slices.Sort(ws) // deterministic corrections whatever the map order
	}
	ix.vocab = v
}

// analyzeTerms returns the distinct analyzed terms of s.
func analyzeTerms(an analysis.Analyzer, s string) []string {
	var out []string
	for _, t := range an.Analyze([]byte(s)) {
		if term := string(t.Term); !slices.Contains(out, term) {
			out = append(out, term)
		}
	}
	return out
}

// known reports a term the corpus has: in a passage's text, a topic's
// phrases, or a person's name or roles.
func (v vocabulary) known(t string) bool {
	return v.terms.docFreq(t) > 0 || v.topicTerms[t] || len(v.byTerm[t]) > 0
}

// idf is BM25's inverse document frequency over the passage text; a term the
// text lacks is as rare as can be.
func (v vocabulary) idf(t string) float64 {
	df := float64(v.terms.docFreq(t))
	n := float64(max(v.n, 1))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// correct finds the word a misspelt word most likely meant: a word of the
// corpus with the same first letter (typos rarely hit it, and it keeps the
// search small), within one edit for words of 5 to 7 letters and two for
// longer ones; ties go to the more common word. Shorter words are never
// corrected: too many of them are one edit apart ("cars", "care").
func (v vocabulary) correct(w string) (string, bool) {
	n := utf8.RuneCountInString(w)
	if n < 5 || v.words[w] > 0 {
		return "", false
	}
	maxDist := 1
	if n > 7 {
		maxDist = 2
	}
	best, bestDist, bestCount := "", maxDist+1, 0
	ed := newEditDistance([]rune(w), maxDist)
	for _, c := range v.byFirst[firstRune(w)] {
		if abs(utf8.RuneCountInString(c)-n) > maxDist {
			continue
		}
		d := ed.to(c)
		if d > maxDist {
			continue
		}
		if d < bestDist || (d == bestDist && v.words[c] > bestCount) {
			best, bestDist, bestCount = c, d, v.words[c]
		}
	}
	return best, best != ""
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// levenshtein is the edit distance of a and b (transpositions count as one),
// or limit+1 once it is known to exceed limit.
func levenshtein(a, b string, limit int) int {
	return newEditDistance([]rune(a), limit).to(b)
}

// editDistance measures one word against many, reusing its rows: typo
// correction compares a word with every corpus word of the same first letter.
type editDistance struct {
	ra               []rune
	rb               []rune
	prev2, prev, cur []int
	limit            int
}

func newEditDistance(a []rune, limit int) *editDistance {
	return &editDistance{ra: a, limit: limit}
}

func (e *editDistance) to(b string) int {
	e.rb = append(e.rb[:0], []rune(b)...)
	n := len(e.rb) + 1
	if cap(e.prev) < n {
		e.prev2, e.prev, e.cur = make([]int, n), make([]int, n), make([]int, n)
	}
	prev2, prev, cur := e.prev2[:n], e.prev[:n], e.cur[:n]
	ra, rb, limit := e.ra, e.rb, e.limit
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// analyzer is the passage analyzer; words splits and lower-cases only.
func (ix *Index) analyzer() analysis.Analyzer {
	return ix.bleve.Mapping().AnalyzerNamed(textAnalyzer)
}

func (ix *Index) words() analysis.Analyzer {
	return ix.bleve.Mapping().AnalyzerNamed(wordAnalyzer)
}
