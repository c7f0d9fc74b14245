package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"visitbot/corpus"
	"visitbot/index"
)

const askHelp = `Usage: visitbot ask [--json] [--limit N] "/command words"

Answers one command from the shipped corpus, as the bot would in Discord:
  /issue <topic>      e.g. visitbot ask "/issue seafood"
  /who <person>       e.g. visitbot ask "/who Wang Yi"
  /ask <question>     e.g. visitbot ask "/ask why did China ban Japanese seafood?"

Each passage is quoted verbatim with the matched words in **bold**, followed by
its source. With --json it prints one JSON object instead. Exit status 2 means
the command could not be run as typed.

Flags:
`

func runAsk(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ask", askHelp)
	asJSON := fs.Bool("json", false, "print one JSON object")
	limit := fs.Int("limit", index.DefaultLimit, fmt.Sprintf("how many passages to show (1-%d)", index.MaxLimit))
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if *limit < 1 || *limit > index.MaxLimit {
		return usagef("--limit must be between 1 and %d.", index.MaxLimit)
	}
	if fs.NArg() == 0 {
		return usagef("Give a command to answer, e.g. visitbot ask \"/issue seafood\".")
	}
	q, err := index.ParseCommand(strings.Join(fs.Args(), " "))
	if err != nil {
		return err
	}
	q.Limit = *limit

	ix, err := openForAsk(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer ix.Close()
	res, err := ix.Search(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	return writeText(stdout, res, ix)
}

// searcher is what ask needs of an index: *index.Index or *index.Live.
type searcher interface {
	Search(ctx context.Context, q index.Query) (index.Result, error)
	Documents() []*corpus.Document
	Close() error
}

// openForAsk answers from DATA_DIR, with the documents moderators added, when
// there is one (DATA_DIR set, or ./data left by the bot); otherwise from the
// shipped corpus in memory, so the first command of the README needs no
// set-up and writes nothing.
func openForAsk(ctx context.Context, getenv func(string) string, stderr io.Writer) (searcher, error) {
	if getenv("DATA_DIR") == "" {
		if _, err := os.Stat(dataDir(getenv)); err != nil {
			return openShipped(ctx)
		}
	}
	return openLibrary(ctx, getenv, stderr, nil)
}

// openShipped builds the in-memory index of the shipped corpus.
func openShipped(ctx context.Context) (*index.Index, error) {
	set, err := corpus.Shipped()
	if err != nil {
		return nil, err
	}
	return index.Build(ctx, set, index.BuildOptions{})
}

// jsonResult is the shape of visitbot ask --json.
type jsonResult struct {
	Command   string        `json:"command"`
	Query     string        `json:"query"`
	Corrected string        `json:"corrected,omitempty"`
	Total     int           `json:"total"`
	Results   []jsonPassage `json:"results"`
}

type jsonPassage struct {
	Text      string  `json:"text"`
	Doc       string  `json:"doc"`
	Passage   string  `json:"passage"`
	Title     string  `json:"title"`
	Source    string  `json:"source"`
	Kind      string  `json:"kind"`
	Paragraph int     `json:"paragraph"`
	Published string  `json:"published"`
	URL       string  `json:"url"`
	Score     float64 `json:"score"`
}

func writeJSON(w io.Writer, res index.Result) error {
	out := jsonResult{
		Command:   string(res.Query.Command),
		Query:     res.Query.Text,
		Corrected: res.Corrected,
		Total:     res.Total,
		Results:   make([]jsonPassage, 0, len(res.Hits)),
	}
	for _, h := range res.Hits {
		out.Results = append(out.Results, jsonPassage{
			Text:      h.Passage.Text,
			Doc:       h.Doc.ID,
			Passage:   h.Passage.ID,
			Title:     h.Doc.Title,
			Source:    h.Doc.Source(),
			Kind:      string(h.Doc.Kind),
			Paragraph: h.Passage.Paragraph,
			Published: h.Doc.PublishedDate(),
			URL:       h.Doc.URL,
			Score:     roundScore(h.Score),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func roundScore(s float64) float64 { return float64(int64(s*1000+0.5)) / 1000 }

func writeText(w io.Writer, res index.Result, ix searcher) error {
	var b strings.Builder
	q := res.Query
	if res.Corrected != "" {
		fmt.Fprintf(&b, "Showing results for %s.\n\n", res.Corrected)
	}
	if p := res.Person; p != nil && len(res.Hits) > 0 {
		b.WriteString(p.Name)
		if len(p.Roles) > 0 {
			b.WriteString(" — " + strings.Join(p.Roles, "; "))
		}
		b.WriteString("\n\n")
	}
	if len(res.Hits) == 0 {
		fmt.Fprintf(&b, "Nothing in the corpus is about %q.\n", q.Text)
		fmt.Fprintf(&b, "It covers: %s.\n", strings.Join(coverage(ix), "; "))
		_, err := io.WriteString(w, b.String())
		return err
	}
	for i, h := range res.Hits {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%d. > %s\n", q.Offset+i+1, mark(h.Passage.Text, h.Highlights))
		fmt.Fprintf(&b, "   — %s\n", citation(h))
	}
	if res.Total > len(res.Hits) {
		fmt.Fprintf(&b, "\n%d of %d matching passages shown (use --limit for more).\n", len(res.Hits), res.Total)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mark wraps the highlighted spans of text in ** **.
func mark(text string, spans []index.Span) string {
	var b strings.Builder
	at := 0
	for _, s := range spans {
		if s.Start < at || s.End > len(text) {
			continue
		}
		b.WriteString(text[at:s.Start])
		b.WriteString("**" + text[s.Start:s.End] + "**")
		at = s.End
	}
	b.WriteString(text[at:])
	return b.String()
}

// citation is the source line of a hit: publication, byline, date, paragraph.
func citation(h index.Hit) string {
	var parts []string
	if h.Doc.Kind == corpus.KindSummary {
		parts = append(parts, "Summary: "+h.Doc.Title)
	} else if h.Doc.Title != "" {
		parts = append(parts, h.Doc.Title)
	}
	if s := h.Doc.Source(); s != "" {
		parts = append(parts, s)
	}
	if d := h.Doc.PublishedDate(); d != "" {
		parts = append(parts, d)
	}
	if h.Passage.Paragraph == 0 {
		parts = append(parts, "standfirst")
	} else {
		parts = append(parts, fmt.Sprintf("paragraph %d", h.Passage.Paragraph))
	}
	if h.Doc.URL != "" {
		parts = append(parts, h.Doc.URL)
	}
	return strings.Join(parts, " · ")
}

// coverage names what the corpus is about, for "nothing found" answers.
func coverage(ix searcher) []string {
	var out []string
	for _, d := range ix.Documents() {
		if d.Kind == corpus.KindArticle {
			out = append(out, d.Title)
		}
	}
	return out
}
