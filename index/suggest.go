package index

import (
	"sort"
	"strings"
)

// Facet is a list autocomplete offers.
type Facet string

const (
	People Facet = "people"
	Topics Facet = "topics"
)

// MaxSuggestions is Discord's limit on autocomplete choices.
const MaxSuggestions = 25

// Suggest offers up to n entries of the facet for what the user has typed so
// far: entries starting with it first, then entries with a word starting with
// it, then entries containing it, each group most-mentioned first. Empty input
// offers the most mentioned.
func (ix *Index) Suggest(f Facet, input string, n int) []string {
	n = min(max(n, 0), MaxSuggestions)
	entries := ix.facets[f]
	in := strings.ToLower(strings.TrimSpace(input))
	type cand struct {
		name  string
		group int
		count int
	}
	var cs []cand
	for _, e := range entries {
		low := strings.ToLower(e.name)
		g := -1
		switch {
		case in == "" || strings.HasPrefix(low, in):
			g = 0
		case strings.Contains(low, " "+in):
			g = 1
		case strings.Contains(low, in):
			g = 2
		}
		if g >= 0 {
			cs = append(cs, cand{e.name, g, e.count})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].group != cs[j].group {
			return cs[i].group < cs[j].group
		}
		if cs[i].count != cs[j].count {
			return cs[i].count > cs[j].count
		}
		return cs[i].name < cs[j].name
	})
	out := make([]string, 0, min(n, len(cs)))
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.name)
	}
	return out
}

type facetEntry struct {
	name  string
	count int // passages that mention it
}

// buildFacets counts the people and topics the passages carry.
func (ix *Index) buildFacets() {
	counts := map[Facet]map[string]int{People: {}, Topics: {}}
	for _, d := range ix.order {
		for _, p := range d.Passages {
			for _, name := range p.People {
				counts[People][name]++
			}
			for _, t := range p.Topics {
				counts[Topics][t]++
			}
		}
	}
	ix.facets = map[Facet][]facetEntry{}
	for f, m := range counts {
		for name, c := range m {
			ix.facets[f] = append(ix.facets[f], facetEntry{name, c})
		}
	}
}
