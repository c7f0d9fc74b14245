package index

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
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
	// Total counts the relevant passages (of the best candidates), of which
	// Hits is the page at Query.Offset.
	Total int
	// Corrected is the query as searched when typos were corrected
	// ("seafood" for "seefood"); "" when the words were searched as typed.
	Corrected string
	// Person is who a /who query is about, as the corpus names them, when
	// it names them.
	Person *corpus.Person
}

const (
	// candidates is how many Bleve hits a search considers before the
	// relevance floor and paging.
	candidates = 30

	// minCoverage is the share of the query's meaning (its terms weighted by
	// rarity) a passage must cover to count as relevant. It is a
	// proportion, so it carries over from one corpus size to another, unlike
	// a raw score cut.
	minCoverage = 0.5

	// summaryWeight scales summary passages below the article passages they
	// restate: primary sources first.
	summaryWeight = 0.6
)

// weights are the boosts of each field's clauses, per command: /issue is
// about topics, /who about people and what they said, /ask about the text.
var weights = map[Command]map[string]float64{
	Issue: {fieldText: 1, fieldTopics: 0.6, fieldPeople: 0.2},
	Who:   {fieldText: 0.5, fieldTopics: 0.1, fieldPeople: 1.5},
	Ask:   {fieldText: 1, fieldTopics: 0.3, fieldPeople: 0.5},
}

// Search runs one query: one Bleve request, then the relevance floor and the
// ranking adjustments Bleve cannot make.
func (ix *Index) Search(ctx context.Context, q Query) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	res := Result{Query: q, Hits: []Hit{}}
	p := ix.plan(q)
	w := weights[q.Command]
	if p.corrected {
		res.Corrected = strings.Join(p.searched, " ")
	}
	if p.query == nil {
		return res, nil
	}
	req := bleve.NewSearchRequestOptions(p.query, candidates, 0, false)
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
		cov := ix.coverage(p, r)
		if cov < minCoverage {
			continue
		}
		score := (dm.Score + ix.topicScore(p, r)*w[fieldTopics]) * (0.5 + cov)
		if r.doc.Kind == corpus.KindSummary {
			score *= summaryWeight
		}
		hits = append(hits, Hit{
			Passage: r.doc.Passages[r.i],
			Doc:     r.doc,
			Score:   score,
		})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	res.Total = len(hits)
	if q.Command == Who || p.quotes {
		person, byName := ix.person(p, hits)
		if q.Command == Who {
			res.Person = person
		}
		if person != nil && (byName || p.quotes) {
			quotesFirst(hits, person.Name)
		}
		if person != nil && byName && q.Command == Who {
			introFirst(hits, *person)
		}
	}
	lo := min(max(q.Offset, 0), len(hits))
	hi := min(lo+q.limit(), len(hits))
	res.Hits = hits[lo:hi]
	for i := range res.Hits {
		res.Hits[i].Highlights = ix.highlights(res.Hits[i].Passage.Text, p.terms)
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
	topics    []named  // the topics the query names
	people    []named  // the people it names
	searched  []string // the words as searched, corrections applied
	corrected bool
	quotes    bool // the question asks what someone said
}

