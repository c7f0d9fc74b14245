package bot

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"visitbot/corpus"
	"visitbot/index"
)

// pageSize is how many passages one answer shows.
const pageSize = 3

// zwsp follows every '@' of text we echo or quote, so "@everyone" or
// "<@123>" neither pings (allowed mentions are none anyway) nor renders as
// a mention.
const zwsp = "\u200b"

// writeEscaped writes r so that Discord's Markdown shows it as written.
func writeEscaped(b *strings.Builder, r rune) {
	switch r {
	case '\\', '*', '_', '~', '`', '|', '<', '>', '[', ']':
		b.WriteByte('\\')
		b.WriteRune(r)
	case '@':
		b.WriteString("@" + zwsp)
	default:
		b.WriteRune(r)
	}
}

// escapeMarkdown makes s, set inside a line of Markdown, render as written.
// Line breaks become spaces.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			writeEscaped(&b, r)
		}
	}
	return b.String()
}

// plain makes s fit a place Discord shows as plain text (embed author and
// footer): one line of valid UTF-8 (a document may hold stray bytes), with
// mentions neutralised.
func plain(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	return strings.ReplaceAll(s, "@", "@"+zwsp)
}

// quote renders text[:cut] as a Markdown block quote that shows the text as
// written, with the spans in bold, and "…" when cut is short of the end.
func quote(text string, spans []index.Span, cut int) string {
	spans = usableSpans(text, spans, cut)
	var b strings.Builder
	b.Grow(cut + cut/8 + 8)
	b.WriteString("> ")
	lineStart, listMark := true, -1
	si, bold := 0, false
	for i := 0; i < cut; {
		if bold && i == spans[si].End {
			b.WriteString("**")
			bold = false
			si++
		}
		if !bold && si < len(spans) && i == spans[si].Start {
			b.WriteString("**")
			bold = true
		}
		r, w := utf8.DecodeRuneInString(text[i:cut])
		switch {
		case r == '\r':
		case r == '\n':
			b.WriteString("\n> ")
			lineStart = true
		case lineStart && (r == ' ' || r == '\t'):
			b.WriteRune(r)
		default:
			if lineStart {
				lineStart = false
				switch {
				case r == '#' || r == '-' || r == '+':
					// A heading, subtext or list item at the start of a line.
					b.WriteByte('\\')
				case r >= '0' && r <= '9':
					listMark = orderedListMark(text[:cut], i)
				}
			}
			if i == listMark {
				b.WriteByte('\\')
			}
			writeEscaped(&b, r)
		}
		i += w
	}
	if bold {
		b.WriteString("**")
	}
	if cut < len(text) {
		b.WriteString(ellipsis)
	}
	return b.String()
}

// orderedListMark returns the index of the '.' or ')' that makes the line
// starting at i an ordered list item ("1. "), or -1.
func orderedListMark(s string, i int) int {
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j-i > 9 || j >= len(s) || (s[j] != '.' && s[j] != ')') {
		return -1
	}
	if j+1 < len(s) && s[j+1] != ' ' && s[j+1] != '\t' {
		return -1
	}
	return j
}

