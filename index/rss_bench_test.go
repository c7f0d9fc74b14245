package index

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"visitbot/corpus"
)

// rssChildEnv makes the test binary, re-run by BenchmarkOpenResident, open an
// index and report its memory instead of running tests.
const rssChildEnv = "VISITBOT_RSS_CHILD"

// BenchmarkOpenResident measures what a restarted bot pays for the 100k
// index, in a process of its own (so the benchmark's own corpus generation
// does not count): the time to open it, and the resident memory and Go heap
// once it is open with its corpus loaded, as the bot holds both.
func BenchmarkOpenResident(b *testing.B) {
	f := fixtureFor(b, 100_000)
	// The build holds the index open for writing; reopen it read-only, as
	// a restarted bot would, so the child can open it too.
	if err := f.ix.Close(); err != nil {
		b.Fatal(err)
	}
	ix, err := Open(f.dir, f.set)
	if err != nil {
		b.Fatal(err)
	}
	f.ix = ix
	setFile := filepath.Join(benchRoot, "set-100000.gob")
	if _, err := os.Stat(setFile); err != nil {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(f.set); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(setFile, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var rss, heap, open float64
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRSSChild$", "-test.v")
		cmd.Env = append(os.Environ(), rssChildEnv+"="+f.dir+"|"+setFile)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		for _, field := range strings.Fields(string(out)) {
			k, v, ok := strings.Cut(field, "=")
			if !ok {
				continue
			}
			n, _ := strconv.ParseFloat(v, 64)
			switch k {
			case "rss_kb":
				rss = n / 1024
			case "heap_bytes":
				heap = n / (1 << 20)
			case "open_ns":
				open = n / 1e6
			}
		}
	}
	b.ReportMetric(rss, "rss-MiB")
	b.ReportMetric(heap, "heap-MiB")
	b.ReportMetric(open, "open-ms")
}

// TestRSSChild is BenchmarkOpenResident's child; in a normal test run it
// does nothing.
func TestRSSChild(t *testing.T) {
	arg := os.Getenv(rssChildEnv)
	if arg == "" {
		return
	}
	dir, setFile, _ := strings.Cut(arg, "|")
	raw, err := os.ReadFile(setFile)
	if err != nil {
		t.Fatal(err)
	}
	var set corpus.Set
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&set); err != nil {
		t.Fatal(err)
	}
	raw = nil
	runtime.GC()
	start := time.Now()
	ix, err := Open(dir, set)
	if err != nil {
		t.Fatal(err)
	}
	opened := time.Since(start)
	defer ix.Close()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status, _ := os.ReadFile("/proc/self/status")
	rss := ""
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			rss = strings.Fields(line)[1]
		}
	}
	fmt.Printf("rss_kb=%s heap_bytes=%d open_ns=%d\n", rss, ms.HeapAlloc, opened.Nanoseconds())
}
