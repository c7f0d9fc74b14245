package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"visitbot/corpus"
)

// DefaultBatchSize is how many passages go into one Bleve batch: large enough
// to amortize segment creation, small enough to report progress often.
const DefaultBatchSize = 10000

// metaKey is where an index records what it was built from.
var metaKey = []byte("visitbot:meta")

// Meta is what an index records about itself.
type Meta struct {
	MappingVersion int    `json:"mapping_version"`
	Fingerprint    string `json:"fingerprint"`
	Passages       int    `json:"passages"`
}

// ErrStale means an on-disk index was built by another mapping version or
// from another corpus: it must be rebuilt, not used.
var ErrStale = errors.New("index is stale")

// BuildOptions tune a build. The zero value builds in memory.
type BuildOptions struct {
	Dir       string                // "" builds in memory
	BatchSize int                   // 0 means DefaultBatchSize
	Progress  func(done, total int) // called after each batch; may be nil
}

// Index answers searches over one corpus. It is safe for concurrent use.
type Index struct {
	bleve    bleve.Index
	dir      string
	set      corpus.Set
	docs     map[string]*corpus.Document
	order    []*corpus.Document // by ID
	passages map[string]ref
	terms    *termTable
	vocab    vocabulary
	facets   map[Facet][]facetEntry
	meta     Meta
}

// ref locates a passage in its document and in the term table.
type ref struct {
	doc *corpus.Document
	i   int // in doc.Passages
	ord int // in the corpus, documents by ID
}

// Build indexes a corpus set, in memory or in opts.Dir (which must not exist
// yet).
func Build(ctx context.Context, set corpus.Set, opts BuildOptions) (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("index: mapping: %w", err)
	}
	if opts.Dir != "" {
		if _, err := os.Stat(opts.Dir); err == nil {
			return nil, fmt.Errorf("index: create %q: it already exists", opts.Dir)
		}
	}
	// Scorch in both cases: it is the engine with BM25, and an empty path
	// keeps it in memory.
	bi, err := bleve.NewUsing(opts.Dir, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("index: create %q: %w", opts.Dir, err)
	}
	ix := newIndex(bi, opts.Dir, set)
	if err := ix.fill(ctx, opts); err != nil {
		bi.Close()
		if opts.Dir != "" {
			os.RemoveAll(opts.Dir)
		}
		return nil, err
	}
	return ix, nil
}

func newIndex(bi bleve.Index, dir string, set corpus.Set) *Index {
	ix := &Index{
		bleve:    bi,
		dir:      dir,
		set:      set,
		docs:     make(map[string]*corpus.Document, len(set.Docs)),
		order:    slices.Clone(set.Docs),
		passages: make(map[string]ref),
	}
	sort.Slice(ix.order, func(i, j int) bool { return ix.order[i].ID < ix.order[j].ID })
	ord := 0
	for _, d := range ix.order {
		ix.docs[d.ID] = d
		for i, p := range d.Passages {
			ix.passages[p.ID] = ref{doc: d, i: i, ord: ord}
			ord++
		}
	}
	ix.buildFacets()
	ix.meta = Meta{MappingVersion: MappingVersion, Fingerprint: set.Fingerprint(), Passages: len(ix.passages)}
	return ix
}

// fill analyzes every passage once, keeping its terms for the term table and
// handing Bleve the analyzed text, in batches. Analysis of the next batch
// overlaps Bleve's indexing of the current one: on a small server the two
// cores are both busy instead of taking turns.
func (ix *Index) fill(ctx context.Context, opts BuildOptions) error {
	size := opts.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	total := len(ix.passages)
	tt := newTermTable(total)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *bleve.Batch, 1)
	prepared := make(chan error, 1)
	go func() {
		defer close(batches)
		prepared <- ix.prepare(ctx, tt, size, batches)
	}()
	done := 0
	for b := range batches {
		if err := ix.bleve.Batch(b); err != nil {
			cancel()
			for range batches { // let the producer finish
			}
			<-prepared
			return fmt.Errorf("index: batch: %w", err)
		}
		done += b.Size()
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	if err := <-prepared; err != nil {
		return err
	}
	if ix.dir != "" {
		if err := tt.write(ix.dir, ix.meta.Fingerprint); err != nil {
			return fmt.Errorf("index: write terms: %w", err)
		}
	}
	// The meta goes last: an index without it is a build that did not
	// finish, and Open refuses it.
	raw, err := json.Marshal(ix.meta)
	if err != nil {
		return fmt.Errorf("index: meta: %w", err)
	}
	if err := ix.bleve.SetInternal(metaKey, raw); err != nil {
		return fmt.Errorf("index: record meta: %w", err)
	}
	ix.useTerms(tt)
	return nil
}

// prepare analyzes the passages in order into batches of size, recording
// their terms in tt, and sends each batch on out.
func (ix *Index) prepare(ctx context.Context, tt *termTable, size int, out chan<- *bleve.Batch) error {
	an := ix.analyzer()
	b := ix.bleve.NewBatch()
	ord := 0
	for _, d := range ix.order {
		for _, p := range d.Passages {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("index: build: %w", err)
			}
			tokens := an.Analyze([]byte(p.Text))
			tt.add(ord, tokens, p.Text)
			ord++
			if err := b.IndexAdvanced(bleveDoc(d, p, tokens)); err != nil {
				return fmt.Errorf("index: passage %s: %w", p.ID, err)
			}
			if b.Size() >= size {
				select {
				case out <- b:
				case <-ctx.Done():
					return fmt.Errorf("index: build: %w", ctx.Err())
				}
				b = ix.bleve.NewBatch()
			}
		}
	}
	if b.Size() > 0 {
		select {
		case out <- b:
		case <-ctx.Done():
			return fmt.Errorf("index: build: %w", ctx.Err())
		}
	}
	return nil
}

