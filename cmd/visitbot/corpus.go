package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"visitbot/corpus"
	"visitbot/corpus/fetch"
	"visitbot/index"
)

const corpusHelp = `Usage: visitbot corpus <command> [arguments]

Keeps the corpus the bot answers from, in DATA_DIR (default ./data):
  visitbot corpus add URL|FILE     add an article from a link, or a .txt, .md or .html file
  visitbot corpus rm ID            remove a document (a shipped one is hidden, and stays hidden)
  visitbot corpus ls [--json]      list the documents, shipped and added
  visitbot corpus refresh          fetch the links again, re-read the files, rebuild if changed

Each change is checked first, then saved, then indexed beside the index in use,
which keeps answering until the new one is ready; a change that fails leaves
everything as it was. One change runs at a time, here or in Discord. Every
change is written to DATA_DIR/audit.jsonl.

Environment:
  DATA_DIR              where documents and the index are kept (default ./data)
  FETCH_ALLOW_PRIVATE   "true" lets links point at this server's own network
                        (for tests and intranets; off by default)
`

const corpusLsHelp = `Usage: visitbot corpus ls [--json]

Lists every document, shipped and added, with its passages and who added it.
With --json it prints one object:
  {"documents":[{"id","title","source","kind","url","added_by","added_at","passages","hidden"}]}

Flags:
`

func runCorpus(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("Say what to do: visitbot corpus add, rm, ls or refresh (see visitbot corpus --help).")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, corpusHelp)
		return errHelp
	case "add", "rm", "refresh":
		fs := newFlagSet("corpus "+sub, corpusHelp)
		if err := fs.parse(rest, stdout); err != nil {
			return err
		}
		return runCorpusChange(ctx, sub, fs.Args(), getenv, stdout, stderr)
	case "ls":
		fs := newFlagSet("corpus ls", corpusLsHelp)
		asJSON := fs.Bool("json", false, "print one JSON object")
		if err := fs.parse(rest, stdout); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return usagef("visitbot corpus ls takes no arguments.")
		}
		lib, err := openLibrary(ctx, getenv, stderr, nil)
		if err != nil {
			return err
		}
		defer lib.Close()
		return listCorpus(lib, *asJSON, stdout)
	default:
		return usagef("Unknown corpus command %q: use add, rm, ls or refresh.", sub)
	}
}

func runCorpusChange(ctx context.Context, sub string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var src index.Source
	switch {
	case sub == "add" && len(args) == 1:
		var err error
		if src, err = sourceOf(args[0]); err != nil {
			return err
		}
	case sub == "add":
		return usagef("Give one link or file to add, e.g. visitbot corpus add https://example.com/article.")
	case sub == "rm" && len(args) != 1:
		return usagef("Give the id of one document to remove (visitbot corpus ls shows them).")
	case sub == "refresh" && len(args) != 0:
		return usagef("visitbot corpus refresh takes no arguments.")
	}
	bar := newProgressBar(stdout)
	lib, err := openLibrary(ctx, getenv, stderr, bar.update)
	if err != nil {
		return err
	}
	defer lib.Close()
	by := "shell:" + firstNonEmpty(getenv("USER"), getenv("LOGNAME"), "unknown")
	var c index.Change
	switch sub {
	case "add":
		c, err = lib.Add(ctx, src, by, bar.update)
	case "rm":
		c, err = lib.Remove(ctx, args[0], by)
	case "refresh":
		c, err = lib.Refresh(ctx, by, bar.update)
	}
	bar.finish()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, c.Summary())
	return err
}

// sourceOf reads what to add: a link as it is, a file checked as a Discord
// attachment would be.
func sourceOf(arg string) (index.Source, error) {
	if strings.Contains(arg, "://") {
		if _, err := fetch.CheckURL(arg); err != nil {
			return index.Source{}, err
		}
		return index.Source{URL: arg}, nil
	}
	info, err := os.Stat(arg)
	if err != nil {
		return index.Source{}, &corpus.UserError{Msg: fmt.Sprintf("There is no file %s to add.", arg), Err: err}
	}
	if info.IsDir() {
		return index.Source{}, usagef("%s is a directory: give one file to add.", arg)
	}
	if err := fetch.CheckAttachment(info.Name(), "", info.Size()); err != nil {
		return index.Source{}, err
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return index.Source{}, fmt.Errorf("read %s: %w", arg, err)
	}
	return index.Source{Name: filepath.Base(arg), Data: data}, nil
}

