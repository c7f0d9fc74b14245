package bot

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"visitbot/corpus"
	"visitbot/index"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test ./bot -update and review the diff):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// dump shows a message as a reviewer reads it: every field, the
// description as Discord receives it (Markdown and escapes included).
func dump(m Message) string {
	var b strings.Builder
	d := m.toDiscord()
	am, _ := json.Marshal(d.AllowedMentions)
	fmt.Fprintf(&b, "ephemeral: %v\nallowed_mentions: %s\n", m.Ephemeral, am)
	if m.Content != "" {
		fmt.Fprintf(&b, "content: %s\n", m.Content)
	}
	for i, e := range m.Embeds {
		fmt.Fprintf(&b, "--- embed %d (%d characters)\n", i, textLen(e.Author)+textLen(e.Title)+textLen(e.Description)+textLen(e.Footer))
		if e.Author != "" {
			fmt.Fprintf(&b, "author: %s\n", e.Author)
		}
		if e.Title != "" {
			fmt.Fprintf(&b, "title: %s\n", e.Title)
		}
		fmt.Fprintf(&b, "description (%d characters):\n%s\n", textLen(e.Description), e.Description)
		if e.Footer != "" {
			fmt.Fprintf(&b, "footer: %s\n", e.Footer)
		}
	}
	for i, row := range m.Rows {
		fmt.Fprintf(&b, "--- row %d\n", i)
		for _, btn := range row {
			fmt.Fprintf(&b, "[%s] %s (%d bytes)\n", btn.Label, btn.CustomID, len(btn.CustomID))
		}
	}
	return b.String()
}

var (
	published = time.Date(2024, 12, 25, 0, 0, 0, 0, time.UTC)
	article   = &corpus.Document{
		ID: "ap-iwaya-beijing", Title: `Japan's foreign minister seeks "positive" direction in bilateral ties during his visit to China`,
		Publication: "The Independent", Byline: "AP; Mari Yamaguchi contributed", Published: published, Kind: corpus.KindArticle,
	}
	summary = &corpus.Document{
		ID: "ap-iwaya-beijing-summary", Title: "Summary: Japan’s foreign minister visits Beijing",
		Byline: "Summary of the AP report (The Independent)", Published: published, Kind: corpus.KindSummary,
	}
	linked = &corpus.Document{
		ID: "example-linked", Title: "A *starred* _title_ | with pipes", Publication: "Example News", Published: published,
		URL: "https://example.com/news/2024/12/25/visit?ref=a_b", Kind: corpus.KindArticle,
	}
)

// hit makes a hit whose highlights are every occurrence of the words.
func hit(d *corpus.Document, n, para int, text string, words ...string) index.Hit {
	var spans []index.Span
	for _, w := range words {
		for at := 0; ; {
			i := strings.Index(text[at:], w)
			if i < 0 {
				break
			}
			spans = append(spans, index.Span{Start: at + i, End: at + i + len(w)})
			at += i + len(w)
		}
	}
	return index.Hit{
		Passage:    corpus.Passage{ID: fmt.Sprintf("%s#%d", d.ID, n), Doc: d.ID, Paragraph: para, Text: text},
		Doc:        d,
		Score:      1,
		Highlights: usableSpans(text, spans, len(text)),
	}
}

const seafoodText = "The two neighbors have had a tense relationship in recent years. At the top of Iwaya's agenda is China’s ban on Japanese seafood in response to the release of treated radioactive wastewater into the sea from the Fukushima Daiichi nuclear power plant, as well as China’s increasingly assertive military activity in the East and South China Seas."

func longText(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "Sentence %d says that the seafood ban, imposed after the release of treated wastewater, still weighs on trade between the two neighbours. ", i+1)
	}
	return strings.TrimSpace(b.String())
}

const markdownText = "# Not a heading\n- not a list\n1. not a numbered item\n> not a quote\nThe *minister* said _\"positive\"_ ~~talks~~ on `seafood` were || spoiler || under way \\ [link](https://evil.example) <@123> <@&456> @everyone @here <t:1700000000> :smile: **bold**."