// plan corrects misspelt words, drops the words that only make a question a
// question, and analyzes the rest as passages are analyzed. Then it makes one
// Bleve query of it all: a term query per term on the text, a label query
// for each topic the words name (by any of its thesaurus phrases) and each
// person they name (by name or role), and the whole as a phrase.
func (ix *Index) plan(q Query) plan {
	var p plan
	// Splice corrections into the text as typed, so the passage analyzer
	// still sees its case ("US" is an acronym, "us" a stop word).
	var text strings.Builder
	at, corrections := 0, 0
	for _, t := range ix.words().Analyze([]byte(q.Text)) {
		w := string(t.Term)
		switch {
		case speechWords[w]:
			p.quotes = true
			fallthrough
		case questionWords[w]:
			text.WriteString(q.Text[at:t.Start])
			at = t.End
			continue
		case corrections < maxCorrections && ix.unknown(w):
			corrections++
			if filler, speech := fillerTypo(w); filler {
				// "sya", "wht": a slip in a word that was going to be
				// dropped anyway.
				p.quotes = p.quotes || speech
				text.WriteString(q.Text[at:t.Start])
				at = t.End
				continue
			}
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

	w := weights[q.Command]
	var clauses []query.Query
	label := func(field, value string, boost float64) {
		tq := bleve.NewTermQuery(value)
		tq.SetField(field)
		tq.SetBoost(boost)
		clauses = append(clauses, tq)
	}
	for _, t := range ix.analyze(text.String()) {
		// Every word the corpus lacks counts in full against coverage, an
		// everyday one as much as a name: discounting everyday words let
		// "how is the weather in Tokyo?" quote the one passage that says
		// Tokyo. A paraphrase the thesaurus does not know goes unanswered
		// rather than a question being answered with something unrelated.
		p.terms = append(p.terms, term{text: t, idf: ix.vocab.idf(t)})
		if ix.terms.docFreq(t) > 0 {
			label(fieldText, t, w[fieldText])
		}
	}
	p.topics = ix.topicsNamed(p.terms)
	direct := 0
	for _, t := range p.terms {
		direct += ix.terms.docFreq(t.text)
	}
	if direct < synonymRecall {
		// The words as typed find little: let the topics they name bring
		// in the passages that say it in other words. (When they find
		// plenty, those passages would not make the candidates anyway, and
		// scanning a common topic's every passage is the dearest part of a
		// search.) Bleve's score of a label is mostly the length of the
		// passage's label list, so topics are scored in memory instead
		// (topicScore).
		for _, tc := range p.topics {
			label(fieldTopics, tc.label, recallOnly)
		}
	}
	// Quotes need no clause of their own: a person's quotes are among the
	// passages that mention them, and quotesFirst orders them.
	p.people = ix.peopleNamed(p.terms)
	for _, pc := range p.people {
		label(fieldPeople, pc.name, w[fieldPeople]*pc.share)
	}
	namesSomeone := len(p.people) > 0 && p.people[0].share > 0.999
	if q.Command != Ask && !namesSomeone && len(p.terms) > 1 && len(clauses) > 0 {
		// A topic or a name, its words together, in order, as the text
		// says them: the strongest sign a passage is about exactly this.
		// (A question's words are seldom a phrase of the text, a name the
		// people label already finds, and the phrase check is the dearest
		// clause.)
		pq := bleve.NewMatchPhraseQuery(text.String())
		pq.SetField(fieldText)
		pq.SetBoost(phraseBoost * w[fieldText])
		clauses = append(clauses, pq)
	}
	if len(clauses) > 0 {
		p.query = bleve.NewDisjunctionQuery(clauses...)
	}
	return p
}

// named is a topic or a person the query names, with the query terms that
// name them.
type named struct {
	label string
	name  string
	terms []string
	share float64 // of the query's weight
}

// topicsNamed returns the topics one of whose phrases the query holds in
// full ("nuclear water" names treated water; "water" alone does too, as
// "water" is not a phrase of it, only "treated water").
func (ix *Index) topicsNamed(terms []term) []named {
	var out []named
	for label, phrases := range ix.vocab.topics {
		var covered []string
		for _, ph := range phrases {
			if allIn(ph, terms) {
				for _, t := range ph {
					if !slices.Contains(covered, t) {
						covered = append(covered, t)
					}
				}
			}
		}
		if len(covered) > 0 {
			out = append(out, named{label: label, terms: covered})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].label < out[j].label })
	return out
}

// maxPeople caps the people one query names: a role word ("minister") may fit
// hundreds in a large corpus, and the best-fitting few are enough.
const maxPeople = 8

// peopleNamed returns the people whose names or roles share the query's
// terms, best fitting first.
func (ix *Index) peopleNamed(terms []term) []named {
	var want float64
	score := map[string]float64{}
	covered := map[string][]string{}
	for _, t := range terms {
		want += t.idf
		for _, name := range ix.vocab.byTerm[t.text] {
			score[name] += t.idf
			covered[name] = append(covered[name], t.text)
		}
	}
	out := make([]named, 0, len(score))
	for name, s := range score {
		out = append(out, named{name: name, terms: covered[name], share: s / want})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].share != out[j].share {
			return out[i].share > out[j].share
		}
		return out[i].name < out[j].name
	})
	// The best fits only: "Wang Yi" names Wang Yi, not everyone called Wang.
	n := 0
	for n < len(out) && n < maxPeople && out[n].share >= 0.75*out[0].share {
		n++
	}
	return out[:n]
}

