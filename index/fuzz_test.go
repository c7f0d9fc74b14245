package index

import (
	"context"
	"errors"
	"strings"
	"testing"

	"visitbot/corpus"
)

// FuzzParseCommand: any line is a query or a user error, never a panic, and
// a query it accepts is valid.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/issue seafood", "/who Wang Yi", "/ask why?", "", "/", "/issue", "/weather x", "who\t\tx", "/ASK  " + strings.Repeat("é", 400)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		q, err := ParseCommand(line)
		if err != nil {
			if _, ok := corpus.UserMessage(err); !ok {
				t.Fatalf("ParseCommand(%q) = %v, not a user error", line, err)
			}
			return
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("ParseCommand(%q) accepted an invalid query: %v", line, err)
		}
	})
}

// FuzzSearch: any text searched by any command on the shipped corpus gives
// an answer or a user error, never a panic, and highlights stay inside their
// passage.
func FuzzSearch(f *testing.F) {
	ix := shipped(f)
	for _, s := range []string{"seafood", "+title:x -foo", "*", "Iwaia", "U.S.-China", "what did Li say?", "@everyone", "\x00", "ﬁsh"} {
		f.Add("issue", s)
		f.Add("ask", s)
	}
	f.Fuzz(func(t *testing.T, cmd, text string) {
		res, err := ix.Search(context.Background(), Query{Command: Command(cmd), Text: text})
		if err != nil {
			if _, ok := corpus.UserMessage(err); !ok && !errors.Is(err, context.Canceled) {
				t.Fatalf("Search(%s, %q) = %v, not a user error", cmd, text, err)
			}
			return
		}
		for _, h := range res.Hits {
			for _, s := range h.Highlights {
				if s.Start < 0 || s.End > len(h.Passage.Text) || s.Start >= s.End {
					t.Fatalf("Search(%s, %q): highlight %v outside passage of %d bytes", cmd, text, s, len(h.Passage.Text))
				}
			}
		}
	})
}
