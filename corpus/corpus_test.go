package corpus

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff):\n%s", name, got)
	}
}

func loadFile(t *testing.T, name string) (*Document, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Load(name, data, Meta{})
}

// describe renders a document for golden files: metadata, then each passage.
func describe(d *Document) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id: %s\ntitle: %s\npublication: %s\nbyline: %s\npublished: %s\nstandfirst: %s\nurl: %s\nkind: %s\n",
		d.ID, d.Title, d.Publication, d.Byline, d.PublishedDate(), d.Standfirst, d.URL, d.Kind)
	for _, p := range d.Passages {
		fmt.Fprintf(&b, "\n[%s ¶%d]\n%s\n", p.ID, p.Paragraph, p.Text)
	}
	return b.String()
}

func TestCleaningTheScrapedSeedKeepsEveryParagraphAndNoBoilerplate(t *testing.T) {
	d, err := loadFile(t, "scraped-independent.txt")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "scraped-independent.golden", describe(d))

	for _, junk := range []string{"notifications", "Your support", "donation", "Thank you for registering", "logged in", "paywalls", "climate change", "—-", "Via AP news wire", "03:30 EST"} {
		for _, p := range d.Passages {
			if strings.Contains(p.Text, junk) {
				t.Errorf("passage %s holds boilerplate %q: %q", p.ID, junk, p.Text)
			}
		}
	}
	// Every news paragraph of the page is a passage, byte for byte.
	raw, _ := os.ReadFile(filepath.Join("testdata", "scraped-independent.txt"))
	start := strings.Index(string(raw), "Japanese Foreign Minister Takeshi Iwaya met")
	end := strings.Index(string(raw), "\n—-")
	var want []string
	for _, p := range strings.Split(string(raw[start:end]), "\n\n") {
		want = append(want, strings.TrimSpace(p))
	}
	want = append(want, "AP writer Mari Yamaguchi contributed to this report from Tokyo.")
	var got []string
	for _, p := range d.Passages[1:] { // the first is the standfirst
		got = append(got, p.Text)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("body passages differ from the article's paragraphs:\ngot  %q\nwant %q", got, want)
	}
	if p := d.Passages[2]; p.Paragraph != 2 || !strings.Contains(p.Text, "China’s ban on Japanese seafood") {
		t.Errorf("passage 3 = ¶%d %q, want ¶2, the seafood-ban paragraph with its curly apostrophe", p.Paragraph, p.Text)
	}
}

func TestMetadataIsReadOffTheScrapedPage(t *testing.T) {
	d, err := loadFile(t, "scraped-independent.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ field, got, want string }{
		{"title", d.Title, `Japan's foreign minister seeks "positive" direction in bilateral ties during his visit to China`},
		{"publication", d.Publication, "The Independent"},
		{"byline", d.Byline, "AP; Mari Yamaguchi contributed"},
		{"published", d.PublishedDate(), "2024-12-25"},
		{"kind", string(d.Kind), "article"},
		{"url", d.URL, ""}, // the page does not state one; never invent it
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.field, tt.got, tt.want)
		}
	}
	if !strings.HasPrefix(d.Standfirst, "Japanese Foreign Minister Takeshi Iwaya has met") {
		t.Errorf("standfirst = %q", d.Standfirst)
	}
}

func TestLoadFormats(t *testing.T) {
	tests := []struct {
		file                           string
		id, title, publication, byline string
		published, url                 string
		passages                       int
		first                          string
		absent                         []string
	}{
		{
			file: "frontmatter.md", id: "harbour-reopens", title: "Harbour reopens after storm repairs",
			publication: "The Coastal Gazette", byline: "Staff reporter", published: "2025-03-04",
			url: "https://example.org/news/harbour-reopens", passages: 2,
			first:  "The harbour at *Port Ellis* reopened on Monday after three months of repairs to the sea wall, the port authority said. Fishing boats returned within hours.",
			absent: []string{"newsletter", "# Harbour"},
		},
		{
			file: "article.html", id: "article", title: "Library opens night reading room",
			publication: "Riverside Times", byline: "Sam Okafor", published: "2025-06-02", passages: 4,
			first:  "The Riverside public library will keep its main reading room open until midnight from next week, the city council announced on Monday, after students asked for a quiet place to study late.",
			absent: []string{"ADVERTISEMENT", "Home", "Related stories", "cycle lanes", "All rights reserved", "Sign in", "window.ads", "By Sam Okafor"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d, err := loadFile(t, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ field, got, want string }{
				{"id", d.ID, tt.id}, {"title", d.Title, tt.title}, {"publication", d.Publication, tt.publication},
				{"byline", d.Byline, tt.byline}, {"published", d.PublishedDate(), tt.published}, {"url", d.URL, tt.url},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if len(d.Passages) != tt.passages {
				t.Fatalf("%d passages, want %d:\n%s", len(d.Passages), tt.passages, describe(d))
			}
			if d.Passages[0].Text != tt.first {
				t.Errorf("first passage = %q, want %q", d.Passages[0].Text, tt.first)
			}
			for _, junk := range tt.absent {
				for _, p := range d.Passages {
					if strings.Contains(p.Text, junk) {
						t.Errorf("passage %s holds page furniture %q", p.ID, junk)
					}
				}
			}
		})
	}
}

func TestLoadRefusesWhatCannotBeIndexed(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty.txt", nil, ErrEmpty},
		{"blank.txt", []byte("   \n\n \t\n"), ErrEmpty},
		{"binary.png", mustRead(t, "binary.png"), ErrBinary},
		{"noarticle.html", mustRead(t, "noarticle.html"), ErrNoText},
		{"only-junk.txt", []byte("Thank you for registering\n\n—-\n\nYour support makes all the difference.\n"), ErrNoText},
		{"bad.md", []byte("---\ntitle: [unclosed\n---\nText.\n"), nil},
		{"bad-date.md", []byte("---\npublished: yesterday\n---\nA paragraph of news.\n"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Load(tt.name, tt.data, Meta{})
			if err == nil {
				t.Fatalf("Load(%s) = %d passages, want an error", tt.name, len(d.Passages))
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Load(%s) = %v, want %v", tt.name, err, tt.want)
			}
			msg, ok := UserMessage(err)
			if !ok || strings.Count(msg, ".") != 1 || !strings.HasSuffix(msg, ".") {
				t.Errorf("Load(%s) user message = %q (%v), want one plain sentence", tt.name, msg, ok)
			}
		})
	}
}

