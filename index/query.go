package index

import (
	"strings"
	"unicode/utf8"

	"visitbot/corpus"
)

// Command is what the user asked for.
type Command string

const (
	Issue Command = "issue" // passages about a topic
	Who   Command = "who"   // passages about a person
	Ask   Command = "ask"   // passages that answer a question
)

// Commands lists the search commands in the order help shows them.
var Commands = []Command{Issue, Who, Ask}

// Limits on what a user may ask.
const (
	MaxQueryLen  = 300 // characters; a question longer than this is not a question
	MaxLimit     = 25
	DefaultLimit = 3
)

// Query is one search.
type Query struct {
	Command Command
	Text    string
	Limit   int // 0 means DefaultLimit
	Offset  int
}

// User-facing refusals.
var (
	ErrNoCommand      error = &corpus.UserError{Msg: "Start with a command: /issue, /who or /ask, then your words."}
	ErrUnknownCommand error = &corpus.UserError{Msg: "Unknown command: use /issue, /who or /ask."}
	ErrEmptyQuery     error = &corpus.UserError{Msg: "Say what to search for after the command."}
	ErrQueryTooLong   error = &corpus.UserError{Msg: "That is too long to search: keep it under 300 characters."}
)

// ParseCommand reads a slash line such as "/issue seafood" or "who Wang Yi".
func ParseCommand(line string) (Query, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return Query{}, ErrNoCommand
	}
	name, text, _ := strings.Cut(line, " ")
	name = strings.ToLower(strings.TrimPrefix(name, "/"))
	if name == "" {
		return Query{}, ErrNoCommand
	}
	cmd, ok := LookupCommand(name)
	if !ok {
		return Query{}, ErrUnknownCommand
	}
	q := Query{Command: cmd, Text: strings.TrimSpace(text)}
	return q, q.Validate()
}

// LookupCommand maps a command name to its Command.
func LookupCommand(name string) (Command, bool) {
	for _, c := range Commands {
		if string(c) == name {
			return c, true
		}
	}
	return "", false
}

// Validate reports a query no one should run.
func (q Query) Validate() error {
	if _, ok := LookupCommand(string(q.Command)); !ok {
		return ErrUnknownCommand
	}
	text := strings.TrimSpace(q.Text)
	switch {
	case text == "":
		return ErrEmptyQuery
	case utf8.RuneCountInString(text) > MaxQueryLen:
		return ErrQueryTooLong
	}
	return nil
}

func (q Query) limit() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}
