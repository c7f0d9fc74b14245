package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/adrg/frontmatter"
)

// Store is the data directory's record of the corpus moderators keep: the
// documents they added, the shipped documents they removed (hidden), and an
// append-only audit log of every change. Every write is atomic (a temporary
// file in the same directory, fsynced, renamed over the old one, and the
// directory fsynced), so a crash leaves each file as it was or as it became.
//
// On disk, under the directory given to OpenStore:
//
//	docs/<id>.md   one added document: Markdown with a YAML front-matter
//	               header that Load reads (id, title, publication, byline,
//	               published, standfirst, url, kind) and store-only keys it
//	               ignores (source, added_by, added_at, fetched_at)
//	hidden.json    {"hidden": [ids of shipped documents removed]}
//	audit.jsonl    one JSON object a line: time, who, action, target, outcome
//
// A Store does not serialize changes between processes; its caller (the
// index's Live) holds a lock while it changes the store and rebuilds.
type Store struct {
	dir string
}

// AddInfo is what the store records about an added document besides the
// document itself.
type AddInfo struct {
	Source    string    // the URL as the moderator gave it, or the file name
	By        string    // who added it: "shell:alice", "discord:1234"
	At        time.Time // when it was added
	FetchedAt time.Time // when its URL was last fetched; zero for a file
}

// IsURL reports whether the document came from a link (and so can be
// fetched again) rather than a file.
func (i AddInfo) IsURL() bool {
	return strings.HasPrefix(i.Source, "http://") || strings.HasPrefix(i.Source, "https://")
}

// StoredDoc is one added document as the store holds it.
type StoredDoc struct {
	ID   string
	Doc  *Document // nil when the file no longer loads; Err says why
	Info AddInfo
	Err  error
}

// storeHeader is the store-only part of a document's front matter.
type storeHeader struct {
	ID        string `yaml:"id"`
	Source    string `yaml:"source"`
	AddedBy   string `yaml:"added_by"`
	AddedAt   string `yaml:"added_at"`
	FetchedAt string `yaml:"fetched_at"`
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	Who     string    `json:"who"`
	Action  string    `json:"action"`           // add, remove, refresh, rebuild
	Target  string    `json:"target,omitempty"` // a URL, file name or document id
	Outcome string    `json:"outcome"`          // ok, refused, failed
	Detail  string    `json:"detail,omitempty"` // the change, or why it failed
}

// Audit outcomes.
const (
	OutcomeOK      = "ok"
	OutcomeRefused = "refused" // the moderator's input was at fault
	OutcomeFailed  = "failed"  // something went wrong on our side
)

const (
	docsDir    = "docs"
	hiddenFile = "hidden.json"
	auditFile  = "audit.jsonl"
	tmpMarker  = ".tmp-"
)

// OpenStore opens (creating if need be) the store in dir.
func OpenStore(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("corpus: store: no directory")
	}
	if err := os.MkdirAll(filepath.Join(dir, docsDir), 0o755); err != nil {
		return nil, fmt.Errorf("corpus: store: %w", err)
	}
	s := &Store{dir: dir}
	s.removeStaleTemps()
	return s, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// removeStaleTemps deletes temporary files a crashed writer left behind. A
// temporary file younger than an hour may belong to a writer still at work
// in another process, so it stays.
func (s *Store) removeStaleTemps() {
	for _, d := range []string{s.dir, filepath.Join(s.dir, docsDir)} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if !strings.Contains(e.Name(), tmpMarker) {
				continue
			}
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
				os.Remove(filepath.Join(d, e.Name()))
			}
		}
	}
}

func (s *Store) docPath(id string) string { return filepath.Join(s.dir, docsDir, id+".md") }

