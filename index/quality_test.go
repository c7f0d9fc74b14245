package index

import (
	"context"
	"strings"
	"testing"
)

// These tests pin the mechanisms behind answer quality on the shipped corpus,
// one each: they say what each mechanism must do, not which passage ranks
// where for the dev set.

func TestTyposAreCorrectedAndSaidSo(t *testing.T) {
	ix := shipped(t)
	tests := []struct {
		q         Query
		corrected string
		want      string
	}{
		{Query{Command: Issue, Text: "seefood"}, "seafood", "seafood"},
		{Query{Command: Who, Text: "Iwaia"}, "iwaya", "Iwaya"},
		{Query{Command: Issue, Text: "Fukushma"}, "fukushima", "Fukushima"},
		{Query{Command: Issue, Text: "seafood"}, "", "seafood"}, // spelt right: nothing to say
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Corrected != tt.corrected {
			t.Errorf("Search(%q).Corrected = %q, want %q", tt.q.Text, res.Corrected, tt.corrected)
		}
		if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Passage.Text, tt.want) {
			t.Errorf("Search(%q) found %d hits, want the first to mention %s", tt.q.Text, len(res.Hits), tt.want)
		}
	}
}

func TestShortWordsAreNotCorrectedIntoOtherWords(t *testing.T) {
	ix := shipped(t)
	for _, text := range []string{"Kim", "tax", "cars", "golf"} {
		res, err := ix.Search(context.Background(), Query{Command: Issue, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if res.Corrected != "" || len(res.Hits) != 0 {
			t.Errorf("Search(%q) = corrected %q, %d hits; want nothing", text, res.Corrected, len(res.Hits))
		}
	}
}

func TestThesaurusSynonymsFindTheTopic(t *testing.T) {
	ix := shipped(t)
	tests := []struct{ text, want string }{
		{"nuclear water", "wastewater"},
		{"fishery", "seafood"},
		{"United States", "U.S."},
		{"PM", "premier"},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), Query{Command: Issue, Text: tt.text})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h := range res.Hits {
			found = found || strings.Contains(h.Passage.Text, tt.want)
		}
		if !found {
			t.Errorf("/issue %s: no passage of %d mentions %q", tt.text, len(res.Hits), tt.want)
		}
	}
}

func TestAskingWhatSomeoneSaidPutsTheirWordsFirst(t *testing.T) {
	ix := shipped(t)
	tests := []struct {
		q       Query
		speaker string
		at      int // a /who answer first says who they are, then quotes them
	}{
		{Query{Command: Ask, Text: "what did Li Qiang say?"}, "Li Qiang", 0},
		{Query{Command: Ask, Text: "what did the premier say?"}, "Li Qiang", 0},
		{Query{Command: Who, Text: "Li Qiang"}, "Li Qiang", 1},
		{Query{Command: Who, Text: "Iwaya"}, "Takeshi Iwaya", 1},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) <= tt.at || !contains(res.Hits[tt.at].Passage.Speakers, tt.speaker) {
			t.Errorf("Search(%s %q): hit %d does not quote %s", tt.q.Command, tt.q.Text, tt.at+1, tt.speaker)
		}
		if tt.q.Command == Who && !strings.Contains(res.Hits[0].Passage.Text, res.Person.Name) {
			t.Errorf("Search(who %q): first hit %q does not name %s", tt.q.Text, res.Hits[0].Passage.Text, res.Person.Name)
		}
	}
}

func TestWhoAnswersNameThePersonAndTheirRole(t *testing.T) {
	ix := shipped(t)
	tests := []struct{ text, name, role string }{
		{"Wang Yi", "Wang Yi", "his Chinese counterpart"},
		{"the premier", "Li Qiang", "China's premier"},
		{"Japanese foreign minister", "Takeshi Iwaya", "Japanese Foreign Minister"},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), Query{Command: Who, Text: tt.text})
		if err != nil {
			t.Fatal(err)
		}
		if res.Person == nil || res.Person.Name != tt.name || len(res.Person.Roles) == 0 || res.Person.Roles[0] != tt.role {
			t.Errorf("/who %s: person = %+v, want %s, %s", tt.text, res.Person, tt.name, tt.role)
		}
	}
	res, _ := ix.Search(context.Background(), Query{Command: Who, Text: "Kim Jong Un"})
	if res.Person != nil || len(res.Hits) != 0 {
		t.Errorf("/who Kim Jong Un = %+v, %d hits; want no one", res.Person, len(res.Hits))
	}
}