func readTestdata(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := readTestdata(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLongParagraphsSplitAtSentenceEnds(t *testing.T) {
	s1 := "The U.S. envoy met Mr. Tanaka in Tokyo on Jan. 5 to discuss the trade talks, which have stalled for months over tariffs on steel and the rules for farm imports that both sides call unfair."
	s2 := "“We will keep talking,” the envoy said after the meeting, adding that no date had been set for a next round but that officials on both sides would stay in touch by phone."
	s3 := "Analysts in Tokyo said the meeting was unlikely to produce a breakthrough before the elections, when both governments will be wary of concessions that could cost them votes at home."
	s4 := "Markets barely moved on the news."
	para := strings.Join([]string{s1, s2, s3, s4}, " ")
	got := splitLong(para, 400)
	want := []string{s1 + " " + s2, s3 + " " + s4}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("splitLong =\n%q\nwant\n%q", got, want)
	}
	for _, chunk := range got {
		if !strings.Contains(para, chunk) {
			t.Errorf("chunk %q is not verbatim", chunk)
		}
	}
	if got := splitLong(s1, 400); len(got) != 1 || got[0] != s1 {
		t.Errorf("a short paragraph was split: %q", got)
	}
	long := strings.Repeat("word ", 200) + "end."
	if got := splitLong(long, 400); len(got) != 1 {
		t.Errorf("one long sentence was cut mid-sentence into %d parts", len(got))
	}
}

func TestLongParagraphKeepsItsParagraphNumber(t *testing.T) {
	sentence := "Officials from both countries met again on Tuesday to review the progress of the talks so far. "
	text := "First paragraph of the story.\n\n" + strings.Repeat(sentence, 12) + "\n\nLast paragraph."
	d, err := Load("long.txt", []byte(text), Meta{Kind: KindArticle})
	if err != nil {
		t.Fatal(err)
	}
	var paras []int
	for _, p := range d.Passages {
		paras = append(paras, p.Paragraph)
		if len(p.Text) > MaxPassage {
			t.Errorf("passage %s is %d bytes, over %d", p.ID, len(p.Text), MaxPassage)
		}
	}
	if fmt.Sprint(paras) != "[1 2 2 3]" {
		t.Errorf("paragraph numbers = %v, want [1 2 2 3]", paras)
	}
}

func TestShippedCorpus(t *testing.T) {
	set, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	docs := set.Docs
	if len(docs) != 2 {
		t.Fatalf("%d shipped documents, want 2", len(docs))
	}
	article, summary := docs[0], docs[1]
	if article.Kind != KindArticle || summary.Kind != KindSummary {
		t.Errorf("kinds = %s, %s; want article, summary", article.Kind, summary.Kind)
	}
	if want := time.Date(2024, 12, 25, 0, 0, 0, 0, time.UTC); !article.Published.Equal(want) {
		t.Errorf("published = %v, want %v", article.Published, want)
	}
	if len(summary.Passages) != 8 {
		t.Errorf("summary has %d passages, want one per line (8)", len(summary.Passages))
	}
	for _, d := range docs {
		if d.URL != "" {
			t.Errorf("%s has URL %q, but the seeds state none", d.ID, d.URL)
		}
		for i, p := range d.Passages {
			if want := fmt.Sprintf("%s#%d", d.ID, i+1); p.ID != want {
				t.Errorf("passage id %q, want %q", p.ID, want)
			}
		}
	}
}

func TestFingerprintChangesWithContent(t *testing.T) {
	set, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	docs := set.Docs
	a := Fingerprint(docs)
	if b := Fingerprint([]*Document{docs[1], docs[0]}); a != b {
		t.Errorf("fingerprint depends on order")
	}
	changed := *docs[0]
	changed.Passages = append([]Passage(nil), docs[0].Passages...)
	changed.Passages[0].Text += "!"
	if Fingerprint([]*Document{&changed, docs[1]}) == a {
		t.Errorf("fingerprint did not change with a passage's text")
	}
}

func TestStrayBytesBecomeReplacementCharacters(t *testing.T) {
	text := "Title of the piece\n\nA paragraph with a stray \xff byte in it, and more words after it, so that one bad byte is under one in a hundred.\n"
	d, err := Load("stray.txt", []byte(text), Meta{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Passages {
		if !utf8.ValidString(p.Text) || !strings.Contains(p.Text, "stray \uFFFD byte") {
			t.Errorf("passage %q is not valid UTF-8 with a replacement character", p.Text)
		}
	}
}
