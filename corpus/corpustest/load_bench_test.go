package corpustest

import (
	"testing"

	"visitbot/corpus"
)

func BenchmarkLoadArticle(b *testing.B) {
	text := []byte(Article(1, 7))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := corpus.Load("a.md", text, corpus.Meta{}); err != nil {
			b.Fatal(err)
		}
	}
}
