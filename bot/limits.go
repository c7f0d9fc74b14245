package bot

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Discord's limits on what one message may hold.
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
const (
	maxContent       = 2000
	maxEmbeds        = 10
	maxTitle         = 256
	maxDescription   = 4096
	maxFields        = 25
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxFooter        = 2048
	maxAuthor        = 256
	maxEmbedsTotal   = 6000 // all titles, descriptions, fields, footers and authors together
	maxRows          = 5
	maxButtonsPerRow = 5
	maxLabel         = 80
	maxCustomID      = 100 // counted in bytes here, which is never less than Discord's count
	maxURL           = 512
	maxChoices       = 25
	maxChoiceName    = 100
	maxChoiceValue   = 100
)

// textLen measures s as Discord's limits count it. Discord counts
// characters; the UTF-16 length is never less than the count of code points,
// so a text that fits by this measure fits by either reading of "character".
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// truncate returns s cut to at most max (by textLen), on a rune boundary,
// ending in "…" when it was cut.
func truncate(s string, max int) string {
	if textLen(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > max-1 { // keep room for "…"
			return s[:i] + "…"
		}
		n += w
	}
	return s
}

// cut returns s cut to at most max (by textLen) on a rune boundary, with
// no mark: for values, where "…" would change what is searched.
func cut(s string, max int) string {
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > max {
			return s[:i]
		}
		n += w
	}
	return s
}

// checkLimits reports every way m breaks Discord's limits. It is cheap (one
// pass over the text) and runs on every message before it is sent.
func checkLimits(m Message) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	within := func(what, s string, max int, required bool) {
		n := textLen(s)
		switch {
		case required && strings.TrimSpace(s) == "":
			bad("%s is empty", what)
		case n > max:
			bad("%s has %d characters, at most %d allowed", what, n, max)
		}
		if !utf8.ValidString(s) {
			bad("%s is not valid UTF-8", what)
		}
	}
	within("content", m.Content, maxContent, false)
	if m.Content == "" && len(m.Embeds) == 0 {
		bad("message has neither content nor embeds")
	}
	if len(m.Embeds) > maxEmbeds {
		bad("%d embeds, at most %d allowed", len(m.Embeds), maxEmbeds)
	}
	total := 0
	for i, e := range m.Embeds {
		w := fmt.Sprintf("embed %d", i)
		within(w+" title", e.Title, maxTitle, false)
		within(w+" description", e.Description, maxDescription, false)
		within(w+" footer", e.Footer, maxFooter, false)
		within(w+" author", e.Author, maxAuthor, false)
		if e.URL != "" && (textLen(e.URL) > maxURL || e.Title == "") {
			bad("%s url is too long or has no title to link", w)
		}
		if len(e.Fields) > maxFields {
			bad("%s has %d fields, at most %d allowed", w, len(e.Fields), maxFields)
		}
		total += textLen(e.Title) + textLen(e.Description) + textLen(e.Footer) + textLen(e.Author)
		for j, f := range e.Fields {
			within(fmt.Sprintf("%s field %d name", w, j), f.Name, maxFieldName, true)
			within(fmt.Sprintf("%s field %d value", w, j), f.Value, maxFieldValue, true)
			total += textLen(f.Name) + textLen(f.Value)
		}
		if e.Title == "" && e.Description == "" && e.Author == "" && len(e.Fields) == 0 {
			bad("%s is empty", w)
		}
	}
	if total > maxEmbedsTotal {
		bad("embeds hold %d characters together, at most %d allowed", total, maxEmbedsTotal)
	}
	if len(m.Rows) > maxRows {
		bad("%d action rows, at most %d allowed", len(m.Rows), maxRows)
	}
	ids := map[string]bool{}
	for i, row := range m.Rows {
		if len(row) == 0 || len(row) > maxButtonsPerRow {
			bad("row %d has %d buttons, 1 to %d allowed", i, len(row), maxButtonsPerRow)
		}
		for j, b := range row {
			w := fmt.Sprintf("row %d button %d", i, j)
			within(w+" label", b.Label, maxLabel, true)
			if b.Style == ButtonLink {
				if b.URL == "" || b.CustomID != "" || textLen(b.URL) > maxURL {
					bad("%s: a link button needs a URL (at most %d characters) and no custom_id", w, maxURL)
				}
				continue
			}
			switch {
			case b.URL != "":
				bad("%s: only link buttons have a URL", w)
			case b.CustomID == "" || len(b.CustomID) > maxCustomID:
				bad("%s custom_id has %d bytes, 1 to %d allowed", w, len(b.CustomID), maxCustomID)
			case ids[b.CustomID]:
				bad("%s custom_id %q is not unique in the message", w, b.CustomID)
			}
			ids[b.CustomID] = true
		}
	}
	return errors.Join(errs...)
}

// checkChoices reports every way an autocomplete answer breaks Discord's
// limits.
func checkChoices(cs []Choice) error {
	var errs []error
	if len(cs) > maxChoices {
		errs = append(errs, fmt.Errorf("%d choices, at most %d allowed", len(cs), maxChoices))
	}
	for i, c := range cs {
		if n := textLen(c.Name); n < 1 || n > maxChoiceName {
			errs = append(errs, fmt.Errorf("choice %d name has %d characters, 1 to %d allowed", i, n, maxChoiceName))
		}
		if n := textLen(c.Value); n < 1 || n > maxChoiceValue {
			errs = append(errs, fmt.Errorf("choice %d value has %d characters, 1 to %d allowed", i, n, maxChoiceValue))
		}
	}
	return errors.Join(errs...)
}
