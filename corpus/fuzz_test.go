package corpus

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLoad feeds the loader arbitrary bytes as text, Markdown and HTML. It
// must never panic, and whatever it accepts must be a valid document whose
// passages are verbatim pieces of the input (for text) and within bounds.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"scraped-independent.txt", "frontmatter.md", "article.html", "noarticle.html", "people.txt"} {
		f.Add(name, mustReadF(f, name))
	}
	f.Add("x.md", []byte("---\ntitle: [\n---\nbody"))
	f.Add("x.html", []byte("<html><body><p>"+strings.Repeat("<div>", 500)+"deep</p>"))
	f.Add("x.txt", []byte("“unclosed quote, said Li Qiang\n\nBy \n\n25 December 2024"))
	f.Add("x.txt", []byte{0xff, 0xfe, 'a', 0})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		d, err := Load(name, data, Meta{})
		if err != nil {
			if _, ok := UserMessage(err); !ok {
				t.Fatalf("Load(%q) error %v is not a user error", name, err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("Load(%q) returned an invalid document: %v", name, err)
		}
		for _, p := range d.Passages {
			if strings.TrimSpace(p.Text) == "" {
				t.Fatalf("passage %s is blank", p.ID)
			}
			if !utf8.ValidString(p.Text) && utf8.Valid(data) {
				t.Fatalf("passage %s is not valid UTF-8 though the input is", p.ID)
			}
			// Verbatim but for line breaks: a hard-wrapped paragraph is
			// joined with spaces.
			if DetectFormat(name, data) == FormatText && !strings.Contains(fields(string(data)), fields(p.Text)) {
				t.Fatalf("passage %s is not verbatim: %q", p.ID, p.Text)
			}
		}
	})
}

func fields(s string) string { return strings.Join(strings.Fields(s), " ") }

func mustReadF(f *testing.F, name string) []byte {
	f.Helper()
	data, err := readTestdata(name)
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// FuzzThesaurus parses arbitrary topic lists: an error or a thesaurus, never
// a panic, and tagging with what it accepts never panics either.
func FuzzThesaurus(f *testing.F) {
	f.Add(shippedTopics, "The seafood ban and the U.S. alliance.")
	f.Add("a: b, c\n# x\n", "b c")
	f.Fuzz(func(t *testing.T, src, text string) {
		th, err := ParseThesaurus(strings.NewReader(src))
		if err != nil {
			return
		}
		th.About(text)
	})
}