// Documents returns the added documents, by ID. A file that no longer loads
// (edited by hand, say) is returned with its Err set, so one bad file does
// not take the others down.
func (s *Store) Documents() ([]StoredDoc, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, docsDir))
	if err != nil {
		return nil, fmt.Errorf("corpus: store: %w", err)
	}
	var out []StoredDoc
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".md") || strings.HasPrefix(name, ".") {
			continue
		}
		id := strings.TrimSuffix(name, ".md")
		sd, err := s.read(id)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed meanwhile
			}
			return nil, err
		}
		out = append(out, sd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Get returns the added document with the given ID.
func (s *Store) Get(id string) (StoredDoc, bool, error) {
	if !validID(id) {
		return StoredDoc{}, false, nil
	}
	sd, err := s.read(id)
	if errors.Is(err, fs.ErrNotExist) {
		return StoredDoc{}, false, nil
	}
	if err != nil {
		return StoredDoc{}, false, err
	}
	return sd, true, nil
}

func (s *Store) read(id string) (StoredDoc, error) {
	data, err := os.ReadFile(s.docPath(id))
	if err != nil {
		return StoredDoc{}, fmt.Errorf("corpus: store: %w", err)
	}
	sd := StoredDoc{ID: id}
	sd.Info, sd.Err = parseHeader(data)
	if sd.Err == nil {
		// The file name is the ID: a file renamed by hand is that document.
		sd.Doc, sd.Err = Load(id+".md", data, Meta{ID: id})
	}
	if sd.Err != nil {
		sd.Err = fmt.Errorf("corpus: store: %s: %w", s.docPath(id), sd.Err)
	}
	return sd, nil
}

func parseHeader(data []byte) (AddInfo, error) {
	var h storeHeader
	if _, err := frontmatter.Parse(bytes.NewReader(data), &h); err != nil && !errors.Is(err, frontmatter.ErrNotFound) {
		return AddInfo{}, err
	}
	info := AddInfo{Source: h.Source, By: h.AddedBy}
	info.At, _ = time.Parse(time.RFC3339, h.AddedAt)
	info.FetchedAt, _ = time.Parse(time.RFC3339, h.FetchedAt)
	return info, nil
}

// Put records doc as added, replacing any added document with its ID, and
// returns the document as the store will give it back: the stored file is
// what counts, so what a moderator is told was added is what a restart
// serves.
func (s *Store) Put(doc *Document, info AddInfo) (*Document, error) {
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	data, stored, err := render(doc, info)
	if err != nil {
		return nil, err
	}
	if err := WriteFileAtomic(s.docPath(doc.ID), data, 0o644); err != nil {
		return nil, fmt.Errorf("corpus: store %s: %w", doc.ID, err)
	}
	return stored, nil
}

// Render returns the file Put would write for doc and the document that file
// loads as, without writing anything: a refresh compares what it fetched with
// what is stored through it.
func Render(doc *Document, info AddInfo) ([]byte, *Document, error) { return render(doc, info) }

// render writes doc as Markdown with front matter. Passages are verbatim
// paragraphs (or runs of a long one's sentences, joined back with the space
// that separated them), one a line with blank lines between, so loading the
// file gives the same passages. Loading cleans again, and a paragraph that
// looks like a headline where the headline would stand is taken for it;
// when that would lose a passage, the title goes first to take that place.
// It returns the file and the document the file loads as.
func render(doc *Document, info AddInfo) ([]byte, *Document, error) {
	want := untaggedPrint(doc)
	var (
		first    []byte
		firstDoc *Document
		firstErr error
	)
	for _, withTitle := range []bool{false, true} {
		data := renderWith(doc, info, withTitle)
		got, err := Load(doc.ID+".md", data, Meta{ID: doc.ID})
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if untaggedPrint(got) == want {
			return data, got, nil
		}
		if first == nil {
			first, firstDoc = data, got
		}
	}
	if first == nil {
		return nil, nil, fmt.Errorf("corpus: store %s: the stored copy does not load: %w", doc.ID, firstErr)
	}
	return first, firstDoc, nil
}

// untaggedPrint is the fingerprint of d without its topics, which a Set
// tags from its thesaurus after loading.
func untaggedPrint(d *Document) string {
	c := *d
	c.Passages = slices.Clone(d.Passages)
	for i := range c.Passages {
		c.Passages[i].Topics = nil
	}
	return Fingerprint([]*Document{&c})
}

func renderWith(doc *Document, info AddInfo, withTitle bool) []byte {
	var b bytes.Buffer
	field := func(k, v string) {
		q, _ := json.Marshal(v) // a JSON string is a YAML double-quoted scalar
		fmt.Fprintf(&b, "%s: %s\n", k, q)
	}
	b.WriteString("---\n")
	field("id", doc.ID)
	field("title", doc.Title)
	field("publication", doc.Publication)
	field("byline", doc.Byline)
	field("published", doc.PublishedDate())
	field("standfirst", doc.Standfirst)
	field("url", doc.URL)
	field("kind", string(doc.Kind))
	b.WriteString("# Kept by the store, ignored by the loader:\n")
	field("source", info.Source)
	field("added_by", info.By)
	field("added_at", timeString(info.At))
	field("fetched_at", timeString(info.FetchedAt))
	b.WriteString("---\n")
	if withTitle && doc.Title != "" {
		b.WriteString("\n" + oneLine(doc.Title) + "\n")
	}
	last := -1
	for _, p := range doc.Passages {
		if p.Paragraph == last {
			b.WriteString(" " + oneLine(p.Text))
			continue
		}
		if last != -1 {
			b.WriteString("\n")
		}
		b.WriteString("\n" + oneLine(p.Text))
		last = p.Paragraph
	}
	b.WriteString("\n")
	return b.Bytes()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Remove deletes an added document. Removing one that is not there is not
// an error.
func (s *Store) Remove(id string) error {
	if !validID(id) {
		return nil
	}
	if err := os.Remove(s.docPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("corpus: store: remove %s: %w", id, err)
	}
	return syncDir(filepath.Join(s.dir, docsDir))
}

type hiddenSet struct {
	Hidden []string `json:"hidden"`
}

// Hidden returns the IDs of the shipped documents moderators removed.
func (s *Store) Hidden() (map[string]bool, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, hiddenFile))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: store: %w", err)
	}
	var h hiddenSet
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("corpus: store: %s: %w", hiddenFile, err)
	}
	out := make(map[string]bool, len(h.Hidden))
	for _, id := range h.Hidden {
		out[id] = true
	}
	return out, nil
}

