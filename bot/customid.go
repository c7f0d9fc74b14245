package bot

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"visitbot/corpus"
	"visitbot/index"
)

// A button carries all its state in its custom_id, so it keeps working after
// a restart and on any replica behind the HTTP endpoint:
//
//	v1:more:<command>:<offset>:<query>   page the search on (or back) to offset
//	v1:ctx:<passage ID>                  show the paragraphs around a passage
//
// The query is last, so it may contain ':'. A custom_id holds at most 100
// bytes (counted in bytes, which is never less than Discord's count); a
// query too long for what is left (84 bytes after "v1:more:issue:3:") is
// cut on a word (or else rune) boundary and ends in "…". The page the button
// opens then searches that shorter text and says so. Storing a short key
// instead would need shared state that survives restarts and replicas; a
// query that long is rare (topics and names are short) and the shortened
// search is shown for what it is.
//
// The version prefix changes whenever the format does; a click on a button
// of another version, or on one whose custom_id does not parse, gets a short
// ephemeral note.
const customIDVersion = "v1"

// Button actions.
const (
	actionMore    = "more"
	actionContext = "ctx"
)

// maxOffset bounds the offset a button may ask for; the index considers far
// fewer candidates than this.
const maxOffset = 1000

// ellipsis marks a query shortened to fit a custom_id.
const ellipsis = "…"

// Notes for clicks on buttons that cannot be followed.
var (
	errOldButton = corpus.Userf("This button belongs to an older version of the bot; run the command again.")
	errBadButton = corpus.Userf("This button no longer works; run the command again.")
)

// buttonState is what a custom_id says.
type buttonState struct {
	Action    string
	Command   index.Command // more
	Offset    int           // more
	Query     string        // more; without the "…" of a shortened query
	Shortened bool          // more: the query was cut to fit
	Passage   string        // ctx
}

// moreID returns the custom_id of a button that shows the page of q's
// results at offset, and whether the query had to be shortened.
func moreID(cmd index.Command, offset int, query string) (string, bool) {
	// Queries from Discord are valid UTF-8 (JSON); one from elsewhere may
	// not be, and parseCustomID refuses what is not.
	query = strings.ToValidUTF8(query, "\uFFFD")
	prefix := strings.Join([]string{customIDVersion, actionMore, string(cmd), strconv.Itoa(offset)}, ":") + ":"
	room := maxCustomID - len(prefix)
	if len(query) <= room {
		return prefix + query, false
	}
	return prefix + shorten(query, room-len(ellipsis)) + ellipsis, true
}

// shorten cuts s to at most n bytes on a rune boundary, preferring to end
// before a space when one is in the second half.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ")
}

// contextID returns the custom_id of a button that shows the paragraphs
// around a passage, or false when the passage ID is too long to fit.
func contextID(passageID string) (string, bool) {
	id := customIDVersion + ":" + actionContext + ":" + passageID
	return id, passageID != "" && len(id) <= maxCustomID
}

// parseCustomID reads a custom_id written by moreID or contextID. Its errors
// are user errors: the note to show for the click.
func parseCustomID(id string) (buttonState, error) {
	version, rest, ok := strings.Cut(id, ":")
	switch {
	case !ok || !utf8.ValidString(id) || len(id) > maxCustomID:
		return buttonState{}, errBadButton
	case version != customIDVersion:
		if len(version) >= 2 && version[0] == 'v' && isDigits(version[1:]) {
			return buttonState{}, errOldButton
		}
		return buttonState{}, errBadButton
	}
	action, rest, _ := strings.Cut(rest, ":")
	switch action {
	case actionMore:
		parts := strings.SplitN(rest, ":", 3)
		if len(parts) != 3 {
			return buttonState{}, errBadButton
		}
		cmd, ok := index.LookupCommand(parts[0])
		if !ok || !isDigits(parts[1]) || len(parts[1]) > 4 {
			return buttonState{}, errBadButton
		}
		off, _ := strconv.Atoi(parts[1])
		q := parts[2]
		short := strings.HasSuffix(q, ellipsis)
		q = strings.TrimSpace(strings.TrimSuffix(q, ellipsis))
		if off > maxOffset || q == "" {
			return buttonState{}, errBadButton
		}
		return buttonState{Action: actionMore, Command: cmd, Offset: off, Query: q, Shortened: short}, nil
	case actionContext:
		if rest == "" {
			return buttonState{}, errBadButton
		}
		return buttonState{Action: actionContext, Passage: rest}, nil
	}
	return buttonState{}, errBadButton
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