// usableSpans returns the spans that can be made bold in text[:cut]: inside
// it, on rune boundaries, within one line, without surrounding spaces
// (Markdown does not bold "** word**"), sorted and merged.
func usableSpans(text string, spans []index.Span, cut int) []index.Span {
	var out []index.Span
	for _, s := range spans {
		if s.Start < 0 || s.End > cut || s.Start >= s.End ||
			!utf8.RuneStart(text[s.Start]) || (s.End < len(text) && !utf8.RuneStart(text[s.End])) ||
			strings.ContainsAny(text[s.Start:s.End], "\r\n") {
			continue
		}
		for s.Start < s.End && (text[s.Start] == ' ' || text[s.Start] == '\t') {
			s.Start++
		}
		for s.End > s.Start && (text[s.End-1] == ' ' || text[s.End-1] == '\t') {
			s.End--
		}
		if s.Start < s.End {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// fitQuote renders the quote of text in at most max characters, cutting
// the text (on a word boundary when one is near, else a rune boundary) when
// the whole does not fit.
func fitQuote(text string, spans []index.Span, max int) string {
	if q := quote(text, spans, len(text)); textLen(q) <= max {
		return q
	}
	var starts []int // the cuts to try: every rune boundary short of the end
	for i := range text {
		starts = append(starts, i)
	}
	fits := func(k int) bool { return textLen(quote(text, spans, starts[k])) <= max }
	if !fits(0) {
		return truncate("> "+ellipsis, max)
	}
	// The rendered length grows with the cut: find the longest that fits.
	k := sort.Search(len(starts), func(k int) bool { return !fits(k) }) - 1
	cut := starts[k]
	if sp := strings.LastIndexAny(text[:cut], " \n"); sp > 0 && cut-sp < 40 {
		cut = sp
	}
	return quote(text, spans, cut)
}

// share divides budget among items of the given sizes: all get their size
// when they fit together; otherwise those above a common cap get the cap.
func share(budget int, sizes []int) []int {
	order := make([]int, len(sizes))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return sizes[order[a]] < sizes[order[b]] })
	out := make([]int, len(sizes))
	left := max(budget, 0)
	for n, i := range order {
		c := left / (len(order) - n)
		out[i] = min(sizes[i], c)
		left -= out[i]
	}
	return out
}

// safeLink returns u when it is an absolute http(s) URL that a Markdown link
// can carry, else "".
func safeLink(u string) string {
	if u == "" || len(u) > maxURL || strings.ContainsAny(u, " \t\r\n<>") {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return u
}

// citation is the source line of a passage: a summary label, title,
// publication, byline, date, paragraph (when para >= 0) and link.
func citation(d *corpus.Document, para int) string {
	var parts []string
	if d.Kind == corpus.KindSummary {
		parts = append(parts, "**Summary**, not the article itself")
	}
	if d.Title != "" {
		parts = append(parts, "*"+escapeMarkdown(truncate(d.Title, 120))+"*")
	}
	for _, s := range []string{d.Publication, d.Byline} {
		if s != "" {
			parts = append(parts, escapeMarkdown(truncate(s, 120)))
		}
	}
	if date := d.PublishedDate(); date != "" {
		parts = append(parts, date)
	}
	switch {
	case para == 0:
		parts = append(parts, "standfirst")
	case para > 0:
		parts = append(parts, fmt.Sprintf("paragraph %d", para))
	}
	if u := safeLink(d.URL); u != "" {
		parts = append(parts, "[link](<"+u+">)")
	}
	return "— " + strings.Join(parts, " · ")
}

// answerOptions are how an answer page is shown.
type answerOptions struct {
	ephemeral bool
	shortened bool // the query was shortened to fit a button
}

// renderAnswer shows a page of passages: each quoted verbatim with its
// citation, a footer with how many matched, and buttons to page and to see
// the context of the top passage.
func renderAnswer(res index.Result, o answerOptions) Message {
	q := res.Query
	var notes []string
	if o.shortened {
		notes = append(notes, "Searching “"+escapeMarkdown(q.Text)+"…”: the question was shortened to fit the button.")
	}
	if res.Corrected != "" {
		notes = append(notes, "Showing results for “"+escapeMarkdown(truncate(res.Corrected, 300))+"”.")
	}
	if p := res.Person; p != nil && q.Offset == 0 {
		// A /who answer opens with who they are, in the corpus's words.
		who := "**" + escapeMarkdown(plain(p.Name)) + "**"
		if len(p.Roles) > 0 {
			who += " — " + escapeMarkdown(plain(truncate(strings.Join(p.Roles, "; "), 300)))
		}
		notes = append(notes, who)
	}
	head := strings.Join(notes, "\n")
	if head != "" {
		head += "\n\n"
	}
	cites := make([]string, len(res.Hits))
	sizes := make([]int, len(res.Hits))
	fixed := textLen(head)
	for i, h := range res.Hits {
		cites[i] = citation(h.Doc, h.Passage.Paragraph)
		fixed += textLen(cites[i]) + 1 + 2 // "\n" after the quote, "\n\n" between blocks
		sizes[i] = textLen(quote(h.Passage.Text, h.Highlights, len(h.Passage.Text)))
	}
	allow := share(maxDescription-fixed, sizes)
	blocks := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		blocks[i] = fitQuote(h.Passage.Text, h.Highlights, allow[i]) + "\n" + cites[i]
	}
	e := Embed{
		Author:      truncate(plain("/"+string(q.Command)+" "+q.Text), maxAuthor),
		Description: truncate(head+strings.Join(blocks, "\n\n"), maxDescription),
		Footer:      footer(q.Offset, len(res.Hits), res.Total),
		Color:       embedColor,
	}
	m := Message{Embeds: []Embed{e}, Ephemeral: o.ephemeral}
	var row []Button
	if q.Offset > 0 {
		id, _ := moreID(q.Command, max(0, q.Offset-pageSize), q.Text)
		row = append(row, Button{Label: "Back", Style: ButtonSecondary, CustomID: id})
	}
	if next := q.Offset + len(res.Hits); len(res.Hits) > 0 && next < res.Total {
		id, _ := moreID(q.Command, next, q.Text)
		row = append(row, Button{Label: "More", Style: ButtonPrimary, CustomID: id})
	}
	if len(res.Hits) > 0 {
		if id, ok := contextID(res.Hits[0].Passage.ID); ok {
			row = append(row, Button{Label: "Context", Style: ButtonSecondary, CustomID: id})
		}
	}
	if len(row) > 0 {
		m.Rows = [][]Button{row}
	}
	return m
}

func footer(offset, shown, total int) string {
	switch {
	case total == 1:
		return "1 passage matches"
	case shown == 0:
		return fmt.Sprintf("%d passages match", total)
	case shown == 1:
		return fmt.Sprintf("Passage %d of the %d that match", offset+1, total)
	}
	return fmt.Sprintf("Passages %d–%d of the %d that match", offset+1, offset+shown, total)
}

// renderNothing says nothing is relevant to q and names what the corpus
// covers: topics and people, or else document titles.
func renderNothing(q index.Query, topics, people, titles []string, ephemeral bool) Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Nothing in these articles is about “%s”.", escapeMarkdown(truncate(q.Text, index.MaxQueryLen)))
	list := func(names []string) string {
		out := make([]string, 0, len(names))
		for _, n := range names {
			out = append(out, escapeMarkdown(truncate(n, 100)))
		}
		return strings.Join(out, ", ")
	}
	var covers []string
	if len(topics) > 0 {
		covers = append(covers, "topics such as "+list(topics))
	}
	if len(people) > 0 {
		covers = append(covers, "people such as "+list(people))
	}
	switch {
	case len(covers) > 0:
		fmt.Fprintf(&b, "\n\nThey cover %s.", strings.Join(covers, "; and "))
	case len(titles) > 0:
		ts := make([]string, 0, len(titles))
		for _, t := range titles {
			ts = append(ts, "*"+escapeMarkdown(truncate(t, 200))+"*")
		}
		fmt.Fprintf(&b, "\n\nThey are: %s.", strings.Join(ts, "; "))
	}
	b.WriteString("\n\nTry /issue or /who, which suggest what they cover as you type, or /sources for the list of articles.")
	return Message{
		Embeds: []Embed{{
			Author:      truncate(plain("/"+string(q.Command)+" "+q.Text), maxAuthor),
			Description: truncate(b.String(), maxDescription),
			Color:       embedColor,
		}},
		Ephemeral: ephemeral,
	}
}