// openLibrary opens the corpus and index in DATA_DIR (default ./data): the
// shipped documents less the ones moderators removed, plus the ones they
// added. It builds the index there if it is missing or stale; progress, if
// not nil, hears about that build. Warnings go to stderr.
//
// visitbot ask (and the bot) call this to answer from what moderators added.
func openLibrary(ctx context.Context, getenv func(string) string, stderr io.Writer, progress func(index.Progress)) (*index.Live, error) {
	allow := false
	if v := getenv("FETCH_ALLOW_PRIVATE"); v != "" {
		var err error
		if allow, err = strconv.ParseBool(v); err != nil {
			return nil, usagef("FETCH_ALLOW_PRIVATE must be true or false, not %q.", v)
		}
	}
	shipped, err := corpus.Shipped()
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return index.OpenLive(ctx, dataDir(getenv), shipped, index.LiveOptions{
		Fetcher:  &fetch.Client{AllowPrivate: allow},
		Log:      log.With("component", "index"),
		Progress: progress,
	})
}

// dataDir is DATA_DIR, or ./data.
func dataDir(getenv func(string) string) string {
	return firstNonEmpty(getenv("DATA_DIR"), "data")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// jsonCorpus is the shape of visitbot corpus ls --json.
type jsonCorpus struct {
	Documents []jsonDocument `json:"documents"`
}

type jsonDocument struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Source   string `json:"source"` // the link or file it was added from; "shipped"
	Kind     string `json:"kind"`
	URL      string `json:"url"`
	AddedBy  string `json:"added_by"` // "shipped" for a shipped document
	AddedAt  string `json:"added_at"` // RFC 3339; "" when not known
	Passages int    `json:"passages"`
	Hidden   bool   `json:"hidden"`
}

func listCorpus(lib *index.Live, asJSON bool, w io.Writer) error {
	entries, err := lib.List()
	if err != nil {
		return err
	}
	if asJSON {
		out := jsonCorpus{Documents: make([]jsonDocument, 0, len(entries))}
		for _, e := range entries {
			d := jsonDocument{ID: e.ID, Title: e.Title, Source: e.Source, Kind: string(e.Kind), URL: e.URL,
				AddedBy: e.AddedBy, Passages: e.Passages, Hidden: e.Hidden}
			if !e.AddedAt.IsZero() {
				d.AddedAt = e.AddedAt.UTC().Format(time.RFC3339)
			}
			out.Documents = append(out.Documents, d)
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPASSAGES\tADDED BY\tSOURCE\tTITLE")
	for _, e := range entries {
		added := e.AddedBy
		if !e.AddedAt.IsZero() {
			added += " " + e.AddedAt.UTC().Format(time.DateOnly)
		}
		title := e.Title
		switch {
		case e.Hidden:
			title += " (removed)"
		case e.Problem != "":
			title += " (left out: " + e.Problem + ")"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", e.ID, e.Passages, added, e.Source, title)
	}
	return tw.Flush()
}

// progressBar shows a change's progress: a bar redrawn in place on a
// terminal, plain lines (a few per phase) anywhere else.
type progressBar struct {
	w        io.Writer
	terminal bool
	phase    index.Phase
	lastTen  int  // the last tenth printed, in plain mode
	drawn    bool // a bar is on the current line
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, terminal: isTerminal(w), lastTen: -1}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func (b *progressBar) update(p index.Progress) {
	if p.Phase == index.PhaseDone {
		return // the summary follows
	}
	changed := p.Phase != b.phase
	b.phase = p.Phase
	if changed {
		b.lastTen = -1
	}
	switch {
	case p.Phase != index.PhaseIndexing:
		if !changed && p.Source == "" {
			return
		}
		b.endLine()
		fmt.Fprintf(b.w, "%s %s\n", p.Phase, p.Source)
	case b.terminal:
		const width = 30
		filled := 0
		if p.Total > 0 {
			filled = width * p.Done / p.Total
		}
		fmt.Fprintf(b.w, "\r\033[Kindexing [%s%s] %d/%d passages", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Done, p.Total)
		b.drawn = true
	default:
		ten := 10
		if p.Total > 0 {
			ten = 10 * p.Done / p.Total
		}
		if ten != b.lastTen {
			b.lastTen = ten
			fmt.Fprintf(b.w, "indexing %d/%d passages\n", p.Done, p.Total)
		}
	}
}

func (b *progressBar) endLine() {
	if b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}

func (b *progressBar) finish() { b.endLine() }
