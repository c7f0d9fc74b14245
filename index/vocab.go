package index

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// vocabulary knows how many passages hold each term of each field (to
// weigh query terms by rarity, and to leave out clauses that cannot match)
// and the words as written (to find the word a typo meant).
type vocabulary struct {
	fieldDF map[string]map[string]int // field → analyzed term → passages
	df      map[string]int            // the text field's
	n       int                       // passages
	words   map[string]int            // lower-case word as written → occurrences
	byFirst map[rune][]string
}

// known reports a term some searchable field holds.
func (v vocabulary) known(t string) bool {
	for _, m := range v.fieldDF {
		if m[t] > 0 {
			return true
		}
	}
	return false
}

func (ix *Index) loadVocabulary() error {
	v := vocabulary{fieldDF: map[string]map[string]int{}, n: len(ix.passages), words: map[string]int{}, byFirst: map[rune][]string{}}
	for _, field := range []string{fieldText, fieldTopics, fieldPeople, fieldSpeak} {
		m, err := ix.fieldTerms(field)
		if err != nil {
			return err
		}
		v.fieldDF[field] = m
	}
	v.df = v.fieldDF[fieldText]
	// Words as written, from everything a query can match: passage text,
	// people with their roles, and the thesaurus.
	addWords := func(s string) {
		for _, t := range ix.words().Analyze([]byte(s)) {
			w := string(t.Term)
			if v.words[w] == 0 {
				r, _ := utf8.DecodeRuneInString(w)
				v.byFirst[r] = append(v.byFirst[r], w)
			}
			v.words[w]++
		}
	}
	for _, d := range ix.order {
		for _, p := range d.Passages {
			addWords(p.Text)
		}
		for _, p := range d.People {
			addWords(p.Name + " " + strings.Join(p.Roles, " "))
		}
	}
	if th := ix.set.Thesaurus; th != nil {
		for _, t := range th.Topics {
			addWords(strings.Join(t.Phrases, " "))
		}
	}
	ix.vocab = v
	return nil
}

// fieldTerms reads a field's term dictionary: term → passages holding it.
func (ix *Index) fieldTerms(field string) (map[string]int, error) {
	dict, err := ix.bleve.FieldDict(field)
	if err != nil {
		return nil, fmt.Errorf("index: read %s terms: %w", field, err)
	}
	defer dict.Close()
	m := map[string]int{}
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, fmt.Errorf("index: read %s terms: %w", field, err)
		}
		if e == nil {
			return m, nil
		}
		m[e.Term] = int(e.Count)
	}
}

// idf is BM25's inverse document frequency; a term the corpus lacks is as
// rare as can be.
func (v vocabulary) idf(t string) float64 {
	df := float64(v.df[t])
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
	first, _ := utf8.DecodeRuneInString(w)
	best, bestDist, bestCount := "", maxDist+1, 0
	for _, c := range v.byFirst[first] {
		if abs(utf8.RuneCountInString(c)-n) > maxDist {
			continue
		}
		d := levenshtein(w, c, maxDist)
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
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
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
	return ix.bleve.Mapping().AnalyzerNamed(nameAnalyzer)
}