// renderContext shows the passages around focus, each quoted verbatim under
// its paragraph number, then the document's citation.
func renderContext(ps []corpus.Passage, d *corpus.Document, focus string) Message {
	cite := citation(d, -1)
	heads := make([]string, len(ps))
	sizes := make([]int, len(ps))
	fixed := textLen(cite) + 2
	for i, p := range ps {
		h := fmt.Sprintf("**Paragraph %d**", p.Paragraph)
		if p.Paragraph == 0 {
			h = "**Standfirst**"
		}
		if p.ID == focus {
			h += " · the passage found"
		}
		heads[i] = h
		fixed += textLen(h) + 1 + 2
		sizes[i] = textLen(quote(p.Text, nil, len(p.Text)))
	}
	allow := share(maxDescription-fixed, sizes)
	blocks := make([]string, len(ps))
	for i, p := range ps {
		blocks[i] = heads[i] + "\n" + fitQuote(p.Text, nil, allow[i])
	}
	return Message{
		Embeds: []Embed{{
			Author:      truncate(plain("Context · "+d.Title), maxAuthor),
			Description: truncate(strings.Join(blocks, "\n\n")+"\n\n"+cite, maxDescription),
			Color:       embedColor,
		}},
		Ephemeral: true,
	}
}

// renderSources lists the documents with their dates and links, as many as
// fit.
func renderSources(docs []*corpus.Document, ephemeral bool) Message {
	e := Embed{Author: "Sources", Color: embedColor}
	if len(docs) == 0 {
		e.Description = "No articles are loaded yet."
		return Message{Embeds: []Embed{e}, Ephemeral: ephemeral}
	}
	lines := make([]string, len(docs))
	for i, d := range docs {
		lines[i] = fmt.Sprintf("**%d.** %s", i+1, strings.TrimPrefix(citation(d, -1), "— "))
	}
	e.Description = fitLines(lines, "", maxDescription)
	e.Footer = fmt.Sprintf("%d documents", len(docs))
	if len(docs) == 1 {
		e.Footer = "1 document"
	}
	return Message{Embeds: []Embed{e}, Ephemeral: ephemeral}
}

