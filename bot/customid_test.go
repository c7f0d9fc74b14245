package bot

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"visitbot/index"
)

func TestMoreIDRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		cmd    index.Command
		offset int
		query  string
	}{
		{index.Issue, 3, "seafood"},
		{index.Who, 0, "Wang Yi"},
		{index.Ask, 24, "what did: Iwaya say?"},
		{index.Ask, 3, "@everyone <@123> look"},
		{index.Issue, 3, strings.Repeat("x", 84)},
		{index.Issue, 999, strings.Repeat("x", 82)},
	} {
		id, short := moreID(tc.cmd, tc.offset, tc.query)
		if short {
			t.Errorf("moreID(%q) shortened a query that fits", tc.query)
		}
		st, err := parseCustomID(id)
		if err != nil {
			t.Fatalf("parseCustomID(%q): %v", id, err)
		}
		want := buttonState{Action: actionMore, Command: tc.cmd, Offset: tc.offset, Query: tc.query}
		if st != want {
			t.Errorf("parseCustomID(%q) = %+v, want %+v", id, st, want)
		}
	}
}

func TestMoreIDShortensLongQueriesOnABoundary(t *testing.T) {
	for _, q := range []string{
		strings.Repeat("x", 2000),
		strings.Repeat("seafood ban ", 40),
		strings.Repeat("日本", 100),      // 3-byte runes
		strings.Repeat("🐟", 60),        // 4-byte runes
		"a" + strings.Repeat("é", 200), // a cut would fall inside a rune
	} {
		id, short := moreID(index.Ask, 21, q)
		if !short {
			t.Errorf("moreID did not shorten a %d-byte query", len(q))
		}
		if len(id) > maxCustomID || !utf8.ValidString(id) {
			t.Errorf("moreID = %q: %d bytes, valid UTF-8 %v", id, len(id), utf8.ValidString(id))
		}
		st, err := parseCustomID(id)
		if err != nil {
			t.Fatalf("parseCustomID(%q): %v", id, err)
		}
		if !st.Shortened || !strings.HasPrefix(q, st.Query) || st.Offset != 21 {
			t.Errorf("parseCustomID(%q) = %+v, want a shortened prefix of the query at offset 21", id, st)
		}
		if strings.HasPrefix(q, "seafood") && strings.HasSuffix(st.Query, " ban s") {
			t.Errorf("query %q cut mid-word", st.Query)
		}
	}
}

func TestContextIDFitsOrSaysSo(t *testing.T) {
	id, ok := contextID("ap-iwaya-beijing#15")
	if !ok || id != "v1:ctx:ap-iwaya-beijing#15" {
		t.Errorf("contextID = %q, %v", id, ok)
	}
	st, err := parseCustomID(id)
	if err != nil || st.Passage != "ap-iwaya-beijing#15" {
		t.Errorf("parseCustomID(%q) = %+v, %v", id, st, err)
	}
	// The longest document ID corpus allows (80) with a passage number fits.
	if _, ok := contextID(strings.Repeat("d", 80) + "#1234"); !ok {
		t.Error("the longest valid passage ID does not fit")
	}
	if _, ok := contextID(strings.Repeat("d", 100) + "#1"); ok {
		t.Error("an over-long passage ID was said to fit")
	}
}

func TestParseCustomIDRejectsOldAndMalformedButtons(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want error
	}{
		{"v0:more:issue:3:seafood", errOldButton},
		{"v2:more:issue:3:seafood", errOldButton},
		{"", errBadButton},
		{"seafood", errBadButton},
		{"v1", errBadButton},
		{"v1:", errBadButton},
		{"v1:more", errBadButton},
		{"v1:more:issue", errBadButton},
		{"v1:more:issue:3", errBadButton},
		{"v1:more:issue:3:", errBadButton},
		{"v1:more:issue:3:   ", errBadButton},
		{"v1:more:visit:3:seafood", errBadButton},
		{"v1:more:issue:-1:seafood", errBadButton},
		{"v1:more:issue:x:seafood", errBadButton},
		{"v1:more:issue:99999:seafood", errBadButton},
		{"v1:more:issue:1001:seafood", errBadButton},
		{"v1:ctx:", errBadButton},
		{"v1:zap:1", errBadButton},
		{"v1:more:issue:3:\xff", errBadButton},
		{"version1:more:issue:3:x", errBadButton},
		{"v1:more:issue:3:" + strings.Repeat("x", 100), errBadButton},
	} {
		if _, err := parseCustomID(tc.id); !errors.Is(err, tc.want) {
			t.Errorf("parseCustomID(%q) = %v, want %v", tc.id, err, tc.want)
		}
	}
}

func FuzzParseCustomID(f *testing.F) {
	f.Add("v1:more:issue:3:seafood")
	f.Add("v1:ctx:ap-iwaya-beijing#3")
	f.Add("v9:x")
	f.Fuzz(func(t *testing.T, id string) {
		st, err := parseCustomID(id)
		if err != nil {
			return
		}
		var again string
		switch st.Action {
		case actionMore:
			again, _ = moreID(st.Command, st.Offset, st.Query)
		case actionContext:
			again, _ = contextID(st.Passage)
		default:
			t.Fatalf("parsed action %q", st.Action)
		}
		if len(again) > maxCustomID {
			t.Errorf("re-encoding %q gives %d bytes", id, len(again))
		}
	})
}
