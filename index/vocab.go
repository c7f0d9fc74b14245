package index

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// vocabulary knows how many passages hold each term of the passage text
// (to weigh query terms by rarity) and the words as written (to find the word
// a typo meant).
type vocabulary struct {
	df      map[string]int // analyzed term → passages
	n       int            // passages
	words   map[string]int // lower-case word as written → occurrences
	byFirst map[rune][]string
}

func (ix *Index) loadVocabulary() error {
	dict, err := ix.bleve.FieldDict(fieldText)
	if err != nil {
		return fmt.Errorf("index: read terms: %w", err)
	}
	defer dict.Close()
	v := vocabulary{df: make(map[string]int), n: len(ix.passages), words: make(map[string]int), byFirst: make(map[rune][]string)}
	for {
		e, err := dict.Next()
		if err != nil {
			return fmt.Errorf("index: read terms: %w", err)
		}
		if e == nil {
			break
		}
		v.df[e.Term] = int(e.Count)
	}
	words := ix.bleve.Mapping().AnalyzerNamed(nameAnalyzer)
	for _, d := range ix.order {
		for _, p := range d.Passages {
			for _, t := range words.Analyze([]byte(p.Text)) {
				w := string(t.Term)
				if v.words[w] == 0 {
					r, _ := utf8.DecodeRuneInString(w)
					v.byFirst[r] = append(v.byFirst[r], w)
				}
				v.words[w]++
			}
		}
	}
	ix.vocab = v
	return nil
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
// search small), within one edit for words of 4 to 7 letters and two for
// longer ones; ties go to the more common word. Shorter words are never
// corrected: too many of them are one edit apart.
func (v vocabulary) correct(w string) (string, bool) {
	n := utf8.RuneCountInString(w)
	if n < 4 || v.words[w] > 0 {
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

func (ix *Index) analyzer() analysis.Analyzer {
	return ix.bleve.Mapping().AnalyzerNamed(textAnalyzer)
}
