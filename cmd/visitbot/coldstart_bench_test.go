package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkColdStartAsk is the built binary answering from the shipped
// corpus, process start to answer: what `visitbot ask` costs a user.
func BenchmarkColdStartAsk(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "visitbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	dir := b.TempDir() // no ./data here: the shipped corpus in memory
	for b.Loop() {
		cmd := exec.Command(bin, "ask", "/issue seafood")
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil || !strings.Contains(string(out), "seafood") {
			b.Fatalf("ask: %v\n%s", err, out)
		}
	}
}
