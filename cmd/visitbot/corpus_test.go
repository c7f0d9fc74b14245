package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"visitbot/index"
)

const ferryPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour wall repaired | Coast Gazette</title>
<meta property="og:site_name" content="Coast Gazette"></head><body><article><h1>Harbour wall repaired</h1>
<p>Divers finished repairing the harbour wall on Friday, three weeks after a storm tore a gap in it and flooded the fish market.</p>
<p>The harbour master said fishing boats could use the inner berths again from Monday.</p>
</article></body></html>`

func newsSite(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/news/harbour-wall-repaired" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, ferryPage)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func corpusEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"DATA_DIR": t.TempDir(), "FETCH_ALLOW_PRIVATE": "true", "USER": "ann"}
}

// lsJSON runs corpus ls --json and decodes it, insisting on exactly the
// documented keys.
func lsJSON(t *testing.T, env map[string]string) []map[string]any {
	t.Helper()
	code, out, errOut := runCLI(t, env, "corpus", "ls", "--json")
	if code != 0 {
		t.Fatalf("corpus ls --json: exit %d: %s", code, errOut)
	}
	var got struct {
		Documents []map[string]any `json:"documents"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("corpus ls --json printed %q: %v", out, err)
	}
	keys := []string{"added_at", "added_by", "hidden", "id", "kind", "passages", "source", "title", "url"}
	for _, d := range got.Documents {
		var have []string
		for k := range d {
			have = append(have, k)
		}
		slices.Sort(have)
		if !slices.Equal(have, keys) {
			t.Errorf("corpus ls --json document has keys %v, want exactly %v", have, keys)
		}
	}
	return got.Documents
}

func find(docs []map[string]any, id string) map[string]any {
	for _, d := range docs {
		if d["id"] == id {
			return d
		}
	}
	return nil
}

