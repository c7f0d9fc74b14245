package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/adrg/frontmatter"
)

// Errors a loader returns for input no one could index. Their text is fit to
// show a user.
var (
	ErrEmpty       error = &UserError{Msg: "The file is empty."}
	ErrBinary      error = &UserError{Msg: "The file is not text (it looks binary)."}
	ErrNoText      error = &UserError{Msg: "No article text was found in it."}
	ErrFrontMatter error = &UserError{Msg: "Its front matter is not valid YAML."}
)

// Format is how a source is written.
type Format string

const (
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
)

// Meta is what a caller (or a front-matter header) already knows about a
// document. Non-empty fields win over what cleaning reads off the text.
type Meta struct {
	ID          string `yaml:"id"`
	Title       string `yaml:"title"`
	Publication string `yaml:"publication"`
	Byline      string `yaml:"byline"`
	Published   string `yaml:"published"` // YYYY-MM-DD
	Standfirst  string `yaml:"standfirst"`
	URL         string `yaml:"url"`
	Kind        Kind   `yaml:"kind"`
}

// DetectFormat picks the format from the file name, then from the content.
func DetectFormat(name string, data []byte) Format {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".md", ".markdown":
		return FormatMarkdown
	}
	head := bytes.TrimLeft(data[:min(len(data), 512)], " \t\r\n\ufeff")
	switch {
	case bytes.HasPrefix(head, []byte("---")):
		return FormatMarkdown
	case strings.HasPrefix(http.DetectContentType(head), "text/html"):
		return FormatHTML
	}
	return FormatText
}

// Load turns the bytes of one source into a document. name is the file name
// or URL path (it picks the format and, failing all else, the ID); meta holds
// what the caller knows (an empty Meta is fine).
func Load(name string, data []byte, meta Meta) (*Document, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	if !looksText(data) {
		return nil, ErrBinary
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))

	var (
		paras []string
		f     found
		err   error
	)
	switch DetectFormat(name, data) {
	case FormatHTML:
		paras, f, err = fromHTML(data, meta.URL)
		if err != nil {
			return nil, err
		}
	case FormatMarkdown:
		var fm Meta
		body, err := frontmatter.Parse(bytes.NewReader(data), &fm)
		if err != nil && !errors.Is(err, frontmatter.ErrNotFound) {
			return nil, &UserError{Msg: ErrFrontMatter.Error(), Err: err}
		}
		if err == nil {
			data = body
		}
		meta = merge(meta, fm)
		paras = markdownParagraphs(string(data), &f)
	default:
		paras = paragraphs(string(data))
	}

	// looksText lets a few stray bytes through (a mis-saved file); a
	// passage and its citation are always valid UTF-8.
	for i, p := range paras {
		paras[i] = strings.ToValidUTF8(p, "\uFFFD")
	}
	kept, read := clean(paras)
	f = mergeFound(f, read)
	d := &Document{
		ID:          firstNonEmpty(meta.ID, slug(name)),
		Title:       firstNonEmpty(meta.Title, f.title),
		Publication: firstNonEmpty(meta.Publication, f.publication),
		Byline:      firstNonEmpty(meta.Byline, f.byline()),
		Standfirst:  firstNonEmpty(meta.Standfirst, f.standfirst),
		URL:         meta.URL,
		Kind:        meta.Kind,
		Published:   f.published,
	}
	if d.Kind == "" {
		d.Kind = KindArticle
	}
	for _, f := range []*string{&d.Title, &d.Publication, &d.Byline, &d.Standfirst, &d.URL} {
		*f = strings.ToValidUTF8(*f, "\uFFFD")
	}
	if meta.Published != "" {
		t, err := time.Parse(time.DateOnly, meta.Published)
		if err != nil {
			return nil, &UserError{Msg: fmt.Sprintf("Its published date %q is not a YYYY-MM-DD date.", meta.Published), Err: err}
		}
		d.Published = t
	}
	d.Passages = passages(d.ID, kept, d.Standfirst)
	annotate(d)
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// markdownParagraphs drops Markdown headings (the first becomes the title) and
// returns the paragraphs of the rest.
func markdownParagraphs(text string, f *found) []string {
	var body []string
	for line := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") {
			h := strings.TrimSpace(strings.TrimLeft(t, "#"))
			if f.title == "" && h != "" {
				f.title = h
			}
			body = append(body, "")
			continue
		}
		body = append(body, line)
	}
	return paragraphs(strings.Join(body, "\n"))
}

func merge(a, b Meta) Meta {
	a.ID = firstNonEmpty(a.ID, b.ID)
	a.Title = firstNonEmpty(a.Title, b.Title)
	a.Publication = firstNonEmpty(a.Publication, b.Publication)
	a.Byline = firstNonEmpty(a.Byline, b.Byline)
	a.Published = firstNonEmpty(a.Published, b.Published)
	a.Standfirst = firstNonEmpty(a.Standfirst, b.Standfirst)
	a.URL = firstNonEmpty(a.URL, b.URL)
	if a.Kind == "" {
		a.Kind = b.Kind
	}
	return a
}

func mergeFound(a, b found) found {
	a.title = firstNonEmpty(a.title, b.title)
	a.standfirst = firstNonEmpty(a.standfirst, b.standfirst)
	a.publication = firstNonEmpty(a.publication, b.publication)
	a.wire = firstNonEmpty(a.wire, b.wire)
	a.contributors = append(a.contributors, b.contributors...)
	if a.published.IsZero() {
		a.published = b.published
	}
	return a
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// looksText rejects data with NUL bytes or that is not mostly valid UTF-8.
func looksText(data []byte) bool {
	sample := data[:min(len(data), 8192)]
	if bytes.IndexByte(sample, 0) >= 0 {
		return false
	}
	bad := 0
	for len(sample) > 0 {
		r, size := utf8.DecodeRune(sample)
		if r == utf8.RuneError && size == 1 && len(sample) >= utf8.UTFMax {
			bad++
		}
		sample = sample[size:]
	}
	return bad*100 <= len(data[:min(len(data), 8192)])
}

// slug makes a document ID from a file name or URL path.
func slug(name string) string {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	if ext := path.Ext(base); ext != "" && len(ext) <= 6 {
		base = strings.TrimSuffix(base, ext)
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" || s == "." {
		return "doc"
	}
	return s
}

// annotate finds the people a document names and, for each passage, who it
// mentions and whom it quotes.
func annotate(d *Document) {
	d.People = findPeople(d.Passages)
	r := newResolver(d.People)
	for i := range d.Passages {
		p := &d.Passages[i]
		p.People = r.mentions(p.Text)
		p.Speakers = speakers(p.Text, r)
	}
}
