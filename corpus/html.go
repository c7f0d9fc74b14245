package corpus

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// fromHTML extracts the main article of a page with go-readability (a port of
// Firefox's Reader View, so navigation, ads and footers are its problem, not
// ours) and returns its block-level paragraphs and the metadata the page
// declares.
func fromHTML(data []byte, pageURL string) ([]string, found, error) {
	var u *url.URL
	if pageURL != "" {
		var err error
		if u, err = url.Parse(pageURL); err != nil {
			return nil, found{}, fmt.Errorf("page URL %q: %w", pageURL, err)
		}
	}
	parser := readability.NewParser()
	parser.MaxElemsToParse = 200_000 // bounds the work a hostile page can cause
	art, err := parser.Parse(bytes.NewReader(data), u)
	if err != nil || art.Node == nil {
		return nil, found{}, ErrNoText
	}
	var f found
	f.title = normalizeSpace(art.Title())
	f.publication = normalizeSpace(art.SiteName())
	f.wire = normalizeSpace(art.Byline())
	if t, err := art.PublishedTime(); err == nil {
		f.published = t.UTC().Truncate(24 * 60 * 60 * 1e9)
	}
	var paras []string
	collectBlocks(art.Node, &paras)
	if len(paras) == 0 {
		return nil, found{}, ErrNoText
	}
	return paras, f, nil
}

// blockTags are the elements whose text is one paragraph.
var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Li: true, atom.Blockquote: true, atom.Pre: true,
	atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Figcaption: true, atom.Dd: true, atom.Dt: true, atom.Td: true,
}

func collectBlocks(n *html.Node, out *[]string) {
	if n.Type == html.ElementNode && blockTags[n.DataAtom] {
		var b strings.Builder
		text(n, &b)
		if t := normalizeSpace(b.String()); t != "" {
			*out = append(*out, t)
		}
		return
	}
	// Text directly inside a container (a <div> with no <p>) is a paragraph too.
	var loose strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			loose.WriteString(c.Data)
			continue
		}
		if c.Type == html.ElementNode && !containsBlock(c) {
			text(c, &loose)
			continue
		}
		if t := normalizeSpace(loose.String()); t != "" {
			*out = append(*out, t)
		}
		loose.Reset()
		collectBlocks(c, out)
	}
	if t := normalizeSpace(loose.String()); t != "" {
		*out = append(*out, t)
	}
}

func containsBlock(n *html.Node) bool {
	if n.Type == html.ElementNode && (blockTags[n.DataAtom] || n.DataAtom == atom.Div || n.DataAtom == atom.Section || n.DataAtom == atom.Article) {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if containsBlock(c) {
			return true
		}
	}
	return false
}

func text(n *html.Node, b *strings.Builder) {
	switch {
	case n.Type == html.TextNode:
		b.WriteString(n.Data)
	case n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style):
		return
	case n.Type == html.ElementNode && n.DataAtom == atom.Br:
		b.WriteByte(' ')
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		text(c, b)
	}
}
