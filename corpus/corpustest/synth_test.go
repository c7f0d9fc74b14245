package corpustest

import (
	"testing"
)

func TestSyntheticIsDeterministicAndRealistic(t *testing.T) {
	a, err := Synthetic(1, 200)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Synthetic(1, 200)
	if err != nil {
		t.Fatal(err)
	}
	if a.Fingerprint() != b.Fingerprint() {
		t.Errorf("the same seed made different corpora")
	}
	if c, _ := Synthetic(2, 200); c.Fingerprint() == a.Fingerprint() {
		t.Errorf("different seeds made the same corpus")
	}
	passages, people, topics, quotes, chars := 0, 0, 0, 0, 0
	for _, d := range a.Docs {
		for _, p := range d.Passages {
			passages++
			chars += len(p.Text)
			if len(p.People) > 0 {
				people++
			}
			if len(p.Topics) > 0 {
				topics++
			}
			if len(p.Speakers) > 0 {
				quotes++
			}
		}
	}
	if passages < 200 {
		t.Errorf("%d passages, want at least 200", passages)
	}
	mean := chars / passages
	t.Logf("%d passages, mean %d chars, %d with people, %d with topics, %d with quotes", passages, mean, people, topics, quotes)
	if mean < 120 || mean > 600 {
		t.Errorf("mean passage length %d chars, want news-like (120-600)", mean)
	}
	if people == 0 || topics == 0 || quotes == 0 {
		t.Errorf("people %d, topics %d, quotes %d: every mechanism needs work to do", people, topics, quotes)
	}
}
