package index

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// EvalCase is one line of an eval file: a query, the substrings that mark a
// right passage, and whether an answer or nothing is expected.
type EvalCase struct {
	ID      string   `json:"id"`
	Command string   `json:"command"`
	Query   string   `json:"query"`
	Gold    []string `json:"gold"`
	Expect  string   `json:"expect"` // "answer" or "none"
	Kind    string   `json:"kind"`
}

// ReadEvalCases reads JSON Lines; blank lines are skipped.
func ReadEvalCases(r io.Reader) ([]EvalCase, error) {
	var cases []EvalCase
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c EvalCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if c.Expect != "answer" && c.Expect != "none" {
			return nil, fmt.Errorf("line %d: expect must be \"answer\" or \"none\", not %q", n, c.Expect)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return cases, nil
}

// Score is the quality of answers to a set of cases. HitAt1, HitAt3 and MRR
// are over the cases that expect an answer; None over those that expect none.
type Score struct {
	Name                        string
	HitAt1, HitAt3, MRR         float64
	None                        float64
	N, Answerable, Unanswerable int
}

func (s Score) String() string {
	return fmt.Sprintf("hit@1=%.3f hit@3=%.3f mrr=%.3f none=%.3f n=%d", s.HitAt1, s.HitAt3, s.MRR, s.None, s.N)
}

// EvalOutcome is how one case went.
type EvalOutcome struct {
	Case EvalCase
	Rank int // 1-based rank of the first right passage; 0 when none was found
	Hits int // passages returned
	Top  string
}

// Pass reports whether the case got what it expected at rank 1.
func (o EvalOutcome) Pass() bool {
	if o.Case.Expect == "none" {
		return o.Hits == 0
	}
	return o.Rank == 1
}

// Evaluate runs every case (top 10 passages each) and scores them per kind and
// overall; the overall score is last.
func (ix *Index) Evaluate(ctx context.Context, cases []EvalCase) ([]Score, []EvalOutcome, error) {
	outcomes := make([]EvalOutcome, 0, len(cases))
	for _, c := range cases {
		cmd, ok := LookupCommand(c.Command)
		if !ok {
			return nil, nil, fmt.Errorf("case %s: unknown command %q", c.ID, c.Command)
		}
		res, err := ix.Search(ctx, Query{Command: cmd, Text: c.Query, Limit: 10})
		if err != nil {
			return nil, nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
		o := EvalOutcome{Case: c, Hits: len(res.Hits)}
		for i, h := range res.Hits {
			if i == 0 {
				o.Top = h.Passage.ID
			}
			if o.Rank == 0 && containsAny(h.Passage.Text, c.Gold) {
				o.Rank = i + 1
			}
		}
		outcomes = append(outcomes, o)
	}
	byKind := map[string][]EvalOutcome{}
	for _, o := range outcomes {
		byKind[o.Case.Kind] = append(byKind[o.Case.Kind], o)
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var scores []Score
	for _, k := range kinds {
		scores = append(scores, score(k, byKind[k]))
	}
	scores = append(scores, score("all", outcomes))
	return scores, outcomes, nil
}

func score(name string, os []EvalOutcome) Score {
	s := Score{Name: name, N: len(os)}
	for _, o := range os {
		if o.Case.Expect == "none" {
			s.Unanswerable++
			if o.Hits == 0 {
				s.None++
			}
			continue
		}
		s.Answerable++
		if o.Rank == 1 {
			s.HitAt1++
		}
		if o.Rank >= 1 && o.Rank <= 3 {
			s.HitAt3++
		}
		if o.Rank > 0 {
			s.MRR += 1 / float64(o.Rank)
		}
	}
	if s.Answerable > 0 {
		a := float64(s.Answerable)
		s.HitAt1, s.HitAt3, s.MRR = s.HitAt1/a, s.HitAt3/a, s.MRR/a
	} else {
		// Nothing to find: vacuously perfect, so a kind of only "none" cases
		// does not read as a failure.
		s.HitAt1, s.HitAt3, s.MRR = 1, 1, 1
	}
	if s.Unanswerable > 0 {
		s.None /= float64(s.Unanswerable)
	} else {
		s.None = 1
	}
	return s
}

// containsAny reports whether text contains one of the gold substrings,
// exactly (curly quotes are not straight ones).
func containsAny(text string, gold []string) bool {
	for _, g := range gold {
		if strings.Contains(text, g) {
			return true
		}
	}
	return false
}