// Hide records that the shipped document id is removed.
func (s *Store) Hide(id string) error { return s.setHidden(id, true) }

// Unhide brings a hidden shipped document back.
func (s *Store) Unhide(id string) error { return s.setHidden(id, false) }

func (s *Store) setHidden(id string, hide bool) error {
	set, err := s.Hidden()
	if err != nil {
		return err
	}
	if set[id] == hide {
		return nil
	}
	if hide {
		set[id] = true
	} else {
		delete(set, id)
	}
	h := hiddenSet{Hidden: []string{}}
	for id := range set {
		h.Hidden = append(h.Hidden, id)
	}
	slices.Sort(h.Hidden)
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(s.dir, hiddenFile), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("corpus: store: %w", err)
	}
	return nil
}

// Corpus is the corpus the store describes: the shipped documents less the
// hidden ones, plus the added ones, by ID, tagged with the shipped
// thesaurus. The shipped documents are copied, not tagged in place. An added
// document whose ID a shipped one already has is refused with a sentence
// saying so; an added file that no longer loads is left out (Documents
// reports it).
func (s *Store) Corpus(shipped Set) (Set, error) {
	hidden, err := s.Hidden()
	if err != nil {
		return Set{}, err
	}
	stored, err := s.Documents()
	if err != nil {
		return Set{}, err
	}
	var out []*Document
	have := map[string]bool{}
	for _, d := range shipped.Docs {
		if !hidden[d.ID] {
			c := *d
			c.Passages = slices.Clone(d.Passages)
			out = append(out, &c)
			have[d.ID] = true
		}
	}
	for _, sd := range stored {
		if sd.Doc == nil {
			continue
		}
		if have[sd.ID] {
			return Set{}, IDTaken(sd.ID)
		}
		out = append(out, sd.Doc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return NewSet(out, shipped.Thesaurus), nil
}

// IDTaken is the refusal for a document whose ID the corpus already has.
func IDTaken(id string) error {
	return &UserError{Msg: fmt.Sprintf("The corpus already has a document with the id %q: remove it first, or add this one under another name.", id)}
}

// Audit appends one entry to the audit log, durably. A zero Time is now.
func (s *Store) Audit(e AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("corpus: audit: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.dir, auditFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("corpus: audit: %w", err)
	}
	// One write per entry: appends from other processes do not interleave.
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("corpus: audit: %w", err)
	}
	return nil
}

// AuditLog reads the audit log, oldest first. A torn last line (a crash
// mid-append) is skipped.
func (s *Store) AuditLog() ([]AuditEntry, error) {
	f, err := os.Open(filepath.Join(s.dir, auditFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: audit: %w", err)
	}
	defer f.Close()
	var out []AuditEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e AuditEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// Snapshot remembers the stored files of the given documents (or that there
// is none) and the hidden set, so that a change that fails halfway can be
// undone with Restore.
func (s *Store) Snapshot(ids ...string) (*Snapshot, error) {
	sn := &Snapshot{s: s, files: map[string][]byte{}}
	paths := []string{filepath.Join(s.dir, hiddenFile)}
	for _, id := range ids {
		if validID(id) {
			paths = append(paths, s.docPath(id))
		}
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			sn.files[p] = nil
		case err != nil:
			return nil, fmt.Errorf("corpus: store: snapshot: %w", err)
		default:
			sn.files[p] = data
		}
	}
	return sn, nil
}

// Snapshot is the state of some stored files at one moment.
type Snapshot struct {
	s     *Store
	files map[string][]byte // nil: the file did not exist
}

// Restore puts the files back as they were when the snapshot was taken.
func (sn *Snapshot) Restore() error {
	var errs []error
	for p, data := range sn.files {
		if data == nil {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		if err := WriteFileAtomic(p, data, 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, syncDir(filepath.Join(sn.s.dir, docsDir)))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("corpus: store: restore: %w", err)
	}
	return nil
}

// WriteFileAtomic replaces the file at path with data so that a crash at
// any moment leaves either the old file or the new one, never a mix: it
// writes a temporary file in the same directory, fsyncs it, renames it over
// path, and fsyncs the directory so the rename itself is durable.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+tmpMarker+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes the directory's entries (a rename, a new or removed file)
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// TopicsFile is the thesaurus moderators edit, in the store's directory.
const TopicsFile = "topics.txt"

// Thesaurus returns the thesaurus moderators keep in the store. The first
// time, it writes the shipped one there, so there is a file to edit; while
// the file says what the shipped one says, it returns shipped itself (so
// nothing is re-tagged). A malformed file is a user error naming its line.
func (s *Store) Thesaurus(shipped *Thesaurus) (*Thesaurus, error) {
	path := filepath.Join(s.dir, TopicsFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := WriteFileAtomic(path, []byte(ShippedTopicsText()), 0o644); err != nil {
			return nil, fmt.Errorf("corpus: write %s: %w", path, err)
		}
		return shipped, nil
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: read %s: %w", path, err)
	}
	if string(raw) == ShippedTopicsText() {
		return shipped, nil
	}
	th, err := ParseThesaurus(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", path, err)
	}
	return th, nil
}
