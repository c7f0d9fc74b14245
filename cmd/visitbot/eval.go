package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"visitbot/index"
)

const evalHelp = `Usage: visitbot eval [--verbose] FILE

Runs every question of a JSON Lines eval file (fields: id, command, query,
gold, expect "answer" or "none", kind) against the shipped corpus and prints a
row per kind, then the overall line:
  hit@1=… hit@3=… mrr=… none=… n=…

Flags:
`

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", evalHelp)
	verbose := fs.Bool("verbose", false, "also list each question that missed")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("Give one eval file, e.g. visitbot eval ../shared/eval/dev.jsonl.")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return usagef("Cannot read the eval file: %v.", err)
	}
	defer f.Close()
	cases, err := index.ReadEvalCases(f)
	if err != nil {
		return usagef("The eval file is malformed: %v.", err)
	}
	ix, err := openShipped(ctx)
	if err != nil {
		return err
	}
	defer ix.Close()
	scores, outcomes, err := ix.Evaluate(ctx, cases)
	if err != nil {
		return err
	}
	if *verbose {
		for _, o := range outcomes {
			if !o.Pass() {
				fmt.Fprintf(stdout, "MISS %-12s %-6s %-40q rank=%d hits=%d top=%s\n", o.Case.ID, o.Case.Command, o.Case.Query, o.Rank, o.Hits, o.Top)
			}
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\tn\thit@1\thit@3\tmrr\tnone")
	for _, s := range scores[:len(scores)-1] {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\n", s.Name, s.N, s.HitAt1, s.HitAt3, s.MRR, s.None)
	}
	tw.Flush()
	fmt.Fprintln(stdout, scores[len(scores)-1].String())
	return nil
}
