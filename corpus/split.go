package corpus

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxPassage is the length (in bytes) above which a paragraph is split at
// sentence ends: long enough for any ordinary news paragraph, short enough to
// quote in a Discord embed field with room to spare.
const MaxPassage = 700

// paragraphs splits plain text into paragraphs. Blank lines separate blocks.
// A block whose lines are hard-wrapped (Markdown style: short lines) is one
// paragraph; a block of long lines (one paragraph a line, as scrapers and
// summaries write them) is one paragraph per line.
func paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	for block := range strings.SplitSeq(text, "\n\n") {
		var lines []string
		for l := range strings.SplitSeq(block, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			continue
		}
		if hardWrapped(lines) {
			out = append(out, strings.Join(lines, " "))
			continue
		}
		out = append(out, lines...)
	}
	return out
}

// hardWrapped reports lines that were wrapped at a fixed width: every line but
// the last is of a modest length typical of wrapping (41 to 100 characters) and
// the lines do not each end a sentence. Short stacked lines (a byline over a
// dateline) stay separate.
func hardWrapped(lines []string) bool {
	if len(lines) < 2 {
		return false
	}
	ends := 0
	for _, l := range lines[:len(lines)-1] {
		if n := utf8.RuneCountInString(l); n <= 40 || n > 100 {
			return false
		}
		if r, _ := lastRune(l); strings.ContainsRune(".!?”\"", r) {
			ends++
		}
	}
	return ends < len(lines)-1
}

// passages numbers the kept paragraphs and splits long ones at sentence ends.
// The standfirst, when kept, is paragraph 0.
func passages(docID string, paras []para, standfirst string) []Passage {
	var out []Passage
	n := 0
	for _, p := range paras {
		if p.drop != "" {
			continue
		}
		num := n + 1
		if standfirst != "" && p.text == standfirst && n == 0 {
			num = 0
		} else {
			n++
		}
		for _, chunk := range splitLong(p.text, MaxPassage) {
			out = append(out, Passage{
				ID:        docID + "#" + strconv.Itoa(len(out)+1),
				Doc:       docID,
				Paragraph: num,
				Text:      chunk,
			})
		}
	}
	return out
}

// splitLong cuts a paragraph longer than max into runs of whole sentences,
// each a verbatim substring. A single sentence longer than max stays whole:
// cutting mid-sentence would misquote.
func splitLong(p string, max int) []string {
	if len(p) <= max {
		return []string{p}
	}
	var out []string
	start, last := 0, 0
	for _, end := range sentenceEnds(p) {
		if end-start > max && last > start {
			out = append(out, strings.TrimSpace(p[start:last]))
			start = last
		}
		last = end
	}
	if rest := strings.TrimSpace(p[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// sentenceEnds returns the byte offsets just after each sentence: after a
// '.', '!' or '?' (and any closing quotes) followed by a space and a capital
// letter or an opening quote. Initials and abbreviations ("U.S. President")
// are not ends: the word before the dot must be longer than one letter and
// not a known abbreviation.
func sentenceEnds(p string) []int {
	var ends []int
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		if r != '.' && r != '!' && r != '?' {
			continue
		}
		j := i
		for j < len(p) {
			q, qs := utf8.DecodeRuneInString(p[j:])
			if q != '"' && q != '”' && q != '’' && q != ')' {
				break
			}
			j += qs
		}
		if j >= len(p) || p[j] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(p[j+1:])
		if !unicode.IsUpper(next) && next != '"' && next != '“' {
			continue
		}
		if r == '.' && abbreviation(p[:i-1]) {
			continue
		}
		ends = append(ends, j)
	}
	ends = append(ends, len(p))
	return ends
}

var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true,
	"gen": true, "gov": true, "sen": true, "rep": true, "lt": true, "col": true,
	"no": true, "vs": true, "jan": true, "feb": true, "aug": true, "sept": true,
	"oct": true, "nov": true, "dec": true, "inc": true, "co": true, "corp": true,
}

// abbreviation reports whether the text before a dot ends in an initial, a
// dotted acronym ("U.S") or a common abbreviation.
func abbreviation(before string) bool {
	k := strings.LastIndexFunc(before, func(r rune) bool { return r == ' ' || r == '(' || r == '“' || r == '"' })
	w := before
	if k >= 0 {
		_, size := utf8.DecodeRuneInString(before[k:])
		w = before[k+size:]
	}
	if utf8.RuneCountInString(w) <= 1 || strings.Contains(w, ".") {
		return true
	}
	return abbreviations[strings.ToLower(w)]
}
