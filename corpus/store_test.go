package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func loadTestdata(t *testing.T, name string, meta Meta) *Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(name, data, meta)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestStoreGivesBackTheDocumentsItWasGiven(t *testing.T) {
	shipped, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	docs := append([]*Document{
		loadTestdata(t, "article.html", Meta{URL: "https://riverside.example/news/library-night.html"}),
		loadTestdata(t, "frontmatter.md", Meta{}),
		loadTestdata(t, "scraped-independent.txt", Meta{ID: "scraped"}),
	}, shipped.Docs...)
	for _, d := range docs {
		// Shipped documents are added under another ID, as a moderator's
		// copy would be.
		d := *d
		d.ID = "copy-" + d.ID
		d.Passages = append([]Passage(nil), d.Passages...)
		for i := range d.Passages {
			d.Passages[i].Doc = d.ID
			d.Passages[i].ID = strings.Replace(d.Passages[i].ID, strings.TrimPrefix(d.ID, "copy-"), d.ID, 1)
		}
		t.Run(d.ID, func(t *testing.T) {
			s := openStore(t)
			info := AddInfo{Source: "https://riverside.example/x", By: "shell:ann", At: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)}
			stored, err := s.Put(&d, info)
			if err != nil {
				t.Fatalf("Put(%s) = %v", d.ID, err)
			}
			// Topics are the set's business (NewSet tags them); the rest
			// must come back as given.
			if untaggedPrint(stored) != untaggedPrint(&d) {
				t.Errorf("Put(%s) stored %d passages, want the %d given, verbatim", d.ID, len(stored.Passages), len(d.Passages))
			}
			reopened, err := OpenStore(s.Dir())
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := reopened.Get(d.ID)
			if err != nil || !ok || got.Err != nil {
				t.Fatalf("Get(%s) after reopening = %v, %v, %v", d.ID, ok, err, got.Err)
			}
			if untaggedPrint(got.Doc) != untaggedPrint(stored) {
				t.Errorf("Get(%s) after reopening differs from what Put stored", d.ID)
			}
			if got.Info != info {
				t.Errorf("Get(%s).Info = %+v, want %+v", d.ID, got.Info, info)
			}
		})
	}
}

func TestStoreFilesAreMarkdownTheLoaderReads(t *testing.T) {
	s := openStore(t)
	d := loadTestdata(t, "article.html", Meta{URL: "https://riverside.example/news/library-night.html"})
	if _, err := s.Put(d, AddInfo{Source: "library.html", By: "shell:ann", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(s.Dir(), "docs", d.ID+".md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"---\n", `id: "` + d.ID + `"`, `url: "https://riverside.example/news/library-night.html"`, `added_by: "shell:ann"`, `source: "library.html"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("stored file lacks %q:\n%s", want, data)
		}
	}
	// The loader ignores the store's own keys.
	got, err := Load("anything.md", data, Meta{})
	if err != nil || got.ID != d.ID || got.Title != d.Title || len(got.Passages) != len(d.Passages) {
		t.Errorf("Load(stored file) = %v, %v; want %s with %d passages", got, err, d.ID, len(d.Passages))
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir(), "docs"))
	for _, e := range entries {
		if strings.Contains(e.Name(), tmpMarker) {
			t.Errorf("a temporary file was left behind: %s", e.Name())
		}
	}
}

func TestHiddenShippedDocumentsStayHiddenAfterReopening(t *testing.T) {
	shipped, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	if err := s.Hide(shipped.Docs[0].ID); err != nil {
		t.Fatal(err)
	}
	s2, _ := OpenStore(s.Dir())
	set, err := s2.Corpus(shipped)
	if err != nil {
		t.Fatal(err)
	}
	docs := set.Docs
	for _, d := range docs {
		if d.ID == shipped.Docs[0].ID {
			t.Errorf("Corpus() after Hide(%s) still has it", d.ID)
		}
	}
	if len(docs) != len(shipped.Docs)-1 {
		t.Errorf("Corpus() = %d documents, want %d", len(docs), len(shipped.Docs)-1)
	}
	if err := s2.Unhide(shipped.Docs[0].ID); err != nil {
		t.Fatal(err)
	}
	if set, _ := s2.Corpus(shipped); len(set.Docs) != len(shipped.Docs) {
		t.Errorf("Corpus() after Unhide = %d documents, want %d", len(set.Docs), len(shipped.Docs))
	}
}