func allIn(phrase []string, terms []term) bool {
	for _, t := range phrase {
		if !slices.ContainsFunc(terms, func(x term) bool { return x.text == t }) {
			return false
		}
	}
	return true
}

// maxCorrections caps the words one query tries to correct: each costs a
// scan of the corpus words with its first letter, and a query of nothing but
// misspellings would otherwise cost dozens of scans.
const maxCorrections = 6

// phraseBoost weighs a match of the whole query as a phrase.
const phraseBoost = 2.0

// questionWords make a question a question without saying what it is about
// ("what happens in January?"); they are not searched.
var questionWords = map[string]bool{
	"what": true, "why": true, "when": true, "where": true, "who": true, "whom": true, "whose": true,
	"which": true, "how": true, "did": true, "does": true, "do": true, "happen": true, "happens": true,
	"happened": true, "happening": true, "tell": true, "me": true, "about": true, "anything": true,
	"something": true, "know": true, "explain": true, "please": true, "can": true, "could": true,
	"would": true, "should": true, "will": true, "is": true, "are": true, "was": true, "were": true,
}

// fillerTypo reports a short word the corpus does not know that is one edit
// from a question word or (speech) a speech word. Short words are otherwise
// never corrected (too many are one edit apart), but these few are a closed
// set that is dropped anyway, so the slip costs the question nothing.
func fillerTypo(w string) (filler, speech bool) {
	if n := utf8.RuneCountInString(w); n < 3 || n > 5 || isEnglishWord(w) {
		return false, false
	}
	for f := range speechWords {
		if len(f) >= 3 && levenshtein(w, f, 1) <= 1 {
			return true, true
		}
	}
	for f := range questionWords {
		if len(f) >= 3 && levenshtein(w, f, 1) <= 1 {
			return true, false
		}
	}
	return false, false
}

// speechWords ask for someone's own words ("what did Li Qiang say?").
var speechWords = map[string]bool{
	"say": true, "says": true, "said": true, "saying": true, "told": true, "quote": true,
	"quoted": true, "quotes": true, "remarks": true, "words": true, "stated": true,
}

