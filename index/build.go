package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"visitbot/corpus"
)

// DefaultBatchSize is how many passages go into one Bleve batch: large enough
// to amortize segment creation, small enough to report progress often.
const DefaultBatchSize = 2000

// metaKey is where an on-disk index records what it was built from.
var metaKey = []byte("visitbot:meta")

// Meta is what an index records about itself.
type Meta struct {
	MappingVersion int    `json:"mapping_version"`
	Fingerprint    string `json:"fingerprint"`
	Passages       int    `json:"passages"`
}

// ErrStale means an on-disk index was built by another mapping version or from
// another corpus: it must be rebuilt, not used.
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
	vocab    vocabulary
	facets   map[Facet][]facetEntry
	meta     Meta
}

// ref locates a passage in its document.
type ref struct {
	doc *corpus.Document
	i   int
}

// Build indexes a corpus set, in memory or in opts.Dir (which must not exist
// yet).
func Build(ctx context.Context, set corpus.Set, opts BuildOptions) (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("index: mapping: %w", err)
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
		passages: make(map[string]ref),
	}
	for _, d := range set.Docs {
		ix.docs[d.ID] = d
		ix.order = append(ix.order, d)
		for i, p := range d.Passages {
			ix.passages[p.ID] = ref{doc: d, i: i}
		}
	}
	sort.Slice(ix.order, func(i, j int) bool { return ix.order[i].ID < ix.order[j].ID })
	ix.buildFacets()
	ix.meta = Meta{MappingVersion: MappingVersion, Fingerprint: set.Fingerprint(), Passages: len(ix.passages)}
	return ix
}

func (ix *Index) fill(ctx context.Context, opts BuildOptions) error {
	size := opts.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	total := len(ix.passages)
	done := 0
	b := ix.bleve.NewBatch()
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := ix.bleve.Batch(b); err != nil {
			return fmt.Errorf("index: batch: %w", err)
		}
		done += b.Size()
		b.Reset()
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
		return nil
	}
	for _, d := range ix.order {
		for _, p := range d.Passages {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("index: build: %w", err)
			}
			if err := b.Index(p.ID, ix.toBleve(d, p)); err != nil {
				return fmt.Errorf("index: passage %s: %w", p.ID, err)
			}
			if b.Size() >= size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	raw, err := json.Marshal(ix.meta)
	if err != nil {
		return fmt.Errorf("index: meta: %w", err)
	}
	if err := ix.bleve.SetInternal(metaKey, raw); err != nil {
		return fmt.Errorf("index: record meta: %w", err)
	}
	return ix.loadVocabulary()
}

// toBleve maps a passage to its index fields. People are indexed with the
// roles their document gives them, so "/who the premier" finds every passage
// that mentions Li Qiang; topics with all their thesaurus phrases, so a query
// in any of a topic's words finds the passages about it.
func (ix *Index) toBleve(d *corpus.Document, p corpus.Passage) passageDoc {
	pd := passageDoc{
		ID:        p.ID,
		Doc:       d.ID,
		Kind:      string(d.Kind),
		Text:      p.Text,
		Speakers:  p.Speakers,
		Paragraph: float64(p.Paragraph),
	}
	for _, name := range p.People {
		entry := name
		if person, ok := d.Person(name); ok && len(person.Roles) > 0 {
			entry += ", " + strings.Join(person.Roles, ", ")
		}
		pd.People = append(pd.People, entry)
	}
	for _, label := range p.Topics {
		if t, ok := ix.topic(label); ok {
			pd.Topics = append(pd.Topics, t.Phrases...)
		} else {
			pd.Topics = append(pd.Topics, label)
		}
	}
	return pd
}

func (ix *Index) topic(label string) (corpus.Topic, bool) {
	if ix.set.Thesaurus == nil {
		return corpus.Topic{}, false
	}
	return ix.set.Thesaurus.Topic(label)
}

// Open opens the index in dir built from set. It returns ErrStale (wrapped)
// when the index was built with another mapping version or from another
// corpus, so the caller rebuilds.
func Open(dir string, set corpus.Set) (*Index, error) {
	bi, err := bleve.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("index: open %q: %w", dir, err)
	}
	raw, err := bi.GetInternal(metaKey)
	if err != nil {
		bi.Close()
		return nil, fmt.Errorf("index: read meta of %q: %w", dir, err)
	}
	var got Meta
	if err := json.Unmarshal(raw, &got); err != nil {
		bi.Close()
		return nil, fmt.Errorf("index: meta of %q: %w", dir, ErrStale)
	}
	ix := newIndex(bi, dir, set)
	if got != ix.meta {
		bi.Close()
		return nil, fmt.Errorf("index: %q has mapping v%d for corpus %.12s, want v%d for %.12s: %w",
			dir, got.MappingVersion, got.Fingerprint, MappingVersion, ix.meta.Fingerprint, ErrStale)
	}
	if err := ix.loadVocabulary(); err != nil {
		bi.Close()
		return nil, err
	}
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

func itoa(n int) string { return strconv.Itoa(n) }
