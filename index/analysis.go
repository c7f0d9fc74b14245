package index

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Token filters of our own, registered with Bleve by name so the mapping (and
// an index opened from disk) can refer to them.
const (
	acronymFilter   = "visitbot_acronym"
	pluralFilter    = "visitbot_plural"
	irregularFilter = "visitbot_irregular"
)

func init() {
	registry.RegisterTokenFilter(acronymFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return acronyms{}, nil
	})
	registry.RegisterTokenFilter(pluralFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return plurals{}, nil
	})
	registry.RegisterTokenFilter(irregularFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return irregulars{}, nil
	})
}

// irregulars maps the past forms of irregular verbs that news copy uses to
// their base form before stemming, which only knows regular endings: "who
// did Iwaya meet?" must find "Iwaya met", "when did he leave?" "he left".
// Forms that are also common nouns or adjectives ("left", "found", "saw",
// "lead") are left out.
type irregulars struct{}

var irregularVerbs = map[string]string{
	"met": "meet", "told": "tell", "took": "take", "taken": "take", "gave": "give", "given": "give",
	"made": "make", "went": "go", "gone": "go", "came": "come", "held": "hold", "sought": "seek",
	"thought": "think", "brought": "bring", "spoke": "speak", "spoken": "speak", "began": "begin",
	"begun": "begin", "wrote": "write", "written": "write", "won": "win", "chose": "choose",
	"chosen": "choose", "rose": "rise", "risen": "rise", "grew": "grow", "grown": "grow",
	"knew": "know", "known": "know", "seen": "see", "sent": "send", "spent": "spend", "built": "build",
	"kept": "keep", "paid": "pay", "sold": "sell", "struck": "strike", "stood": "stand", "felt": "feel",
	"flew": "fly", "flown": "fly", "fought": "fight", "bought": "buy", "caught": "catch",
	"taught": "teach", "drew": "draw", "drawn": "draw", "drove": "drive", "driven": "drive",
	"broke": "break", "broken": "break", "froze": "freeze", "frozen": "freeze", "hid": "hide",
	"hidden": "hide", "withdrew": "withdraw", "withdrawn": "withdraw", "undertook": "undertake",
	"forbade": "forbid", "forbidden": "forbid", "overtook": "overtake", "arose": "arise",
}

func (irregulars) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		if base, ok := irregularVerbs[string(t.Term)]; ok {
			t.Term = []byte(base)
		}
	}
	return in
}

// acronyms folds acronyms written in capitals, with or without dots ("U.S.",
// "US", "U.N."), to one lower-case form before case is lost, so "US" is not
// taken for the stop word "us" and "U.S." matches "US". It runs before the
// lower-case filter.
type acronyms struct{}

// stopWordAcronyms are acronyms whose plain lower-case form is a stop word.
var stopWordAcronyms = map[string][]byte{"us": []byte("usa")}

func (acronyms) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		if !isAcronym(t.Term) {
			continue
		}
		low := bytes.ToLower(bytes.ReplaceAll(t.Term, []byte("."), nil))
		if alt, ok := stopWordAcronyms[string(low)]; ok {
			low = alt
		}
		t.Term = low
	}
	return in
}

// isAcronym: two to six capital letters, optionally each followed by a dot.
func isAcronym(term []byte) bool {
	letters := 0
	for i := 0; i < len(term); {
		r, size := utf8.DecodeRune(term[i:])
		i += size
		switch {
		case r == '.':
		case unicode.IsUpper(r):
			letters++
		default:
			return false
		}
	}
	return letters >= 2 && letters <= 6
}

// plurals turns "-ies"/"-ied" into "-y" ("spies", "spied" → "spy") before
// stemming: the Porter stemmer leaves "spies" as "spi" but "spying" as "spy",
// so without this the plural never finds the verb.
type plurals struct{}

func (plurals) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		n := len(t.Term)
		if n > 4 && (bytes.HasSuffix(t.Term, []byte("ies")) || bytes.HasSuffix(t.Term, []byte("ied"))) {
			t.Term = append(t.Term[:n-3:n-3], 'y')
		}
	}
	return in
}