func TestArticlesRankAboveTheSummaryThatRestatesThem(t *testing.T) {
	ix := shipped(t)
	for _, text := range []string{"seafood ban", "military spending", "elderly care"} {
		res, err := ix.Search(context.Background(), Query{Command: Issue, Text: text, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) < 2 {
			t.Fatalf("/issue %s: %d hits, want article and summary", text, len(res.Hits))
		}
		if res.Hits[0].Doc.Kind != "article" {
			t.Errorf("/issue %s: first hit is from the %s", text, res.Hits[0].Doc.Kind)
		}
	}
}

func TestNothingRelevantMeansNoPassages(t *testing.T) {
	ix := shipped(t)
	for _, q := range []Query{
		{Command: Issue, Text: "climate change"},             // only in the stripped pitch
		{Command: Ask, Text: "how do I sign in?"},            // only in the sign-in prompt
		{Command: Issue, Text: "reproductive rights"},        // only in the pitch
		{Command: Issue, Text: "tariffs on Japanese cars"},   // one common word is not enough
		{Command: Who, Text: "Angela Merkel"},                // never mentioned
		{Command: Ask, Text: "what is the weather in Oslo?"}, // nothing like it
		{Command: Ask, Text: "what?"},                        // no meaning at all
	} {
		res, err := ix.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 0 {
			t.Errorf("/%s %s = %d hits, first %q; want none", q.Command, q.Text, len(res.Hits), res.Hits[0].Passage.Text)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestEnglishWordListIsEmbedded(t *testing.T) {
	for _, w := range []string{"leave", "tariff", "bring", "cases"} {
		if !isEnglishWord(w) {
			t.Errorf("isEnglishWord(%q) = false", w)
		}
	}
	for _, w := range []string{"taiwan", "merkel", "iwaya", "qwzx"} {
		if isEnglishWord(w) {
			t.Errorf("isEnglishWord(%q) = true, want false for a name or a non-word", w)
		}
	}
}

func TestSlipsInQuestionWordsAndIrregularVerbs(t *testing.T) {
	ix := shipped(t)
	tests := []struct {
		q    Query
		want string // in the first passage
	}{
		{Query{Command: Ask, Text: "what did iwaya sya"}, "said Iwaya"}, // a slip in "say": quotes first
		{Query{Command: Ask, Text: "wht did Li say?"}, "said Li"},       // a slip in "what"
		{Query{Command: Ask, Text: "who did Iwaya meet?"}, "Iwaya met"}, // meet finds met
		{Query{Command: Ask, Text: "what did the premier tell Iwaya?"}, "premier"},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Passage.Text, tt.want) {
			t.Errorf("/ask %s: first hit does not contain %q (%d hits)", tt.q.Text, tt.want, len(res.Hits))
		}
	}
}

func TestQuestionsAboutWhatTheCorpusLacksGetNothing(t *testing.T) {
	ix := shipped(t)
	// Each names one thing the articles have (Tokyo, Japanese, the
	// president) and asks about something they do not.
	for _, text := range []string{
		"how is the weather in Tokyo?",
		"what did the Japanese ambassador say?",
		"what did the Chinese ambassador say?",
		"what is the population of Tokyo?",
		"what did the president say about tariffs?",
	} {
		res, err := ix.Search(context.Background(), Query{Command: Ask, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 0 {
			t.Errorf("/ask %s = %d hits, first %q; want none", text, len(res.Hits), res.Hits[0].Passage.Text)
		}
	}
}

func TestAQueryOfMisspellingsCorrectsOnlySoMany(t *testing.T) {
	ix := shipped(t)
	text := strings.Repeat("seefood fukushma iwaia ", 12) // 36 misspellings
	p := ix.plan(Query{Command: Ask, Text: text})
	if !p.corrected {
		t.Fatalf("nothing was corrected")
	}
	fixed := 0
	for _, w := range p.searched {
		if w == "seafood" || w == "fukushima" || w == "iwaya" {
			fixed++
		}
	}
	if fixed > maxCorrections {
		t.Errorf("%d words corrected, want at most %d", fixed, maxCorrections)
	}
	if _, err := ix.Search(context.Background(), Query{Command: Ask, Text: "seafood", Offset: -3}); err != nil {
		t.Errorf("a negative offset = %v, want it read as 0", err)
	}
}
