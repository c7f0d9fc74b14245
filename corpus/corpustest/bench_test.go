package corpustest

import "testing"

// BenchmarkSynthetic100k is what every 100k-passage benchmark pays before
// it starts: generating and ingesting the corpus.
func BenchmarkSynthetic100k(b *testing.B) {
	for b.Loop() {
		if _, err := Synthetic(1, 100_000); err != nil {
			b.Fatal(err)
		}
	}
}
