package corpus

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// boilerplate lists the site furniture that scrapers keep and readers never
// want quoted. Each rule matches a whole paragraph, case-insensitively; keep the
// list short and general (phrases news sites share), and let houseVoice catch
// the rest. A rule may also name a metadata field its first group fills.
var boilerplate = []struct {
	why   string
	re    *regexp.Regexp
	field string
}{
	{"notification prompt", regexp.MustCompile(`(?i)^stay up to date with notifications from (.+?)\.?$`), "publication"},
	{"notification prompt", regexp.MustCompile(`(?i)\bnotifications? (?:can be|are) managed\b|\b(?:turn on|enable|allow) (?:push )?notifications\b`), ""},
	{"donation pitch", regexp.MustCompile(`(?i)^your support\b|\b(?:donate|donation|contribution) (?:allows|helps|today)\b|\bsupport (?:our|independent) journalism\b`), ""},
	{"registration", regexp.MustCompile(`(?i)^thank you for (?:registering|subscribing|signing up)\b`), ""},
	{"sign-in prompt", regexp.MustCompile(`(?i)\b(?:to be (?:automatically )?logged in|sign in to|log in to|already (?:a subscriber|have an account)|create (?:a free|an) account)\b`), ""},
	{"newsletter", regexp.MustCompile(`(?i)^(?:sign up|subscribe) (?:to|for) (?:our|the) .*newsletter`), ""},
	{"share prompt", regexp.MustCompile(`(?i)^(?:share|read more|related|advertisement|click here|follow us)\b.{0,60}$`), ""},
	{"cookie notice", regexp.MustCompile(`(?i)\bwe use cookies\b`), ""},
}

var (
	// A wire credit such as "Via AP news wire" or "Reuters".
	wireLine = regexp.MustCompile(`(?i)^via (.+?) news ?wire$`)
	// "By Jane Doe" or "By Jane Doe and John Roe, Associated Press".
	byLine = regexp.MustCompile(`^By ([A-Z][\p{L}.'’-]+(?: [A-Z][\p{L}.'’-]+){0,3}(?:(?:,| and) [A-Z][\p{L}.'’ -]+){0,3})$`)
	// "AP writer Mari Yamaguchi contributed to this report from Tokyo."
	contributorLine = regexp.MustCompile(`^(?:(\p{Lu}[\p{L}]*) (?:writers?|reporters?|correspondents?) )?((?:\p{Lu}[\p{L}.'’-]+ ?){2,4}(?:(?:,| and) (?:\p{Lu}[\p{L}.'’-]+ ?){2,4})*) contributed\b.{0,80}$`)
	// A dateline: "Wednesday 25 December 2024 03:30 EST", "December 25, 2024".
	dateLine = regexp.MustCompile(`(?i)^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,? )?(?:(\d{1,2}) ([a-z]+),? (\d{4})|([a-z]+) (\d{1,2}),? (\d{4}))(?:,? \d{1,2}:\d{2}(?: ?[ap]m)?(?: [a-z]{2,4})?)?$`)
	// Words a newsroom uses about itself and its readers, outside quotation marks.
	houseWords = regexp.MustCompile(`(?i)\b(?:we|our|us|you|your)\b`)
	quoted     = regexp.MustCompile(`“[^”]*”|"[^"]*"`)
)

// found collects the metadata cleaning reads off a scraped page.
type found struct {
	title, standfirst, publication, wire string
	contributors                         []string
	published                            time.Time
}

func (f found) byline() string {
	b := f.wire
	if len(f.contributors) > 0 {
		c := strings.Join(f.contributors, ", ") + " contributed"
		if b == "" {
			return c
		}
		b += "; " + c
	}
	return b
}

// para is a paragraph of the source with its role.
type para struct {
	text string
	drop string // why it is not a passage; "" keeps it
}

// clean classifies scraped paragraphs: it drops boilerplate and metadata lines
// and reads the title, standfirst, publication, byline and date off them. The
// headline block is whatever comes before the byline or dateline; without one,
// a short first line that does not end a sentence is taken as the title.
func clean(paras []string) ([]para, found) {
	var f found
	out := make([]para, len(paras))
	firstMeta := -1
	for i, p := range paras {
		out[i].text = p
		if why := boilerplateReason(p, &f); why != "" {
			out[i].drop = why
			continue
		}
		switch {
		case wireLine.MatchString(p):
			f.wire = wireLine.FindStringSubmatch(p)[1]
			out[i].drop = "byline"
		case byLine.MatchString(p):
			f.wire = byLine.FindStringSubmatch(p)[1]
			out[i].drop = "byline"
		case parseDateLine(p, &f):
			out[i].drop = "dateline"
		default:
			if m := contributorLine.FindStringSubmatch(p); m != nil {
				// Kept as a passage: who wrote it is a fair question.
				f.contributors = append(f.contributors, strings.TrimSpace(m[2]))
				if f.wire == "" && m[1] != "" {
					f.wire = m[1]
				}
			}
			continue
		}
		if firstMeta < 0 {
			firstMeta = i
		}
	}
	var head []int
	if firstMeta >= 0 {
		for i := range firstMeta {
			if out[i].drop == "" {
				head = append(head, i)
			}
		}
	} else {
		for i := range out {
			if out[i].drop != "" {
				continue
			}
			if looksLikeHeadline(out[i].text) {
				head = append(head, i)
			}
			break
		}
	}
	if len(head) > 0 {
		f.title = out[head[0]].text
		out[head[0]].drop = "headline"
	}
	if len(head) > 1 {
		// The standfirst stays a passage (paragraph 0): it often says the news
		// in one line.
		f.standfirst = out[head[1]].text
	}
	return out, f
}

func boilerplateReason(p string, f *found) string {
	if !hasWordChar(p) {
		return "separator"
	}
	for _, r := range boilerplate {
		m := r.re.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		if r.field == "publication" && f.publication == "" {
			f.publication = normalizeSpace(m[1])
		}
		return r.why
	}
	if houseVoice(p) {
		return "house voice"
	}
	return ""
}

// houseVoice reports a paragraph that talks to the reader as the newsroom
// ("we", "our", "your") outside quotation marks. Reporting is in the third
// person; appeals, pitches and prompts are not.
func houseVoice(p string) bool {
	return len(houseWords.FindAllString(quoted.ReplaceAllString(p, ""), 3)) >= 2
}

func hasWordChar(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func looksLikeHeadline(p string) bool {
	if len(p) > 160 {
		return false
	}
	last, _ := lastRune(strings.TrimSpace(p))
	return !strings.ContainsRune(".!?:;”\"", last)
}

func lastRune(s string) (rune, bool) {
	r := []rune(s)
	if len(r) == 0 {
		return 0, false
	}
	return r[len(r)-1], true
}

func parseDateLine(p string, f *found) bool {
	m := dateLine.FindStringSubmatch(strings.TrimSpace(p))
	if m == nil {
		return false
	}
	day, month, year := m[1], m[2], m[3]
	if day == "" {
		day, month, year = m[5], m[4], m[6]
	}
	t, err := time.Parse("2 January 2006", day+" "+titleCase(month)+" "+year)
	if err != nil {
		t, err = time.Parse("2 Jan 2006", day+" "+titleCase(month)+" "+year)
		if err != nil {
			return false
		}
	}
	if f.published.IsZero() {
		f.published = t
	}
	return true
}

// normalizeSpace folds runs of white space (no-break spaces included) for
// metadata; passage text is never normalized.
func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}
