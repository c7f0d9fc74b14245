package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runCLI runs the program as main does and returns its exit status and output.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), args, getenv, &out, &errOut)
	code = report(err, &errOut)
	return code, out.String(), errOut.String()
}

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
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", path, got)
	}
}

func TestAskPrintsQuotedPassagesWithTheirSources(t *testing.T) {
	tests := []struct{ golden, line string }{
		{"ask-issue-seafood.txt", "/issue seafood"},
		{"ask-who-wang-yi.txt", "/who Wang Yi"},
		{"ask-ask-ban.txt", "/ask why did China ban Japanese seafood?"},
		{"ask-nothing.txt", "/issue climate change"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, "ask", tt.line)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			golden(t, tt.golden, out)
		})
	}
}

func TestAskJSONIsOneObjectWithVerbatimResults(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "ask", "--json", "--limit", "2", "/issue seafood")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var res struct {
		Command string `json:"command"`
		Query   string `json:"query"`
		Results []struct {
			Text, Doc, Passage, Title, Source, Kind, Published, URL string
			Paragraph                                               int
			Score                                                   float64
		} `json:"results"`
	}
	if err := dec.Decode(&res); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Errorf("more than one JSON value in %q", out)
	}
	if res.Command != "issue" || res.Query != "seafood" || len(res.Results) != 2 {
		t.Fatalf("got %+v", res)
	}
	r := res.Results[0]
	if r.Kind != "article" || r.Source == "" || r.Published != "2024-12-25" || r.Score <= 0 || !strings.HasPrefix(r.Passage, r.Doc+"#") {
		t.Errorf("first result = %+v", r)
	}
	if !strings.Contains(out, `"url":""`) || !strings.Contains(out, `"paragraph":`) {
		t.Errorf("every field is present, url empty when unknown: %s", out)
	}
}

func TestAskJSONWithNothingRelevantHasEmptyResults(t *testing.T) {
	code, out, _ := runCLI(t, nil, "ask", "--json", "/who Kim Jong Un")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, `"results":[]`) {
		t.Errorf("results must be [] (never null): %s", out)
	}
}

func TestAskRefusesBadInputWithExitTwoAndOneSentence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", []string{"ask"}, "Give a command"},
		{"no slash command", []string{"ask", "   "}, "Start with a command"},
		{"unknown command", []string{"ask", "/weather rain"}, "Unknown command"},
		{"empty query", []string{"ask", "/issue"}, "Say what to search for"},
		{"whitespace query", []string{"ask", "/who \t "}, "Say what to search for"},
		{"huge query", []string{"ask", "/ask " + strings.Repeat("why ", 200)}, "too long"},
		{"bad limit", []string{"ask", "--limit", "0", "/issue seafood"}, "--limit"},
		{"unknown flag", []string{"ask", "--colour", "/issue seafood"}, "not defined"},
		{"unknown subcommand", []string{"frobnicate"}, "Unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr = %q, want one line containing %q", errOut, tt.want)
			}
		})
	}
}

func TestHelpExplainsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"ask", "--help"}, {"eval", "-h"}} {
		code, out, _ := runCLI(t, nil, args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, want := range []string{"/issue", "/who", "/ask"} {
			if args[0] != "eval" && !strings.Contains(out, want) {
				t.Errorf("%v does not mention %s:\n%s", args, want, out)
			}
		}
	}
}

func TestEvalPrintsARowPerKindAndTheSummaryLast(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "eval", filepath.Join("..", "..", "..", "shared", "eval", "dev.jsonl"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	for _, f := range []string{"hit@1=", "hit@3=", "mrr=", "none=", "n=25"} {
		if !strings.Contains(last, f) {
			t.Errorf("last line %q lacks %s", last, f)
		}
	}
	for _, kind := range []string{"synonym", "typo", "question", "none"} {
		if !strings.Contains(out, "\n"+kind+" ") {
			t.Errorf("no row for kind %s:\n%s", kind, out)
		}
	}
}

func TestEvalRefusesAMalformedFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(`{"id":"x","command":"issue","query":"q","expect":"maybe"}`+"\n"), 0o644)
	for _, args := range [][]string{{"eval"}, {"eval", bad}, {"eval", filepath.Join(t.TempDir(), "missing.jsonl")}} {
		if code, _, errOut := runCLI(t, nil, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a sentence", args, code, errOut)
		}
	}
}

func TestAskAnswersFromTheDocumentsInDataDir(t *testing.T) {
	env := map[string]string{"DATA_DIR": filepath.Join(t.TempDir(), "data")}
	if code, _, errOut := runCLI(t, env, "corpus", "add", filepath.Join("testdata", "corpus-ferry.md")); code != 0 {
		t.Fatalf("corpus add: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, env, "ask", "--json", "/issue ferry refit")
	if code != 0 {
		t.Fatalf("ask: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"doc":"island-ferry"`) {
		t.Errorf("ask with DATA_DIR did not answer from the added document: %s", out)
	}
	// The shipped corpus is still there.
	if code, out, _ := runCLI(t, env, "ask", "--json", "/issue seafood"); code != 0 || !strings.Contains(out, "seafood") {
		t.Errorf("ask with DATA_DIR lost the shipped corpus: %s", out)
	}
}

func TestAskWithoutDataDirWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if code, _, errOut := runCLI(t, nil, "ask", "/issue seafood"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("ask with no DATA_DIR wrote %v", entries)
	}
}
