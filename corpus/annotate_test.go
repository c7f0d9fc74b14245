package corpus

import (
	"fmt"
	"strings"
	"testing"
)

func TestPeopleAreFoundAndResolvedWithinADocument(t *testing.T) {
	d, err := loadFile(t, "people.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(d.People), "[{Marie Dubois [Canadian Trade Minister]} {Luis Ortega [her Mexican counterpart a former diplomat]}]"; got != want {
		t.Errorf("people = %s, want %s", got, want)
	}
	tests := []struct {
		passage          int
		people, speakers string
		why              string
	}{
		{1, "[Luis Ortega Marie Dubois]", "[]", "full names after a title and a role"},
		{2, "[Marie Dubois]", "[Marie Dubois]", "surname as the speaker of a quote"},
		{3, "[Luis Ortega]", "[Luis Ortega]", "surname, appositive and quote"},
		{4, "[Marie Dubois]", "[]", "a role only she holds; a paraphrase is not a quote"},
		{5, "[]", "[]", "no one"},
	}
	for _, tt := range tests {
		p := d.Passages[tt.passage-1]
		if got := fmt.Sprint(p.People); got != tt.people {
			t.Errorf("%s (%s): people = %s, want %s", p.ID, tt.why, got, tt.people)
		}
		if got := fmt.Sprint(p.Speakers); got != tt.speakers {
			t.Errorf("%s (%s): speakers = %s, want %s", p.ID, tt.why, got, tt.speakers)
		}
	}
	if d.Byline != "Jane Roe" {
		t.Errorf("byline = %q, want Jane Roe", d.Byline)
	}
}

func TestPeopleOfTheShippedArticle(t *testing.T) {
	set, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	article := set.Docs[0]
	want := map[string]string{
		"Takeshi Iwaya":  "Japanese Foreign Minister",
		"Li Qiang":       "China's premier",
		"Wang Yi":        "his Chinese counterpart",
		"Donald Trump":   "U.S. President-elect",
		"Joe Biden":      "U.S. President",
		"Mari Yamaguchi": "AP writer",
	}
	if len(article.People) != len(want) {
		t.Errorf("people = %v, want %d", article.People, len(want))
	}
	for name, role := range want {
		p, ok := article.Person(name)
		if !ok || len(p.Roles) == 0 || p.Roles[0] != role {
			t.Errorf("Person(%q) = %v, %v; want first role %q", name, p, ok, role)
		}
	}
	quoted := map[string]string{}
	for _, p := range article.Passages {
		for _, s := range p.Speakers {
			quoted[s] += p.ID + " "
		}
	}
	if !strings.Contains(quoted["Li Qiang"], "#5") || !strings.Contains(quoted["Takeshi Iwaya"], "#6") || !strings.Contains(quoted["Takeshi Iwaya"], "#12") {
		t.Errorf("quotes by speaker = %v; want Li Qiang in #5 (said Li) and Takeshi Iwaya in #6 and #12", quoted)
	}
}

func TestThesaurusTagsPassagesByAnyOfATopicsPhrases(t *testing.T) {
	th, err := ParseThesaurus(strings.NewReader(`
# comment
seafood ban: seafood, fishery, import ban
United States: US, United States, American
treated water: wastewater, discharged
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ text, want string }{
		{"Fisheries in the north are struggling.", "[seafood ban]"},
		{"The Import bans stay.", "[seafood ban]"},
		{"Officials told us the plan.", "[]"}, // "us" is not "US"
		{"US officials and American diplomats met.", "[United States]"},
		{"Water was discharged into the sea; the seafood ban followed.", "[seafood ban treated water]"},
		{"The seafood ban was lifted.", "[seafood ban]"},
		{"Nothing here.", "[]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(th.About(tt.text)); got != tt.want {
			t.Errorf("About(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}

func TestThesaurusRefusesMalformedLines(t *testing.T) {
	for _, src := range []string{"no colon here", ": empty label", "a: x\nA: y"} {
		if _, err := ParseThesaurus(strings.NewReader(src)); err == nil {
			t.Errorf("ParseThesaurus(%q) succeeded", src)
		} else if _, ok := UserMessage(err); !ok {
			t.Errorf("ParseThesaurus(%q) = %v, not a user error", src, err)
		}
	}
	if th, err := ShippedThesaurus(); err != nil || len(th.Topics) < 10 {
		t.Errorf("shipped thesaurus: %v", err)
	}
}