func TestCorpusRefusesAnAddedDocumentWithAShippedID(t *testing.T) {
	shipped, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	d := loadTestdata(t, "frontmatter.md", Meta{ID: shipped.Docs[0].ID})
	if _, err := s.Put(d, AddInfo{Source: "x.md"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Corpus(shipped)
	if msg, ok := UserMessage(err); !ok || !strings.Contains(msg, shipped.Docs[0].ID) {
		t.Errorf("Corpus() = %v, want a sentence naming %q", err, shipped.Docs[0].ID)
	}
	// Hidden, the shipped one no longer stands in the way.
	if err := s.Hide(shipped.Docs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Corpus(shipped); err != nil {
		t.Errorf("Corpus() with the shipped one hidden = %v", err)
	}
}

func TestAFileThatNoLongerLoadsIsReportedNotFatal(t *testing.T) {
	s := openStore(t)
	good := loadTestdata(t, "frontmatter.md", Meta{ID: "good"})
	if _, err := s.Put(good, AddInfo{Source: "good.md"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), "docs", "bad.md"), []byte("---\nid: [\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	docs, err := s.Documents()
	if err != nil || len(docs) != 2 {
		t.Fatalf("Documents() = %d, %v; want 2", len(docs), err)
	}
	if docs[0].ID != "bad" || docs[0].Err == nil || docs[1].ID != "good" || docs[1].Err != nil {
		t.Errorf("Documents() = %+v; want bad with an error, good without", docs)
	}
	all, err := s.Corpus(Set{})
	if err != nil || len(all.Docs) != 1 || all.Docs[0].ID != "good" {
		t.Errorf("Corpus() = %v, %v; want only good", all.Docs, err)
	}
}

func TestSnapshotRestoreUndoesPutRemoveAndHide(t *testing.T) {
	s := openStore(t)
	a := loadTestdata(t, "frontmatter.md", Meta{ID: "a"})
	if _, err := s.Put(a, AddInfo{Source: "a.md"}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(s.Dir(), "docs", "a.md"))
	sn, err := s.Snapshot("a", "b")
	if err != nil {
		t.Fatal(err)
	}
	b := loadTestdata(t, "frontmatter.md", Meta{ID: "b"})
	if _, err := s.Put(b, AddInfo{Source: "b.md"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Hide("shipped-one"); err != nil {
		t.Fatal(err)
	}
	if err := sn.Restore(); err != nil {
		t.Fatal(err)
	}
	docs, _ := s.Documents()
	if len(docs) != 1 || docs[0].ID != "a" {
		t.Errorf("Documents() after Restore = %+v, want only a", docs)
	}
	after, _ := os.ReadFile(filepath.Join(s.Dir(), "docs", "a.md"))
	if string(after) != string(before) {
		t.Errorf("a.md after Restore differs from before")
	}
	if h, _ := s.Hidden(); len(h) != 0 {
		t.Errorf("Hidden() after Restore = %v, want none", h)
	}
}

func TestAuditLogAppendsOneLinePerChange(t *testing.T) {
	s := openStore(t)
	entries := []AuditEntry{
		{Who: "shell:ann", Action: "add", Target: "https://x.example/a", Outcome: OutcomeOK, Detail: "added a (4 passages)"},
		{Who: "discord:42", Action: "remove", Target: "a", Outcome: OutcomeRefused, Detail: "No document has the id \"a\"."},
	}
	for _, e := range entries {
		if err := s.Audit(e); err != nil {
			t.Fatal(err)
		}
	}
	// A torn line from a crash mid-append is skipped, not fatal.
	f, _ := os.OpenFile(filepath.Join(s.Dir(), auditFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"who":"sh`)
	f.Close()
	got, err := s.AuditLog()
	if err != nil || len(got) != 2 {
		t.Fatalf("AuditLog() = %d entries, %v; want 2", len(got), err)
	}
	for i, e := range got {
		if e.Who != entries[i].Who || e.Action != entries[i].Action || e.Outcome != entries[i].Outcome || e.Time.IsZero() {
			t.Errorf("AuditLog()[%d] = %+v, want %+v with a time", i, e, entries[i])
		}
	}
}
