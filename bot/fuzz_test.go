package bot

import (
	"strings"
	"testing"
	"time"

	"visitbot/corpus"
	"visitbot/index"
)

// FuzzRender renders answers, "nothing relevant" answers and context from a
// query and a passage text of the fuzzer's choosing. Whatever they hold,
// rendering must not panic, every message must fit Discord's limits, no
// mention (@everyone, @here, <@…>, <@&…>) may survive without the
// zero-width space after its '@', allowed mentions must be none, and every
// button's custom_id must parse.
//
// The seeds run with the normal tests; explore with
//
//	go test ./bot -run '^$' -fuzz FuzzRender -fuzztime 1m
//
// and keep what it finds in testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	for _, s := range [][2]string{
		{"seafood", seafoodText},
		{"@everyone", "@everyone @here <@123> <@!123> <@&456> <#789> </cmd:1> <t:1700000000>"},
		{"minister *seafood* `talks`", markdownText},
		{"a", strings.Repeat("a", 5000)},
		{"é", strings.Repeat("é", 3000)},
		{"🦀", strings.Repeat("🦀", 3000)},
		{strings.Repeat("x", index.MaxQueryLen), "x"},
		{strings.Repeat("@", 300), strings.Repeat("@", 5000)},
		{"line\nbreaks", "# h\n- l\n1. n\n> q\n\n\n|| s ||\r\n```go\ncode\n```"},
		{"bad utf-8", "caf\xc3 \xff\xfe ban \xe2\x80"},
		{"\u200b@", "@\u200b@\u200b"},
		{"[link](https://x)", "[a](<https://evil.example>) <https://x> https://y"},
		{"seafood", "seafood"},
		{"Wang Yi", "Wang Yi, his Chinese counterpart, said: \"we will…\""},
		{"   ", ""},
	} {
		f.Add(s[0], s[1])
	}
	doc := &corpus.Document{
		ID: "fuzz-doc", Title: "A title", Publication: "Pub", Byline: "By", Kind: corpus.KindArticle,
		Published: time.Date(2024, 12, 25, 0, 0, 0, 0, time.UTC), URL: "https://example.com/a",
	}
	f.Fuzz(func(t *testing.T, query, text string) {
		q := index.Query{Command: index.Ask, Text: normalize(query), Limit: pageSize}
		if q.Validate() != nil {
			return // the handler refuses it before anything is rendered
		}
		// The document's own fields come from the same hostile text.
		d := *doc
		d.Title, d.Byline = text, query
		words := strings.Fields(q.Text)
		h := hit(&d, 1, 2, text, words...)
		// Spans the index might get wrong: off rune boundaries, reversed,
		// past the end.
		n := len(text)
		h.Highlights = append(h.Highlights,
			index.Span{Start: len(query) % (n + 1), End: (len(query) * 7) % (n + 2)},
			index.Span{Start: n / 3, End: n/3 + 1}, index.Span{Start: -1, End: n + 1})
		msgs := map[string]Message{}
		for _, tc := range []struct {
			name string
			res  index.Result
			o    answerOptions
		}{
			{"one hit", index.Result{Query: q, Hits: []index.Hit{h}, Total: 1}, answerOptions{}},
			{"a page of three, corrected", index.Result{Query: q, Hits: []index.Hit{h, h, h}, Total: 900, Corrected: text}, answerOptions{ephemeral: true}},
			{"page two, shortened", index.Result{Query: withOffset(q, 3), Hits: []index.Hit{h}, Total: 5}, answerOptions{shortened: true}},
			{"a person", index.Result{Query: q, Hits: []index.Hit{h}, Total: 1, Person: &corpus.Person{Name: text, Roles: []string{query, text}}}, answerOptions{}},
		} {
			msgs["answer, "+tc.name] = renderAnswer(tc.res, tc.o)
		}
		msgs["nothing, topics"] = renderNothing(q, []string{text, query}, []string{query}, nil, false)
		msgs["nothing, titles"] = renderNothing(q, nil, nil, []string{text}, true)
		msgs["context"] = renderContext([]corpus.Passage{h.Passage, {ID: "fuzz-doc#2", Paragraph: 3, Text: query}}, &d, h.Passage.ID)
		msgs["sources"] = renderSources([]*corpus.Document{&d, &d}, false)
		for name, m := range msgs {
			if err := checkLimits(m); err != nil {
				t.Errorf("%s breaks Discord's limits: %v", name, err)
			}
			for _, s := range visibleText(m) {
				if msg := unneutralised(s); msg != "" {
					t.Errorf("%s: %s", name, msg)
				}
			}
			am := m.toDiscord().AllowedMentions
			if am == nil || am.Parse == nil || len(am.Parse) != 0 || len(am.Users) != 0 || len(am.Roles) != 0 {
				t.Errorf("%s: allowed mentions %+v, want none", name, am)
			}
			for _, row := range m.Rows {
				for _, b := range row {
					if b.Style == ButtonLink {
						continue
					}
					if _, err := parseCustomID(b.CustomID); err != nil {
						t.Errorf("%s: button %q has a custom_id that does not parse: %q", name, b.Label, b.CustomID)
					}
				}
			}
		}
		if cs := renderChoices([]string{text, query}); checkChoices(cs) != nil {
			t.Errorf("choices %q break Discord's limits: %v", cs, checkChoices(cs))
		}
	})
}

func withOffset(q index.Query, off int) index.Query {
	q.Offset = off
	return q
}

// visibleText is every text field of m that Discord shows.
func visibleText(m Message) []string {
	out := []string{m.Content}
	for _, e := range m.Embeds {
		out = append(out, e.Author, e.Title, e.Description, e.Footer)
		for _, f := range e.Fields {
			out = append(out, f.Name, f.Value)
		}
	}
	for _, row := range m.Rows {
		for _, b := range row {
			out = append(out, b.Label)
		}
	}
	return out
}
