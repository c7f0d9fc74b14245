package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind says what a document is. A summary is never passed off as the article.
type Kind string

const (
	KindArticle Kind = "article"
	KindSummary Kind = "summary"
)

// Document is one source in the corpus.
type Document struct {
	ID          string    // stable, URL-safe; passages are "<ID>#<n>"
	Title       string    // headline
	Publication string    // e.g. "The Independent"
	Byline      string    // wire and writers, e.g. "AP; Mari Yamaguchi contributed"
	Published   time.Time // date of publication (zero when unknown)
	Standfirst  string    // the line under the headline, when there is one
	URL         string    // only when the source states it
	Kind        Kind
	People      []Person // who the document names, with their roles
	Passages    []Passage
}

// Passage is a verbatim paragraph (or, for a very long paragraph, a run of its
// sentences) with what ingest found in it.
type Passage struct {
	ID        string   // "<doc>#<n>", n counting passages from 1
	Doc       string   // Document.ID
	Paragraph int      // paragraph number in the body, from 1; 0 for the standfirst
	Text      string   // verbatim
	People    []string // canonical names of the people it mentions
	Speakers  []string // the people it quotes directly
	Topics    []string // thesaurus labels it is about
}

// Source is the citation line for a document: publication, byline and date.
func (d *Document) Source() string {
	var parts []string
	if d.Publication != "" {
		parts = append(parts, d.Publication)
	}
	if d.Byline != "" {
		parts = append(parts, d.Byline)
	}
	return strings.Join(parts, " · ")
}

// PublishedDate is the publication date as YYYY-MM-DD, or "" when unknown.
func (d *Document) PublishedDate() string {
	if d.Published.IsZero() {
		return ""
	}
	return d.Published.Format(time.DateOnly)
}

// Person returns what the document says of the named person.
func (d *Document) Person(name string) (Person, bool) {
	for _, p := range d.People {
		if p.Name == name {
			return p, true
		}
	}
	return Person{}, false
}

// Passage returns the passage with the given ID.
func (d *Document) Passage(id string) (Passage, bool) {
	for _, p := range d.Passages {
		if p.ID == id {
			return p, true
		}
	}
	return Passage{}, false
}

// Validate reports the first thing that makes d unusable as a corpus document.
func (d *Document) Validate() error {
	switch {
	case d.ID == "":
		return fmt.Errorf("document has no id")
	case !validID(d.ID):
		return fmt.Errorf("document id %q must be letters, digits, '-', '_' or '.'", d.ID)
	case d.Kind != KindArticle && d.Kind != KindSummary:
		return fmt.Errorf("document %s: unknown kind %q", d.ID, d.Kind)
	case len(d.Passages) == 0:
		return fmt.Errorf("document %s: %w", d.ID, ErrNoText)
	}
	return nil
}

func validID(id string) bool {
	if len(id) > 80 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// Set is what visitbot answers from: the documents and the topic thesaurus
// their passages are tagged with.
type Set struct {
	Docs      []*Document
	Thesaurus *Thesaurus // nil: no topics
}

// NewSet tags the passages of docs with the thesaurus's topics and returns
// the set.
func NewSet(docs []*Document, th *Thesaurus) Set {
	if th != nil {
		th.Tag(docs)
	}
	return Set{Docs: docs, Thesaurus: th}
}

// Fingerprint identifies everything in the set that is indexed or shown: two
// sets with the same fingerprint index alike.
func (s Set) Fingerprint() string {
	h := sha256.New()
	io.WriteString(h, Fingerprint(s.Docs))
	if s.Thesaurus != nil {
		for _, t := range s.Thesaurus.Topics {
			fmt.Fprintf(h, "%d:%s", len(t.Label), t.Label)
			for _, p := range t.Phrases {
				fmt.Fprintf(h, "%d:%s", len(p), p)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Fingerprint identifies the content of a set of documents: everything that
// is indexed or shown. Two corpora with the same fingerprint index alike.
func Fingerprint(docs []*Document) string {
	sorted := slices.Clone(docs)
	slices.SortFunc(sorted, func(a, b *Document) int { return strings.Compare(a.ID, b.ID) })
	h := sha256.New()
	w := func(s string) { fmt.Fprintf(h, "%d:%s", len(s), s) }
	for _, d := range sorted {
		w(d.ID)
		w(d.Title)
		w(d.Publication)
		w(d.Byline)
		w(d.PublishedDate())
		w(d.Standfirst)
		w(d.URL)
		w(string(d.Kind))
		for _, p := range d.People {
			w(p.Name)
			w(strings.Join(p.Roles, "\x1f"))
		}
		for _, p := range d.Passages {
			w(p.ID)
			w(strconv.Itoa(p.Paragraph))
			w(p.Text)
			w(strings.Join(p.People, "\x1f"))
			w(strings.Join(p.Speakers, "\x1f"))
			w(strings.Join(p.Topics, "\x1f"))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