// unknown reports a word worth correcting: one that is not a stop word and
// whose stem no field holds ("seefood"; not "culture", which finds
// "cultural").
func (ix *Index) unknown(w string) bool {
	terms := ix.analyzer().Analyze([]byte(w))
	for _, t := range terms {
		if ix.vocab.known(string(t.Term)) {
			return false
		}
	}
	return len(terms) > 0
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

// coverage is the idf-weighted share of the query's terms that a passage
// holds: in its text, or through a topic it is about or a person it
// mentions that the query names by those terms.
func (ix *Index) coverage(p plan, r ref) float64 {
	var have, want float64
	pass := r.doc.Passages[r.i]
	for _, t := range p.terms {
		want += t.idf
		if ix.terms.has(r.ord, t.text) || coveredBy(p.topics, pass.Topics, t.text, true) || coveredBy(p.people, pass.People, t.text, false) {
			have += t.idf
		}
	}
	if want == 0 {
		return 0
	}
	return have / want
}

// synonymRecall is how many passages the query's own words may match before
// its topics stop adding the passages that only match by synonym.
const synonymRecall = 10 * candidates

// recallOnly boosts a clause that brings passages into the candidates
// without weighing in their order.
const recallOnly = 1e-3

// topicScore is what a passage earns for being about the topics the query
// names: the rarity of the query terms that named each topic, scaled by how
// much of the topic the passage's text says (how many distinct words of its
// thesaurus phrases it holds, up to five). Among passages about the same
// topic, the one that says more of it ranks higher: synonym expansion scored
// in memory on the few candidates, rather than a Bleve clause per synonym
// over the whole index.
func (ix *Index) topicScore(p plan, r ref) float64 {
	var score float64
	for _, tc := range p.topics {
		if !slices.Contains(r.doc.Passages[r.i].Topics, tc.label) {
			continue
		}
		n := 0
		seen := map[string]bool{}
		for _, ph := range ix.vocab.topics[tc.label] {
			for _, t := range ph {
				if !seen[t] && ix.terms.has(r.ord, t) {
					seen[t] = true
					n++
				}
			}
		}
		var idf float64
		for _, t := range tc.terms {
			idf += ix.vocab.idf(t)
		}
		score += idf * (0.2 + 0.16*float64(min(n, 5))) / float64(len(p.terms))
	}
	return score
}

// coveredBy reports whether one of the named topics (or people) that the
// passage has was named by term t.
func coveredBy(named []named, has []string, t string, topics bool) bool {
	for _, n := range named {
		key := n.name
		if topics {
			key = n.label
		}
		if slices.Contains(has, key) && slices.Contains(n.terms, t) {
			return true
		}
	}
	return false
}

// highlights are the spans of a passage's text whose terms the query has;
// neighbours separated only by spaces become one span ("**Wang Yi**", not
// "**Wang** **Yi**"). Only the passages shown are highlighted, from the
// text in memory, so the search itself needs no term locations.
func (ix *Index) highlights(text string, terms []term) []Span {
	var spans []Span
	for _, tok := range ix.analyzer().Analyze([]byte(text)) {
		if !slices.ContainsFunc(terms, func(t term) bool { return t.text == string(tok.Term) }) {
			continue
		}
		s := Span{tok.Start, tok.End}
		if n := len(spans); n > 0 && strings.TrimSpace(text[spans[n-1].End:s.Start]) == "" {
			spans[n-1].End = s.End
			continue
		}
		spans = append(spans, s)
	}
	return spans
}

// introFirst moves to the front the best passage that names the person in
// full with a role the corpus gives them ("China's premier, Li Qiang"): a
// /who answer opens with who they are, then their own words.
func introFirst(hits []Hit, p corpus.Person) {
	for i, h := range hits {
		if !strings.Contains(h.Passage.Text, p.Name) {
			continue
		}
		for _, r := range p.Roles {
			if strings.Contains(h.Passage.Text, r) {
				intro := hits[i]
				copy(hits[1:i+1], hits[:i])
				hits[0] = intro
				return
			}
		}
	}
}

// person picks who a query is about: of the people the best passages name,
// the one whose name and roles share the most of the query's terms. byName
// reports that the query names them (rather than describing a role), so
// their quotes should lead.
func (ix *Index) person(p plan, hits []Hit) (_ *corpus.Person, byName bool) {
	var best *corpus.Person
	bestScore, bestName, want := 0.0, 0.0, 0.0
	for _, t := range p.terms {
		want += t.idf
	}
	for _, h := range hits[:min(len(hits), 5)] {
		for _, name := range h.Passage.People {
			person, ok := ix.describe(name)
			if !ok {
				continue
			}
			// The terms of their name and of their roles, analyzed once
			// when the index opened.
			names, all := ix.vocab.names[name], ix.vocab.people[name]
			score, byName := 0.0, 0.0
			for _, t := range p.terms {
				switch {
				case names[t.text]:
					score += t.idf
					byName += t.idf
				case all[t.text]:
					score += t.idf
				}
			}
			if score > bestScore {
				best, bestScore, bestName = &person, score, byName
			}
		}
	}
	return best, want > 0 && bestName/want >= minCoverage
}

// describe returns a person with the roles the corpus gives them, articles
// before summaries.
func (ix *Index) describe(name string) (corpus.Person, bool) {
	p, ok := ix.vocab.persons[name]
	return p, ok
}

// quotesFirst moves the passages that quote the person, in their order, ahead
// of the rest: asked about someone by name, their own words come first.
func quotesFirst(hits []Hit, name string) {
	sort.SliceStable(hits, func(i, j int) bool {
		return slices.Contains(hits[i].Passage.Speakers, name) && !slices.Contains(hits[j].Passage.Speakers, name)
	})
}
