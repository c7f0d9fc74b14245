package corpus

import (
	"regexp"
	"slices"
	"sort"
)

var (
	// A direct quotation of four words or more, in curly or straight quotes.
	quotation = regexp.MustCompile(`[“"][^”"]*(?:\s[^”"\s]+){3,}[^”"]*[”"]`)
	// The speaker of a quote, by full or single name.
	speakerAfter  = regexp.MustCompile(`\b(?:said|says|told|added|asked|stressed|insisted) (\p{Lu}[\p{Ll}’'-]+(?: \p{Lu}[\p{Ll}’'-]+){0,2})`)
	speakerBefore = regexp.MustCompile(`(\p{Lu}[\p{Ll}’'-]+(?: \p{Lu}[\p{Ll}’'-]+){0,2}) (?:said|says|told|added|asked|stressed|insisted)\b`)
)

// speakers returns the canonical names of the people a passage quotes
// directly: a quotation and a speech verb with a name resolved in the
// document ("…,” said Li; “…,” Iwaya told reporters).
func speakers(text string, r resolver) []string {
	if !quotation.MatchString(text) {
		return nil
	}
	var out []string
	for _, re := range []*regexp.Regexp{speakerAfter, speakerBefore} {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			if full, ok := r.byName(m[1]); ok && !slices.Contains(out, full) {
				out = append(out, full)
			}
		}
	}
	sort.Strings(out)
	return out
}
