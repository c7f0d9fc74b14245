package corpus

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Thesaurus maps topic labels to the words and phrases that mean them. It is
// a plain text file shipped with the corpus (shipped/topics.txt) that
// moderators can edit; see that file for the format.
type Thesaurus struct {
	Topics []Topic
}

// Topic is one label and its phrases (the label among them).
type Topic struct {
	Label   string
	Phrases []string
	forms   [][]string // each phrase as normalized words
}

//go:embed shipped/topics.txt
var shippedTopics string

// ShippedThesaurus is the thesaurus that ships with the corpus.
func ShippedThesaurus() (*Thesaurus, error) {
	th, err := ParseThesaurus(strings.NewReader(shippedTopics))
	if err != nil {
		return nil, fmt.Errorf("corpus: shipped topics.txt: %w", err)
	}
	return th, nil
}

// ParseThesaurus reads the thesaurus format: "label: phrase, phrase" a line,
// # comments and blank lines ignored.
func ParseThesaurus(r io.Reader) (*Thesaurus, error) {
	th := &Thesaurus{}
	sc := bufio.NewScanner(r)
	seen := map[string]bool{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, rest, ok := strings.Cut(line, ":")
		label = strings.TrimSpace(label)
		if !ok || label == "" {
			return nil, &UserError{Msg: fmt.Sprintf("Line %d of the topic list needs the form “label: word, phrase”.", n)}
		}
		if utf8Len(label) > 100 {
			return nil, &UserError{Msg: fmt.Sprintf("Line %d of the topic list has a label over 100 characters.", n)}
		}
		if seen[strings.ToLower(label)] {
			return nil, &UserError{Msg: fmt.Sprintf("Line %d of the topic list repeats the topic %q.", n, label)}
		}
		seen[strings.ToLower(label)] = true
		t := Topic{Label: label, Phrases: []string{label}}
		for p := range strings.SplitSeq(rest, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(t.Phrases, p) {
				t.Phrases = append(t.Phrases, p)
			}
		}
		for _, p := range t.Phrases {
			if f := topicWords(p); len(f) > 0 {
				t.forms = append(t.forms, f)
			}
		}
		th.Topics = append(th.Topics, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("corpus: read topics: %w", err)
	}
	return th, nil
}

func utf8Len(s string) int { return len([]rune(s)) }

// Tag sets the topics of every passage: the labels whose phrases it contains.
func (th *Thesaurus) Tag(docs []*Document) {
	for _, d := range docs {
		for i := range d.Passages {
			d.Passages[i].Topics = th.About(d.Passages[i].Text)
		}
	}
}

// About returns the labels of the topics a text mentions, in thesaurus order.
func (th *Thesaurus) About(text string) []string {
	words := topicWords(text)
	var out []string
	for _, t := range th.Topics {
		for _, f := range t.forms {
			if containsRun(words, f) {
				out = append(out, t.Label)
				break
			}
		}
	}
	return out
}

// Topic returns the topic with the given label.
func (th *Thesaurus) Topic(label string) (Topic, bool) {
	for _, t := range th.Topics {
		if t.Label == label {
			return t, true
		}
	}
	return Topic{}, false
}

func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		if slices.Equal(words[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

var topicToken = regexp.MustCompile(`\p{L}[\p{L}\p{N}]*(?:\.\p{L})*\.?|\p{N}+`)

// topicWords splits text into normalized words for topic matching: lower
// case, possessives and common endings removed, except that acronyms written
// in capitals ("US", "U.S.", "PM") keep their capitals, so "US" is not "us".
func topicWords(text string) []string {
	var out []string
	for _, w := range topicToken.FindAllString(strings.ReplaceAll(text, "’", "'"), -1) {
		if acronym(w) {
			out = append(out, strings.ReplaceAll(w, ".", ""))
			continue
		}
		out = append(out, stem(strings.ToLower(strings.TrimSuffix(w, "."))))
	}
	return out
}

func acronym(w string) bool {
	letters := 0
	for _, r := range w {
		switch {
		case r == '.':
		case unicode.IsUpper(r):
			letters++
		default:
			return false
		}
	}
	return letters >= 2
}

// stem is a deliberately small English stemmer: enough that "fisheries"
// meets "fishery" and "discharged" meets "discharge".
func stem(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		return strings.TrimSuffix(w[:len(w)-3], "e")
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		return strings.TrimSuffix(w[:len(w)-2], "e")
	case len(w) > 4 && strings.HasSuffix(w, "es") && !strings.HasSuffix(w, "ses"):
		return strings.TrimSuffix(w[:len(w)-2], "e")
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return strings.TrimSuffix(w[:len(w)-1], "e")
	}
	return strings.TrimSuffix(w, "e")
}

// ShippedTopicsText is the thesaurus file that ships with the corpus, as
// written: what a store starts its editable copy from.
func ShippedTopicsText() string { return shippedTopics }