// bleveDoc is the Bleve document of a passage. The text arrives analyzed
// (analyzed once, for Bleve and the term table alike); the rest are labels.
func bleveDoc(d *corpus.Document, p corpus.Passage, tokens analysis.TokenStream) *document.Document {
	doc := document.NewDocument(p.ID)
	doc.AddField(document.NewTextFieldCustom(fieldText, nil, []byte(p.Text), textOptions, analyzed(tokens)))
	label := func(field, value string) {
		doc.AddField(document.NewTextFieldCustom(field, nil, []byte(value), keywordOptions, nil))
	}
	label(fieldID, p.ID)
	label(fieldDoc, d.ID)
	label(fieldKind, string(d.Kind))
	for _, n := range p.People {
		label(fieldPeople, n)
	}
	for _, t := range p.Topics {
		label(fieldTopics, t)
	}
	for _, n := range p.Speakers {
		label(fieldSpeak, n)
	}
	return doc
}

// analyzed is an analyzer that returns tokens already made; a field without
// an analyzer is indexed as one token (a label).
type analyzed analysis.TokenStream

func (a analyzed) Analyze([]byte) analysis.TokenStream { return analysis.TokenStream(a) }

// Open opens the index in dir built from set, read-only (an index is never
// changed once built: a new corpus gets a new index), so several processes
// may open it at once. It returns ErrStale (wrapped) when the index was built
// with another mapping version or from another corpus, or did not finish
// building, so the caller rebuilds; a damaged index is an error, never a
// crash.
func Open(dir string, set corpus.Set) (ix *Index, err error) {
	defer func() {
		// Bleve's readers can panic on files damaged on disk.
		if r := recover(); r != nil {
			ix, err = nil, fmt.Errorf("index: open %q: damaged (%v): %w", dir, r, ErrStale)
		}
	}()
	bi, err := bleve.OpenUsing(dir, map[string]any{"read_only": true, "bolt_timeout": "5s"})
	if err != nil {
		return nil, fmt.Errorf("index: open %q: %w", dir, err)
	}
	raw, err := bi.GetInternal(metaKey)
	if err != nil {
		bi.Close()
		return nil, fmt.Errorf("index: read meta of %q: %w", dir, err)
	}
	var got Meta
	if len(raw) == 0 || json.Unmarshal(raw, &got) != nil {
		bi.Close()
		return nil, fmt.Errorf("index: %q did not finish building: %w", dir, ErrStale)
	}
	ix = newIndex(bi, dir, set)
	if got != ix.meta {
		bi.Close()
		return nil, fmt.Errorf("index: %q has mapping v%d for corpus %.12s, want v%d for %.12s: %w",
			dir, got.MappingVersion, got.Fingerprint, MappingVersion, ix.meta.Fingerprint, ErrStale)
	}
	tt, err := readTermTable(dir, ix.meta.Fingerprint)
	if err != nil || len(tt.passages) != len(ix.passages) {
		bi.Close()
		return nil, fmt.Errorf("index: terms of %q: %v: %w", dir, err, ErrStale)
	}
	ix.useTerms(tt)
	return ix, nil
}

// Close releases the index.
func (ix *Index) Close() error {
	if err := ix.bleve.Close(); err != nil {
		return fmt.Errorf("index: close %q: %w", ix.dir, err)
	}
	return nil
}

// Meta says what the index was built from.
func (ix *Index) Meta() Meta { return ix.meta }

// Documents returns the documents in the index, by ID.
func (ix *Index) Documents() []*corpus.Document { return ix.order }

// Document returns the document with the given ID.
func (ix *Index) Document(id string) (*corpus.Document, bool) {
	d, ok := ix.docs[id]
	return d, ok
}

// Passage returns a passage and its document by passage ID.
func (ix *Index) Passage(id string) (corpus.Passage, *corpus.Document, bool) {
	r, ok := ix.passages[id]
	if !ok {
		return corpus.Passage{}, nil, false
	}
	return r.doc.Passages[r.i], r.doc, true
}

// Neighbours returns up to n passages either side of the passage id in its
// document, with the passage itself, in document order.
func (ix *Index) Neighbours(id string, n int) ([]corpus.Passage, *corpus.Document, bool) {
	r, ok := ix.passages[id]
	if !ok {
		return nil, nil, false
	}
	lo, hi := max(0, r.i-n), min(len(r.doc.Passages), r.i+n+1)
	return r.doc.Passages[lo:hi], r.doc, true
}

// Len is the number of passages.
func (ix *Index) Len() int { return len(ix.passages) }

// Thesaurus is the topic thesaurus the index was built with (nil if none).
func (ix *Index) Thesaurus() *corpus.Thesaurus { return ix.set.Thesaurus }

// joinRoles is a person's name with the roles the corpus gives them.
func joinRoles(p corpus.Person) string { return p.Name + " " + strings.Join(p.Roles, " ") }