func TestCorpusAddListRemoveRefresh(t *testing.T) {
	env := corpusEnv(t)
	site := newsSite(t)
	link := site.URL + "/news/harbour-wall-repaired"

	code, out, errOut := runCLI(t, env, "corpus", "add", link)
	if code != 0 {
		t.Fatalf("corpus add %s: exit %d: %s", link, code, errOut)
	}
	for _, want := range []string{"fetching " + link, "extracting", "indexing", "Added harbour-wall-repaired (2 passages)."} {
		if !strings.Contains(out, want) {
			t.Errorf("corpus add printed %q, want it to contain %q", out, want)
		}
	}
	if strings.Contains(out, "\r") {
		t.Errorf("corpus add drew a progress bar into a pipe: %q", out)
	}

	file := filepath.Join("testdata", "corpus-ferry.md")
	if code, out, errOut := runCLI(t, env, "corpus", "add", file); code != 0 || !strings.Contains(out, "Added island-ferry (3 passages).") {
		t.Fatalf("corpus add %s: exit %d, %q, %s", file, code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "corpus", "rm", "ap-iwaya-beijing-summary"); code != 0 {
		t.Fatalf("corpus rm ap-iwaya-beijing-summary: exit %d: %s", code, errOut)
	}

	docs := lsJSON(t, env)
	added := find(docs, "harbour-wall-repaired")
	if added == nil || added["source"] != link || added["url"] != link || added["added_by"] != "shell:ann" ||
		added["kind"] != "article" || added["passages"] != 2.0 || added["hidden"] != false || added["added_at"] == "" {
		t.Errorf("corpus ls --json has %v for the added link", added)
	}
	if f := find(docs, "island-ferry"); f == nil || f["source"] != "corpus-ferry.md" || f["title"] != "Island ferry returns after winter refit" {
		t.Errorf("corpus ls --json has %v for the added file", f)
	}
	if s := find(docs, "ap-iwaya-beijing"); s == nil || s["added_by"] != "shipped" || s["hidden"] != false || s["added_at"] != "" {
		t.Errorf("corpus ls --json has %v for the shipped article", s)
	}
	if s := find(docs, "ap-iwaya-beijing-summary"); s == nil || s["hidden"] != true {
		t.Errorf("corpus ls --json has %v for the removed shipped summary, want it hidden", s)
	}

	code, out, _ = runCLI(t, env, "corpus", "ls")
	if code != 0 || !strings.Contains(out, "island-ferry") || !strings.Contains(out, "(removed)") {
		t.Errorf("corpus ls = exit %d:\n%s", code, out)
	}

	if code, out, errOut := runCLI(t, env, "corpus", "refresh"); code != 0 || !strings.Contains(out, "Nothing changed.") {
		t.Errorf("corpus refresh = exit %d, %q, %s; want nothing changed", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, env, "corpus", "rm", "island-ferry"); code != 0 || !strings.Contains(out, "Removed island-ferry (3 passages).") {
		t.Errorf("corpus rm island-ferry = exit %d, %q, %s", code, out, errOut)
	}

	data, err := os.ReadFile(filepath.Join(env["DATA_DIR"], "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("\n")); n < 5 || !bytes.Contains(data, []byte(`"who":"shell:ann"`)) {
		t.Errorf("audit.jsonl has %d lines:\n%s", n, data)
	}
}

func TestCorpusRefusesWithExitTwoAndOneSentence(t *testing.T) {
	site := newsSite(t)
	big := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(big, bytes.Repeat([]byte("The harbour wall was repaired.\n"), 6<<20/31), 0o644); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "article.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.7"), 0o644)

	tests := []struct {
		name string
		env  map[string]string // added to DATA_DIR and USER
		args []string
		want string
	}{
		{"a loopback link", nil, []string{"corpus", "add", site.URL + "/news/harbour-wall-repaired"},
			"That address points inside this server's network, so it was not fetched."},
		{"a missing page", map[string]string{"FETCH_ALLOW_PRIVATE": "true"}, []string{"corpus", "add", site.URL + "/gone"},
			"The site answered 404 Not Found instead of the page."},
		{"an ftp link", nil, []string{"corpus", "add", "ftp://example.com/a.txt"}, "Only http and https links can be added."},
		{"a file link", nil, []string{"corpus", "add", "file:///etc/passwd"}, "Only http and https links can be added."},
		{"a missing file", nil, []string{"corpus", "add", "no-such-file.md"}, "There is no file no-such-file.md to add."},
		{"a big file", nil, []string{"corpus", "add", big}, "That file is larger than 5 MiB, so it was not added."},
		{"a pdf", nil, []string{"corpus", "add", pdf}, "Only .txt, .md and .html files can be added."},
		{"an unknown id", nil, []string{"corpus", "rm", "nope"}, `No document in the corpus has the id "nope": list them to see the ids.`},
		{"no subcommand", nil, []string{"corpus"}, "Say what to do: visitbot corpus add, rm, ls or refresh (see visitbot corpus --help)."},
		{"an unknown subcommand", nil, []string{"corpus", "frob"}, `Unknown corpus command "frob": use add, rm, ls or refresh.`},
		{"add with nothing", nil, []string{"corpus", "add"}, "Give one link or file to add, e.g. visitbot corpus add https://example.com/article."},
		{"rm with nothing", nil, []string{"corpus", "rm"}, "Give the id of one document to remove (visitbot corpus ls shows them)."},
		{"a bad FETCH_ALLOW_PRIVATE", map[string]string{"FETCH_ALLOW_PRIVATE": "maybe"}, []string{"corpus", "refresh"},
			`FETCH_ALLOW_PRIVATE must be true or false, not "maybe".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DATA_DIR": t.TempDir(), "USER": "ann"}
			for k, v := range tt.env {
				env[k] = v
			}
			code, out, errOut := runCLI(t, env, tt.args...)
			if code != 2 || strings.TrimSpace(errOut) != tt.want {
				t.Errorf("visitbot %s = exit %d, stderr %q (stdout %q), want exit 2 and %q", strings.Join(tt.args, " "), code, errOut, out, tt.want)
			}
		})
	}
}

func TestCorpusHelpListsTheCommands(t *testing.T) {
	code, out, _ := runCLI(t, nil, "corpus", "--help")
	if code != 0 {
		t.Fatalf("corpus --help: exit %d", code)
	}
	for _, want := range []string{"corpus add URL|FILE", "corpus rm ID", "corpus ls [--json]", "corpus refresh", "DATA_DIR", "FETCH_ALLOW_PRIVATE"} {
		if !strings.Contains(out, want) {
			t.Errorf("corpus --help lacks %q", want)
		}
	}
	if _, out, _ := runCLI(t, nil, "help"); !strings.Contains(out, "visitbot corpus") {
		t.Errorf("visitbot help does not mention visitbot corpus")
	}
}

func TestProgressBarDrawsInPlaceOnlyOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	b := &progressBar{w: &buf, terminal: true, lastTen: -1}
	for _, done := range []int{10, 20, 30} {
		b.update(indexProgress(done, 30))
	}
	b.finish()
	if got := buf.String(); strings.Count(got, "\r\033[K") != 3 || !strings.HasSuffix(got, "30/30 passages\n") {
		t.Errorf("terminal progress = %q, want the bar redrawn three times then a newline", got)
	}
	buf.Reset()
	b = newProgressBar(&buf)
	for done := 0; done <= 1000; done += 10 {
		b.update(indexProgress(done, 1000))
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 11 || strings.Contains(buf.String(), "\r") {
		t.Errorf("plain progress = %q, want a line per tenth", buf.String())
	}
}

func indexProgress(done, total int) index.Progress {
	return index.Progress{Phase: index.PhaseIndexing, Done: done, Total: total}
}
