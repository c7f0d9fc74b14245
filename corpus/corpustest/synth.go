// Package corpustest makes realistic synthetic corpora for benchmarks and
// load tests: news-like paragraphs with a Zipf-distributed vocabulary, the
// length spread of wire copy, and people, quotes and thesaurus topics
// sprinkled in, so every ingest and search mechanism has work to do.
// Output is deterministic for a seed. Production code never imports it.
package corpustest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"visitbot/corpus"
)

// PassagesPerDoc is how many paragraphs a synthetic article has.
const PassagesPerDoc = 20

// Synthetic returns a corpus of about n passages (rounded up to whole
// articles), loaded through corpus.Load and tagged with the shipped
// thesaurus, exactly as real documents are.
func Synthetic(seed uint64, n int) (corpus.Set, error) {
	th, err := corpus.ShippedThesaurus()
	if err != nil {
		return corpus.Set{}, err
	}
	g := newGen(seed, th)
	docs := make([]*corpus.Document, 0, n/PassagesPerDoc+1)
	for i := 0; len(docs)*PassagesPerDoc < n; i++ {
		text := g.article(i)
		d, err := corpus.Load(fmt.Sprintf("synth-%06d.md", i), []byte(text), corpus.Meta{})
		if err != nil {
			return corpus.Set{}, fmt.Errorf("corpustest: article %d: %w", i, err)
		}
		docs = append(docs, d)
	}
	return corpus.NewSet(docs, th), nil
}

// Article returns the Markdown text of synthetic article i for seed: what a
// moderator might add.
func Article(seed uint64, i int) string {
	th, err := corpus.ShippedThesaurus()
	if err != nil {
		return "" // the shipped thesaurus is tested; an empty article fails loudly
	}
	return newGen(seed, th).article(i)
}

type gen struct {
	r      *rand.Rand
	zipf   *rand.Zipf
	vocab  []string
	people []person
	topics []string
}

type person struct{ first, last, title string }

func newGen(seed uint64, th *corpus.Thesaurus) *gen {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	g := &gen{r: r}
	g.vocab = append(g.vocab, common...)
	// A long tail of rarer words, as real news has: place names, jargon,
	// surnames of people mentioned once.
	for len(g.vocab) < 40_000 {
		g.vocab = append(g.vocab, g.word(2+r.IntN(3)))
	}
	g.zipf = rand.NewZipf(r, 1.07, 2, uint64(len(g.vocab)-1))
	for range 600 {
		g.people = append(g.people, person{
			first: capitalize(g.word(2)),
			last:  capitalize(g.word(2 + r.IntN(2))),
			title: titles[r.IntN(len(titles))],
		})
	}
	for _, t := range th.Topics {
		g.topics = append(g.topics, t.Phrases...)
	}
	return g
}

var syllables = strings.Fields("ba be bi bo bu da de di do du ka ke ki ko ku ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo wa we ya yo za zo lan ter ston mar vel dor gen tin por")

func (g *gen) word(syl int) string {
	var b strings.Builder
	for range syl {
		b.WriteString(syllables[g.r.IntN(len(syllables))])
	}
	return b.String()
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

var titles = []string{"Foreign Minister", "Trade Minister", "President", "Premier", "Governor", "Ambassador", "Defense Minister", "Mayor"}

// article writes a headline, a byline and dateline, then PassagesPerDoc
// paragraphs: mostly reporting, some quotes, people and topics throughout.
func (g *gen) article(i int) string {
	var b strings.Builder
	cast := []person{g.people[g.r.IntN(len(g.people))], g.people[g.r.IntN(len(g.people))]}
	fmt.Fprintf(&b, "%s\n\nBy %s %s\n\n%d March 2025\n\n", capitalize(g.sentence(6, cast, false)), capitalize(g.word(2)), capitalize(g.word(3)), 1+i%28)
	for p := range PassagesPerDoc {
		sentences := 1 + g.r.IntN(4)
		var para []string
		for s := range sentences {
			switch {
			case p == 0 && s == 0:
				c := cast[0]
				para = append(para, fmt.Sprintf("%s %s %s %s.", c.title, c.first, c.last, g.sentence(8+g.r.IntN(10), cast, true)))
			case g.r.IntN(8) == 0:
				c := cast[g.r.IntN(2)]
				para = append(para, fmt.Sprintf("“%s,” said %s.", capitalize(g.sentence(8+g.r.IntN(12), cast, true)), c.last))
			default:
				para = append(para, capitalize(g.sentence(10+g.r.IntN(22), cast, true))+".")
			}
		}
		b.WriteString(strings.Join(para, " "))
		b.WriteString("\n\n")
	}
	return b.String()
}

// sentence is n words drawn from the Zipf vocabulary, with now and then a
// person's surname or a thesaurus phrase.
func (g *gen) sentence(n int, cast []person, mentions bool) string {
	words := make([]string, 0, n+2)
	for range n {
		switch k := g.r.IntN(40); {
		case mentions && k == 0:
			words = append(words, cast[g.r.IntN(len(cast))].last)
		case mentions && k == 1:
			words = append(words, strings.ToLower(g.topics[g.r.IntN(len(g.topics))]))
		default:
			words = append(words, g.vocab[g.zipf.Uint64()])
		}
	}
	return strings.Join(words, " ")
}

// common is the head of the vocabulary: frequent English words of news copy.
var common = strings.Fields(`the of and to in a said that for on is was with he it as at by from his
have an be has are but were not this which had they who will their been would its after more one also
two new first year government people than other when up over out into about last some there could can
state president minister officials told week police years time world country china japan united
states security talks meeting military foreign trade economy water nuclear plant ban seafood report
between against during under while since before three percent million billion ties relations visit
leaders summit agreement policy public national international local group political party election
court law news city region support plan issue deal market prices oil energy climate health care
workers company companies business industry bank money budget tax spending defense forces border
rights human health children women school students university research data study program service
according including however still even back only most many such made make well way may where how
them him her she them what any these those through both each few other while another among across`)
