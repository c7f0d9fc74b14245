package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// termTable is what the index knows of each passage's words, in memory: the
// analyzed terms of its text (so a search can tell which of the query's terms
// a passage covers without asking Bleve for term locations, which cost more
// than the search itself) and the words of the corpus as written (for typo
// correction). An on-disk index keeps it in a file beside Bleve's, so opening
// needs no analysis.
type termTable struct {
	ids      map[string]uint32 // analyzed term → id
	terms    []string          // id → term
	df       []uint32          // id → passages holding it
	passages [][]uint32        // passage ordinal → sorted term ids
	words    map[string]int    // lower-case word as written → occurrences
}

func newTermTable(passages int) *termTable {
	return &termTable{ids: map[string]uint32{}, passages: make([][]uint32, passages), words: map[string]int{}}
}

// add records the terms of passage ord, and its words as written (each
// token's span of the text: stop words are not needed, nobody misspells
// "the" into a question).
func (tt *termTable) add(ord int, tokens analysis.TokenStream, text string) {
	ids := make([]uint32, 0, len(tokens))
	for _, tok := range tokens {
		id, ok := tt.ids[string(tok.Term)] // no allocation for the lookup
		if !ok {
			t := string(tok.Term)
			id = uint32(len(tt.terms))
			tt.ids[t] = id
			tt.terms = append(tt.terms, t)
			tt.df = append(tt.df, 0)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
			tt.df[id]++
		}
		if tok.Start >= 0 && tok.End <= len(text) && tok.Start < tok.End {
			tt.addWord(text[tok.Start:tok.End])
		}
	}
	slices.Sort(ids)
	tt.passages[ord] = ids
}

// addWord counts a word as written, in lower case.
func (tt *termTable) addWord(w string) {
	if isLowerASCII(w) {
		tt.words[w]++ // the common case: no allocation
		return
	}
	tt.words[strings.ToLower(w)]++
}

func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// has reports whether passage ord holds term t.
func (tt *termTable) has(ord int, t string) bool {
	id, ok := tt.ids[t]
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(tt.passages[ord], id)
	return found
}

// docFreq is how many passages hold term t.
func (tt *termTable) docFreq(t string) int {
	if id, ok := tt.ids[t]; ok {
		return int(tt.df[id])
	}
	return 0
}

// forEachWord calls fn with each word of text in lower case: letters and
// digits, with inner apostrophes, hyphens and dots ("u.s", "china-japan"
// splits at the hyphen). Cheap on purpose: it runs over every passage.
func forEachWord(text string, fn func(string)) {
	start := -1
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			fn(strings.ToLower(text[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		fn(strings.ToLower(text[start:]))
	}
}

// termsFile is the table's file in an on-disk index directory.
const termsFile = "visitbot-terms.bin"

// termsMagic starts the file, with the mapping version and the fingerprint
// of the corpus it describes, so a file from another build is never read as
// this one's.
const termsMagic = "visitbot-terms\n"

// write stores the table in dir atomically (write, sync, rename).
func (tt *termTable) write(dir, fingerprint string) error {
	tmp, err := os.CreateTemp(dir, termsFile+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<20)
	var buf [binary.MaxVarintLen64]byte
	uvarint := func(x uint64) { w.Write(buf[:binary.PutUvarint(buf[:], x)]) }
	str := func(s string) { uvarint(uint64(len(s))); w.WriteString(s) }

	w.WriteString(termsMagic)
	uvarint(MappingVersion)
	str(fingerprint)
	uvarint(uint64(len(tt.terms)))
	for _, t := range tt.terms {
		str(t)
	}
	uvarint(uint64(len(tt.passages)))
	for _, ids := range tt.passages {
		uvarint(uint64(len(ids)))
		prev := uint32(0)
		for _, id := range ids { // sorted: store the gaps
			uvarint(uint64(id - prev))
			prev = id
		}
	}
	uvarint(uint64(len(tt.words)))
	for word, n := range tt.words {
		str(word)
		uvarint(uint64(n))
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, termsFile))
}

var errTermsFile = errors.New("terms file does not match the index")

// readTermTable loads the table an index in dir was built with.
func readTermTable(dir, fingerprint string) (*termTable, error) {
	f, err := os.Open(filepath.Join(dir, termsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var rerr error
	uvarint := func() uint64 {
		x, err := binary.ReadUvarint(r)
		if err != nil && rerr == nil {
			rerr = err
		}
		return x
	}
	str := func() string {
		n := uvarint()
		if n > 1<<20 || rerr != nil { // no term or word is a megabyte long
			rerr = errTermsFile
			return ""
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil && rerr == nil {
			rerr = err
		}
		return string(b)
	}
	magic := make([]byte, len(termsMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != termsMagic {
		return nil, errTermsFile
	}
	if v := uvarint(); v != MappingVersion || str() != fingerprint || rerr != nil {
		return nil, errTermsFile
	}
	tt := &termTable{ids: map[string]uint32{}, words: map[string]int{}}
	nTerms := uvarint()
	if nTerms > 1<<28 {
		return nil, errTermsFile
	}
	tt.terms = make([]string, 0, nTerms)
	for i := range nTerms {
		t := str()
		tt.terms = append(tt.terms, t)
		tt.ids[t] = uint32(i)
	}
	tt.df = make([]uint32, nTerms)
	nPassages := uvarint()
	if nPassages > 1<<28 {
		return nil, errTermsFile
	}
	tt.passages = make([][]uint32, nPassages)
	for p := range tt.passages {
		n := uvarint()
		if n > nTerms {
			return nil, errTermsFile
		}
		ids := make([]uint32, n)
		prev := uint64(0)
		for i := range ids {
			prev += uvarint()
			if prev >= nTerms {
				return nil, errTermsFile
			}
			ids[i] = uint32(prev)
			tt.df[prev]++
		}
		tt.passages[p] = ids
	}
	nWords := uvarint()
	for range min(nWords, 1<<28) {
		if rerr != nil {
			break
		}
		w := str()
		tt.words[w] = int(uvarint())
	}
	if rerr != nil {
		return nil, fmt.Errorf("%w: %v", errTermsFile, rerr)
	}
	return tt, nil
}

// firstRune is the first rune of a word.
func firstRune(w string) rune {
	r, _ := utf8.DecodeRuneInString(w)
	return r
}