// helpText is what /help says.
const helpText = `I answer with passages quoted word for word from the news articles I hold, each with its source.

**/issue** topic — passages about a topic, e.g. seafood ban
**/who** name — passages about a person, e.g. Wang Yi
**/ask** question — passages that answer a question, e.g. why did China ban Japanese seafood?
**/sources** — the articles I quote, with dates and links
**/help** — this message
**/corpus** add, remove, list, refresh, topics — for moderators: keep the articles current

/issue and /who suggest the topics and people I know as you type; anything else you type is searched too. Add **private: True** to see an answer only yourself. Under an answer, **More** shows the next passages and **Context** the paragraphs around the first one.`

func renderHelp() Message {
	return Message{
		Embeds:    []Embed{{Author: "visitbot", Description: helpText, Color: embedColor}},
		Ephemeral: true,
	}
}

// fitLines joins lines, one a line, as many as fit in max characters; when
// some do not fit it ends with "…and N more" (of what, if what is given).
func fitLines(lines []string, what string, max int) string {
	var b strings.Builder
	for i, line := range lines {
		more := fmt.Sprintf("\n…and %d more%s.", len(lines)-i, what)
		if textLen(b.String())+1+textLen(line)+textLen(more) > max {
			b.WriteString(more)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	return b.String()
}

// renderChoices turns names into autocomplete choices within Discord's
// limits: names cut with "…", values cut without it (a shortened value is
// still a fine search), duplicates and blanks dropped, at most 25.
func renderChoices(names []string) []Choice {
	out := make([]Choice, 0, min(len(names), maxChoices))
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.Join(strings.Fields(n), " ")
		if n == "" {
			continue
		}
		v := strings.TrimSpace(cut(n, maxChoiceValue))
		if seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, Choice{Name: truncate(n, maxChoiceName), Value: v})
		if len(out) == maxChoices {
			break
		}
	}
	return out
}

// errorMessage is a refusal or error: one plain sentence, ephemeral.
func errorMessage(sentence string) Message {
	return Message{Content: truncate(sentence, maxContent), Ephemeral: true}
}
