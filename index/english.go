package index

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"sync"
)

// english/words.gz lists the lower-case words (three letters or more) of
// SCOWL's American English dictionary, as Debian's wamerican package ships it
// (/usr/share/dict/american-english; SCOWL's licence allows redistribution).
// Proper nouns are capitalized there and so left out: what remains tells an
// everyday word ("leave", "tariffs") from a name ("Taiwan", "Merkel").
//
//go:embed english/words.gz
var englishWordsGz []byte

var englishWords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(englishWordsGz))
	if err != nil {
		return map[string]struct{}{} // the embedded file is tested
	}
	words := make(map[string]struct{}, 64_000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		words[sc.Text()] = struct{}{}
	}
	return words
})

// isEnglishWord reports an everyday English word (lower case).
func isEnglishWord(w string) bool {
	_, ok := englishWords()[w]
	return ok
}
