package index

import (
	"context"
	"testing"
)

// BenchmarkAsk is one /ask on the shipped corpus: the baseline later work on
// speed is measured against.
func BenchmarkAsk(b *testing.B) {
	ix := shipped(b)
	q := Query{Command: Ask, Text: "why did China ban Japanese seafood?"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ix.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}
