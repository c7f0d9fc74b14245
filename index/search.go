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
	candidates = 100

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
	Who:   {fieldText: 0.5, fieldTopics: 0.1, fieldPeople: 1.5, fieldSpeak: 0.8},
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
	if p.corrected {
		res.Corrected = strings.Join(p.searched, " ")
	}
	if p.query == nil {
		return res, nil
	}
	req := bleve.NewSearchRequestOptions(p.query, candidates, 0, false)
	req.IncludeLocations = true
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
		cov := p.coverage(dm)
		if cov < minCoverage {
			continue
		}
		score := dm.Score * (0.5 + cov)
		if r.doc.Kind == corpus.KindSummary {
			score *= summaryWeight
		}
		hits = append(hits, Hit{
			Passage:    r.doc.Passages[r.i],
			Doc:        r.doc,
			Score:      score,
			Highlights: highlights(dm, r.doc.Passages[r.i].Text),
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
	lo := min(q.Offset, len(hits))
	hi := min(lo+q.limit(), len(hits))
	res.Hits = hits[lo:hi]
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
	quotes    bool // the question asks what someone said
}

// plan corrects misspelt words, drops the words that only make a question a
// question, analyzes the rest as passages are analyzed, and makes one term
// query per term and field: one Bleve request for the lot.
func (ix *Index) plan(q Query) plan {
	var p plan
	var common []string // terms of ordinary English words the corpus lacks
	// Splice corrections into the text as typed, so the passage analyzer
	// still sees its case ("US" is an acronym, "us" a stop word).
	var text strings.Builder
	at := 0
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
		case ix.unknown(w):
			if fixed, ok := ix.vocab.correct(w); ok {
				text.WriteString(q.Text[at:t.Start])
				text.WriteString(fixed)
				at = t.End
				w = fixed
				p.corrected = true
			} else if q.Command == Ask && isEnglishWord(w) {
				for _, a := range ix.analyze(w) {
					common = append(common, a)
				}
			}
		}
		p.searched = append(p.searched, w)
	}
	text.WriteString(q.Text[at:])

	w := weights[q.Command]
	var clauses []query.Query
	addClause := func(field, t string, boost float64) {
		if boost == 0 || ix.vocab.fieldDF[field][t] == 0 {
			return
		}
		tq := bleve.NewTermQuery(t)
		tq.SetField(field)
		tq.SetBoost(boost)
		clauses = append(clauses, tq)
	}
	for _, t := range ix.analyze(text.String()) {
		idf := ix.vocab.idf(t)
		if slices.Contains(common, t) {
			// In a question, an everyday word the corpus never uses
			// ("leave", "bring") is more likely a paraphrase than a subject
			// the corpus lacks (a name, a place): it counts against
			// coverage, but less. Topics and names (/issue, /who) are all
			// subject, so there every word counts in full.
			idf *= commonWordWeight
		}
		p.terms = append(p.terms, term{text: t, idf: idf})
		for _, f := range []string{fieldText, fieldTopics, fieldPeople, fieldSpeak} {
			addClause(f, t, w[f])
		}
		if p.quotes {
			addClause(fieldSpeak, t, 1.5)
		}
	}
	if len(p.terms) > 1 && len(clauses) > 0 {
		// The words together, in order, as the text says them: the
		// strongest sign a passage is about exactly this.
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

// commonWordWeight scales the weight of an everyday English word the corpus
// does not have, relative to a name or term it does not have.
const commonWordWeight = 0.25

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

// coverage is the idf-weighted share of the query's terms that the hit
// holds in any field: its text, the people it names (with their roles) or
// the topics it is about (with their thesaurus phrases).
func (p plan) coverage(dm *search.DocumentMatch) float64 {
	var have, want float64
	for _, t := range p.terms {
		want += t.idf
		for _, locs := range dm.Locations {
			if len(locs[t.text]) > 0 {
				have += t.idf
				break
			}
		}
	}
	if want == 0 {
		return 0
	}
	return have / want
}

// highlights are the spans of the passage text that matched; neighbours
// separated only by spaces become one span ("**Wang Yi**", not
// "**Wang** **Yi**").
func highlights(dm *search.DocumentMatch, text string) []Span {
	var spans []Span
	for _, ls := range dm.Locations[fieldText] {
		for _, l := range ls {
			spans = append(spans, Span{int(l.Start), int(l.End)})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	// Overlaps cannot come from one analyzer, but a span list that is
	// rendered must never double back.
	out := spans[:0]
	for _, s := range spans {
		if s.End > len(text) {
			continue
		}
		if n := len(out); n > 0 {
			last := &out[n-1]
			if s.Start < last.End {
				continue
			}
			if strings.TrimSpace(text[last.End:s.Start]) == "" {
				last.End = s.End
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// quotesFirst moves the passages that quote the person, in their order, ahead
// of the rest: asked about someone by name, their own words come first.
func quotesFirst(hits []Hit, name string) {
	sort.SliceStable(hits, func(i, j int) bool {
		return slices.Contains(hits[i].Passage.Speakers, name) && !slices.Contains(hits[j].Passage.Speakers, name)
	})
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
			names := map[string]bool{}
			for _, t := range ix.analyze(person.Name) {
				names[t] = true
			}
			roles := map[string]bool{}
			for _, t := range ix.analyze(strings.Join(person.Roles, " ")) {
				roles[t] = true
			}
			score, byName := 0.0, 0.0
			for _, t := range p.terms {
				switch {
				case names[t.text]:
					score += t.idf
					byName += t.idf
				case roles[t.text]:
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
	out := corpus.Person{Name: name}
	found := false
	for _, kind := range []corpus.Kind{corpus.KindArticle, corpus.KindSummary} {
		for _, d := range ix.order {
			if d.Kind != kind {
				continue
			}
			if p, ok := d.Person(name); ok {
				found = true
				for _, r := range p.Roles {
					if !slices.Contains(out.Roles, r) {
						out.Roles = append(out.Roles, r)
					}
				}
			}
		}
	}
	return out, found
}
