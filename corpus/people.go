package corpus

import (
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Person is someone a document names, with the roles it gives them, as the
// text states them ("China's premier", "Japanese Foreign Minister").
type Person struct {
	Name  string
	Roles []string
}

// Finding people takes evidence, not a list of names: a run of capitalized
// words counts as a person only where the text treats it as one — after a
// title ("Foreign Minister Takeshi Iwaya"), beside a role ("China's premier,
// Li Qiang"; "Wang Yi, his Chinese counterpart"), or as the speaker of a
// quote ("said Li"). Later mentions are resolved within the document: a single
// name of a known person ("Iwaya", "Li") and a role only one person holds
// ("the premier").
var (
	// A name: two or three capitalized words ("Takeshi Iwaya", "Kim Jong Un").
	name = `(\p{Lu}[\p{Ll}’'-]+(?: \p{Lu}[\p{Ll}’'-]+){1,2})`
	// Titles that stand before a name.
	title = `(?:(?:Foreign|Prime|Defense|Defence|Finance|Trade|Economy|Education|Health|Interior|Chief Cabinet) )?` +
		`(?:Minister|Premier|President-elect|President|Vice President|Chancellor|Secretary of State|Secretary|Ambassador|Governor|Senator|Mayor|` +
		`Spokesman|Spokeswoman|Spokesperson|Chairman|Chairwoman|Chair|Leader|King|Queen|Emperor|General|Gen\.|Adm\.|Dr\.|Mr\.|Mrs\.|Ms\.|` +
		`[Ww]riter|[Rr]eporter|[Cc]orrespondent|[Ee]ditor|[Ff]ounder|CEO)`
	// Who the title belongs to: a nationality, a country's, an organization.
	qualifier = `(?:(?:[\p{Lu}][\p{L}.]*(?:['’]s)?|U\.S\.|AP) )?`

	titled = regexp.MustCompile(`(` + qualifier + title + `) ` + name)
	// "China's premier, Li Qiang"; "the company's founder, Jane Roe".
	roleBefore = regexp.MustCompile(`((?:\p{Lu}[\p{L}.]*['’]s|[Tt]he|[Hh]is|[Hh]er|[Ii]ts|[Tt]heir) (?:[\p{L}-]+ ){0,2}(?:` + roleNouns + `)), ` + name)
	// "Wang Yi, his Chinese counterpart"; "Iwaya, a security expert,".
	roleAfter = regexp.MustCompile(`(\p{Lu}[\p{Ll}’'-]+(?: \p{Lu}[\p{Ll}’'-]+){0,2}), ((?:his|her|their|a|an|the) (?:[\p{L}.'’-]+ ){0,3}(?:` + roleNouns + `))\b`)
	// Speakers of quotes.
	saidName = regexp.MustCompile(`\b(?:said|says|told|added|asked) ` + name)
	nameSaid = regexp.MustCompile(name + ` (?:said|says|told|added|asked)\b`)

	roleNouns = `counterpart|minister|premier|president|president-elect|chancellor|secretary|ambassador|governor|spokesman|spokeswoman|spokesperson|` +
		`expert|official|leader|envoy|chief|chairman|chair|director|founder|diplomat|analyst|writer|reporter|correspondent|adviser|advisor|head`
)

// notNames are capitalized words that start a sentence or name a place or an
// institution; a candidate made only of these is not a person.
var notNames = map[string]bool{
	"The": true, "A": true, "An": true, "In": true, "On": true, "At": true, "But": true, "And": true, "While": true,
	"However": true, "Though": true, "Earlier": true, "During": true, "Despite": true, "Both": true, "Currently": true,
	"Monday": true, "Tuesday": true, "Wednesday": true, "Thursday": true, "Friday": true, "Saturday": true, "Sunday": true,
	"January": true, "February": true, "March": true, "April": true, "May": true, "June": true, "July": true,
	"August": true, "September": true, "October": true, "November": true, "December": true,
	"Ministry": true, "Agency": true, "Party": true, "Council": true, "Committee": true, "Office": true, "House": true,
	"Seas": true, "Sea": true, "China": true, "Japan": true, "Beijing": true, "Tokyo": true,
}

// cleanName trims words that cannot be part of a name from the ends of a
// candidate ("Li Qiang Wednesday", "Joe Biden’s") and reports whether two or
// more name words remain.
func cleanName(n string) (string, bool) {
	w := strings.Fields(n)
	if len(w) > 0 {
		last := &w[len(w)-1]
		*last = strings.TrimSuffix(strings.TrimSuffix(*last, "’s"), "'s")
	}
	for len(w) > 0 && notNames[w[0]] {
		w = w[1:]
	}
	for len(w) > 0 && notNames[w[len(w)-1]] {
		w = w[:len(w)-1]
	}
	for _, x := range w {
		if notNames[x] {
			return "", false
		}
	}
	return strings.Join(w, " "), len(w) >= 2
}

// findPeople returns the people of a document and, for each passage, the
// canonical names of the people it mentions.
func findPeople(passages []Passage) []Person {
	roles := map[string][]string{}
	var order []string
	add := func(n, role string) {
		n, ok := cleanName(n)
		if !ok {
			return
		}
		if _, ok := roles[n]; !ok {
			order = append(order, n)
			roles[n] = nil
		}
		role = strings.TrimSpace(role)
		if role != "" && !slices.Contains(roles[n], role) {
			roles[n] = append(roles[n], role)
		}
	}
	for _, p := range passages {
		for _, m := range titled.FindAllStringSubmatch(p.Text, -1) {
			add(m[2], m[1])
		}
		for _, m := range roleBefore.FindAllStringSubmatch(p.Text, -1) {
			add(m[2], m[1])
		}
		for _, m := range saidName.FindAllStringSubmatch(p.Text, -1) {
			add(m[1], "")
		}
		for _, m := range nameSaid.FindAllStringSubmatch(p.Text, -1) {
			add(m[1], "")
		}
	}
	// Appositives after a name may use a full name or one already known by a
	// single name ("Iwaya, a security expert").
	people := make([]Person, 0, len(order))
	for _, n := range order {
		people = append(people, Person{Name: n, Roles: roles[n]})
	}
	r := newResolver(people)
	for _, p := range passages {
		for _, m := range roleAfter.FindAllStringSubmatch(p.Text, -1) {
			if full, ok := r.byName(m[1]); ok {
				i := slices.IndexFunc(people, func(x Person) bool { return x.Name == full })
				if !slices.Contains(people[i].Roles, m[2]) {
					people[i].Roles = append(people[i].Roles, m[2])
				}
			} else if n, ok := cleanName(m[1]); ok {
				people = append(people, Person{Name: n, Roles: []string{m[2]}})
			}
		}
	}
	return people
}

// resolver maps mentions in a document to the people it names.
type resolver struct {
	names map[string]string // full name or unambiguous single name → full name
	roles map[string]string // unambiguous role noun → full name
}

func newResolver(people []Person) resolver {
	r := resolver{names: map[string]string{}, roles: map[string]string{}}
	parts := map[string][]string{}
	heads := map[string][]string{}
	for _, p := range people {
		r.names[p.Name] = p.Name
		f := strings.Fields(p.Name)
		for _, w := range []string{f[0], f[len(f)-1]} {
			if len(w) > 1 && !slices.Contains(parts[w], p.Name) {
				parts[w] = append(parts[w], p.Name)
			}
		}
		for _, role := range p.Roles {
			h := roleHead(role)
			if h != "" && !slices.Contains(heads[h], p.Name) {
				heads[h] = append(heads[h], p.Name)
			}
		}
	}
	for w, names := range parts {
		if len(names) == 1 {
			r.names[w] = names[0]
		}
	}
	for h, names := range heads {
		if len(names) == 1 {
			r.roles[h] = names[0]
		}
	}
	return r
}

func (r resolver) byName(n string) (string, bool) {
	full, ok := r.names[n]
	return full, ok
}

var roleHeadRe = regexp.MustCompile(`(?i)(` + roleNouns + `)$`)

// roleHead is the noun a role is known by ("premier" for "China's premier").
func roleHead(role string) string {
	m := roleHeadRe.FindStringSubmatch(strings.TrimSuffix(role, ","))
	if m == nil {
		return ""
	}
	return strings.ToLower(m[1])
}

var (
	capWords  = regexp.MustCompile(`\p{Lu}[\p{Ll}’'-]+(?: \p{Lu}[\p{Ll}’'-]+){0,2}`)
	roleMenRe = regexp.MustCompile(`(?i)\b(?:the|his|her|their)(?: [\p{L}.'’-]+){0,2} (` + roleNouns + `)\b`)
)

// mentions returns the canonical names of the people a passage mentions: by
// full name, by a single name, or by a role that only one person holds.
func (r resolver) mentions(text string) []string {
	var out []string
	add := func(n string) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, loc := range capWords.FindAllStringIndex(text, -1) {
		run := text[loc[0]:loc[1]]
		if full, ok := r.names[run]; ok {
			add(full)
			continue
		}
		// A longer run may hold a name ("President Joe Biden’s" → "Joe Biden").
		words := strings.Fields(run)
		for i := range words {
			for j := len(words); j > i; j-- {
				cand := strings.TrimSuffix(strings.TrimSuffix(strings.Join(words[i:j], " "), "’s"), "'s")
				if full, ok := r.names[cand]; ok {
					add(full)
				}
			}
		}
	}
	for _, m := range roleMenRe.FindAllStringSubmatch(text, -1) {
		if full, ok := r.roles[strings.ToLower(m[1])]; ok {
			add(full)
		}
	}
	sort.Strings(out)
	return out
}