func TestRenderGolden(t *testing.T) {
	long := strings.Repeat("x", 2000)
	cases := []struct {
		name string
		msg  Message
	}{
		{"answer_seafood", renderAnswer(index.Result{
			Query: index.Query{Command: index.Issue, Text: "seefood", Limit: pageSize},
			Hits: []index.Hit{
				hit(article, 3, 2, seafoodText, "seafood"),
				hit(summary, 7, 7, "Efforts are being made to address the seafood ban through international cooperation.", "seafood"),
				hit(linked, 1, 0, "A standfirst about seafood.", "seafood"),
			},
			Total:     4,
			Corrected: "seafood",
		}, answerOptions{})},
		{"answer_who_person", renderAnswer(index.Result{
			Query:  index.Query{Command: index.Who, Text: "Li Qiang", Limit: pageSize},
			Hits:   []index.Hit{hit(article, 4, 3, "Iwaya met with China's premier, Li Qiang Wednesday as well as Wang Yi, his Chinese counterpart.", "Li", "Qiang")},
			Total:  1,
			Person: &corpus.Person{Name: "Li Qiang", Roles: []string{"China's premier", "Chinese *Premier*"}},
		}, answerOptions{})},
		{"answer_page_two", renderAnswer(index.Result{
			Query: index.Query{Command: index.Who, Text: "Wang Yi", Limit: pageSize, Offset: 3},
			Hits:  []index.Hit{hit(article, 4, 3, "Iwaya met with China's premier, Li Qiang Wednesday as well as Wang Yi, his Chinese counterpart.", "Wang", "Yi")},
			Total: 4,
		}, answerOptions{ephemeral: true})},
		{"answer_long_passages", renderAnswer(index.Result{
			Query: index.Query{Command: index.Ask, Text: "seafood ban wastewater", Limit: pageSize},
			Hits: []index.Hit{
				hit(article, 1, 1, longText(5000), "seafood", "ban", "wastewater"),
				hit(article, 2, 2, longText(300), "seafood"),
				hit(summary, 3, 3, longText(9000), "wastewater"),
			},
			Total: 12,
		}, answerOptions{})},
		{"answer_markdown", renderAnswer(index.Result{
			Query: index.Query{Command: index.Ask, Text: "minister *seafood* `talks`", Limit: pageSize},
			Hits:  []index.Hit{hit(linked, 2, 5, markdownText, "minister", "seafood", "talks", "positive")},
			Total: 1,
		}, answerOptions{})},
		{"answer_query_2000", renderAnswer(index.Result{
			Query: index.Query{Command: index.Ask, Text: long, Limit: pageSize},
			Hits:  []index.Hit{hit(article, 3, 2, seafoodText, "seafood"), hit(article, 4, 3, seafoodText)},
			Total: 9,
		}, answerOptions{})},
		{"answer_shortened_query", renderAnswer(index.Result{
			Query: index.Query{Command: index.Ask, Text: "why did China ban Japanese seafood and what did the foreign minister say about", Limit: pageSize, Offset: 3},
			Hits:  []index.Hit{hit(article, 3, 2, seafoodText, "seafood")},
			Total: 4,
		}, answerOptions{shortened: true})},
		{"answer_everyone", renderAnswer(index.Result{
			Query: index.Query{Command: index.Ask, Text: "@everyone <@123> <@&456> seafood", Limit: pageSize},
			Hits:  []index.Hit{hit(article, 3, 2, seafoodText, "seafood")},
			Total: 1,
		}, answerOptions{})},
		{"nothing_topics_people", renderNothing(index.Query{Command: index.Issue, Text: "volcanoes"},
			[]string{"seafood ban", "diplomacy", "military_activity"}, []string{"Wang Yi", "Takeshi Iwaya"}, nil, false)},
		{"nothing_titles", renderNothing(index.Query{Command: index.Ask, Text: "@everyone volcanoes?"},
			nil, nil, []string{article.Title}, true)},
		{"nothing_query_2000", renderNothing(index.Query{Command: index.Ask, Text: long}, nil, nil, []string{article.Title}, false)},
		{"context", renderContext([]corpus.Passage{
			{ID: "example-linked#1", Paragraph: 0, Text: "A standfirst about seafood."},
			{ID: "example-linked#2", Paragraph: 1, Text: markdownText},
			{ID: "example-linked#3", Paragraph: 2, Text: longText(6000)},
		}, linked, "example-linked#2")},
		{"sources", renderSources([]*corpus.Document{article, summary, linked}, false)},
		{"sources_many", renderSources(manyDocs(200), true)},
		{"help", renderHelp()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkLimits(tc.msg); err != nil {
				t.Errorf("the message breaks Discord's limits: %v", err)
			}
			golden(t, tc.name+".txt", dump(tc.msg))
		})
	}
}

func manyDocs(n int) []*corpus.Document {
	var out []*corpus.Document
	for i := range n {
		out = append(out, &corpus.Document{ID: fmt.Sprintf("d%03d", i), Title: fmt.Sprintf("Article number %d about the visit", i),
			Publication: "The Test Gazette", Published: published, URL: fmt.Sprintf("https://example.com/%d", i), Kind: corpus.KindArticle})
	}
	return out
}

func TestQuoteRendersTheTextAsWritten(t *testing.T) {
	for _, text := range []string{seafoodText, markdownText, "a\\b*c_d~e`f|g>h<i[j]k", "multi\nline\r\ntext", "@everyone"} {
		q := quote(text, nil, len(text))
		got := strings.ReplaceAll(strings.ReplaceAll(unescape(q), "\n> ", "\n"), "\r", "")
		got = strings.TrimPrefix(got, "> ")
		// Line-start escapes ("\#", "\-", "1\.") unescape too.
		want := strings.ReplaceAll(text, "\r", "")
		if got != want {
			t.Errorf("quote(%q) reads back as %q", text, got)
		}
	}
}

func sp(start, end int) index.Span { return index.Span{Start: start, End: end} }

func TestQuoteBoldsOnlyUsableSpans(t *testing.T) {
	text := "Wang Yi met Iwaya in 北京.\nThen left."
	for _, tc := range []struct {
		name  string
		spans []index.Span
		want  string
	}{
		{"word", []index.Span{sp(0, 4)}, "> **Wang** Yi met Iwaya in 北京.\n> Then left."},
		{"adjacent spans merge", []index.Span{sp(0, 2), sp(2, 4)}, "> **Wang** Yi met Iwaya in 北京.\n> Then left."},
		{"two words", []index.Span{sp(0, 4), sp(4, 7)}, "> **Wang** **Yi** met Iwaya in 北京.\n> Then left."},
		{"overlapping spans merge", []index.Span{sp(5, 7), sp(0, 6)}, "> **Wang Yi** met Iwaya in 北京.\n> Then left."},
		{"spaces trimmed", []index.Span{sp(7, 11)}, "> Wang Yi **met** Iwaya in 北京.\n> Then left."},
		{"inside a rune", []index.Span{sp(22, 24)}, "> Wang Yi met Iwaya in 北京.\n> Then left."},
		{"across a line", []index.Span{sp(20, 35)}, "> Wang Yi met Iwaya in 北京.\n> Then left."},
		{"out of range", []index.Span{sp(-1, 3), sp(30, 99), sp(5, 5)}, "> Wang Yi met Iwaya in 北京.\n> Then left."},
	} {
		if got := quote(text, tc.spans, len(text)); got != tc.want {
			t.Errorf("%s: quote = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestFitQuoteCutsOnABoundaryAndFits(t *testing.T) {
	text := longText(3000)
	h := hit(article, 1, 1, text, "seafood")
	for _, max := range []int{3, 10, 100, 999, 1024, 2999} {
		got := fitQuote(text, h.Highlights, max)
		if textLen(got) > max {
			t.Errorf("fitQuote(max %d) has %d characters", max, textLen(got))
		}
		if max >= 100 && !strings.HasSuffix(got, "…") {
			t.Errorf("fitQuote(max %d) = %q, want it to end in …", max, got)
		}
		if strings.Count(got, "**")%2 != 0 {
			t.Errorf("fitQuote(max %d) leaves bold open: %q", max, got)
		}
	}
	emoji := strings.Repeat("🐟", 500)
	if got := fitQuote(emoji, nil, 101); textLen(got) > 101 || !strings.HasSuffix(got, "🐟…") {
		t.Errorf("fitQuote on 4-byte runes = %q", got)
	}
}

func TestShareDividesTheBudget(t *testing.T) {
	for _, tc := range []struct {
		budget int
		sizes  []int
		want   []int
	}{
		{100, []int{10, 20, 30}, []int{10, 20, 30}},
		{90, []int{10, 100, 100}, []int{10, 40, 40}},
		{90, []int{100, 10, 100}, []int{40, 10, 40}},
		{0, []int{5, 5}, []int{0, 0}},
		{-5, []int{5}, []int{0}},
	} {
		got := share(tc.budget, tc.sizes)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("share(%d, %v) = %v, want %v", tc.budget, tc.sizes, got, tc.want)
		}
	}
}

func TestRenderChoicesStaysWithinLimits(t *testing.T) {
	names := []string{"", "  ", "Wang Yi", "Wang  Yi", strings.Repeat("n", 150), strings.Repeat("🐟", 80)}
	for i := range 40 {
		names = append(names, fmt.Sprintf("person %d", i))
	}
	cs := renderChoices(names)
	if err := checkChoices(cs); err != nil {
		t.Fatal(err)
	}
	if len(cs) != maxChoices || cs[0] != (Choice{"Wang Yi", "Wang Yi"}) || cs[1].Name != strings.Repeat("n", 99)+"…" {
		t.Errorf("renderChoices = %v", cs[:3])
	}
}

func TestCheckLimitsCatchesEveryLimit(t *testing.T) {
	next := 0
	row := func(n int) []Button {
		var bs []Button
		for range n {
			next++
			bs = append(bs, Button{Label: "b", CustomID: fmt.Sprint("id", next)})
		}
		return bs
	}
	text := func(n int) string { return strings.Repeat("a", n) }
	embed := Embed{Description: "d"}
	for _, tc := range []struct {
		name string
		m    Message
	}{
		{"empty", Message{}},
		{"content", Message{Content: text(2001)}},
		{"title", Message{Embeds: []Embed{{Title: text(257)}}}},
		{"description", Message{Embeds: []Embed{{Description: text(4097)}}}},
		{"footer", Message{Embeds: []Embed{{Description: "d", Footer: text(2049)}}}},
		{"author", Message{Embeds: []Embed{{Author: text(257)}}}},
		{"field name", Message{Embeds: []Embed{{Fields: []Field{{Name: text(257), Value: "v"}}}}}},
		{"field value", Message{Embeds: []Embed{{Fields: []Field{{Name: "n", Value: text(1025)}}}}}},
		{"empty field", Message{Embeds: []Embed{{Fields: []Field{{Name: "n"}}}}}},
		{"fields", Message{Embeds: []Embed{{Fields: make([]Field, 26)}}}},
		{"embeds", Message{Embeds: make([]Embed, 11)}},
		{"total", Message{Embeds: []Embed{{Description: text(4000)}, {Description: text(2001)}}}},
		{"emoji count double", Message{Embeds: []Embed{{Description: strings.Repeat("🐟", 2049)}}}},
		{"rows", Message{Embeds: []Embed{embed}, Rows: [][]Button{row(1), row(1), row(1), row(1), row(1), row(1)}}},
		{"buttons in a row", Message{Embeds: []Embed{embed}, Rows: [][]Button{row(6)}}},
		{"empty row", Message{Embeds: []Embed{embed}, Rows: [][]Button{{}}}},
		{"custom_id", Message{Embeds: []Embed{embed}, Rows: [][]Button{{{Label: "b", CustomID: text(101)}}}}},
		{"duplicate custom_id", Message{Embeds: []Embed{embed}, Rows: [][]Button{{{Label: "b", CustomID: "x"}, {Label: "c", CustomID: "x"}}}}},
		{"label", Message{Embeds: []Embed{embed}, Rows: [][]Button{{{Label: text(81), CustomID: "x"}}}}},
		{"link without url", Message{Embeds: []Embed{embed}, Rows: [][]Button{{{Label: "l", Style: ButtonLink}}}}},
		{"invalid utf-8", Message{Content: "\xff"}},
	} {
		if err := checkLimits(tc.m); err == nil {
			t.Errorf("%s: checkLimits found nothing", tc.name)
		}
	}
	ok := Message{Content: text(2000), Embeds: []Embed{{Description: text(4096), Author: text(256), Footer: text(1648)}},
		Rows: [][]Button{row(5), row(5), row(5), row(5), row(5)}}
	if err := checkLimits(ok); err != nil {
		t.Errorf("a message at the limits: %v", err)
	}
}

func TestTruncateCutsOnRunes(t *testing.T) {
	for _, tc := range []struct {
		s    string
		max  int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello", 4, "hel…"},
		{"日本語です", 3, "日本…"},
		{"🐟🐟🐟", 4, "🐟…"},
		{"🐟🐟🐟", 2, "…"},
		{"abc", 0, ""},
	} {
		if got := truncate(tc.s, tc.max); got != tc.want || textLen(got) > tc.max {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.max, got, tc.want)
		}
	}
}
