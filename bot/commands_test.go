package bot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

var commandName = regexp.MustCompile(`^[-_\p{L}\p{N}]{1,32}$`)

// commandProblems applies Discord's rules for chat input commands.
func commandProblems(cmds []*discordgo.ApplicationCommand) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	name := func(where, n string) {
		if !commandName.MatchString(n) || strings.ToLower(n) != n {
			bad("%s: name %q must be 1-32 lower-case letters, digits, '-' or '_'", where, n)
		}
	}
	desc := func(where, d string) {
		if n := utf8.RuneCountInString(d); n < 1 || n > 100 {
			bad("%s: description has %d characters, want 1-100", where, n)
		}
	}
	seen := map[string]bool{}
	if len(cmds) > 100 {
		bad("%d commands, at most 100", len(cmds))
	}
	for _, c := range cmds {
		where := "/" + c.Name
		name(where, c.Name)
		desc(where, c.Description)
		if seen[c.Name] {
			bad("%s: duplicate", where)
		}
		seen[c.Name] = true
		if c.Type != discordgo.ChatApplicationCommand {
			bad("%s: type %d, want chat input", where, c.Type)
		}
		if c.Contexts == nil || len(*c.Contexts) == 0 {
			bad("%s: no contexts", where)
		}
		if len(c.Options) > 25 {
			bad("%s: %d options, at most 25", where, len(c.Options))
		}
		optional := false
		opts := map[string]bool{}
		for _, o := range c.Options {
			ow := where + " " + o.Name
			name(ow, o.Name)
			desc(ow, o.Description)
			if opts[o.Name] {
				bad("%s: duplicate option", ow)
			}
			opts[o.Name] = true
			if o.Required && optional {
				bad("%s: required option after an optional one", ow)
			}
			optional = optional || !o.Required
			if len(o.Choices) > 25 {
				bad("%s: %d choices, at most 25", ow, len(o.Choices))
			}
			if o.Autocomplete && (len(o.Choices) > 0 || o.Type != discordgo.ApplicationCommandOptionString) {
				bad("%s: autocomplete needs a string option without choices", ow)
			}
			if o.Type == discordgo.ApplicationCommandOptionString && (o.MaxLength < 1 || o.MaxLength > 6000) {
				bad("%s: max_length %d, want 1-6000", ow, o.MaxLength)
			}
		}
	}
	return out
}

func TestCommandSetFollowsDiscordsRules(t *testing.T) {
	if problems := commandProblems(Commands()); len(problems) > 0 {
		t.Errorf("the command set breaks Discord's rules:\n%s", strings.Join(problems, "\n"))
	}
}

func TestCommandRulesCatchBreakage(t *testing.T) {
	opt := func(name string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name,
			Description: "d", Required: required, MaxLength: 10}
	}
	ctx := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	cmd := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
		return &discordgo.ApplicationCommand{Type: discordgo.ChatApplicationCommand, Name: name, Description: desc,
			Options: opts, Contexts: ctx}
	}
	many := make([]*discordgo.ApplicationCommandOption, 26)
	for i := range many {
		many[i] = opt(fmt.Sprintf("o%d", i), false)
	}
	choices := opt("c", true)
	for i := 0; i < 26; i++ {
		choices.Choices = append(choices.Choices, &discordgo.ApplicationCommandOptionChoice{Name: "x", Value: "x"})
	}
	for _, tc := range []struct {
		name string
		cmd  *discordgo.ApplicationCommand
	}{
		{"upper case name", cmd("Issue", "d")},
		{"space in name", cmd("is sue", "d")},
		{"name too long", cmd(strings.Repeat("a", 33), "d")},
		{"empty description", cmd("a", "")},
		{"description too long", cmd("a", strings.Repeat("é", 101))},
		{"required after optional", cmd("a", "d", opt("x", false), opt("y", true))},
		{"too many options", cmd("a", "d", many...)},
		{"too many choices", cmd("a", "d", choices)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := commandProblems([]*discordgo.ApplicationCommand{tc.cmd}); len(p) == 0 {
				t.Error("no problem found")
			}
		})
	}
}

func TestEveryCommandHasAHandlerAndEveryAnswerCommandAPrivateOption(t *testing.T) {
	b := New(Options{})
	registered := map[string]bool{}
	for _, c := range Commands() {
		if c.Name == cmdCorpus {
			// Moderators' subcommands: each has a handler, and answers
			// only the moderator who asked.
			for _, sub := range c.Options {
				name := c.Name + " " + sub.Name
				registered[name] = true
				if _, ok := b.commands[name]; !ok {
					t.Errorf("/%s has no handler", name)
				}
			}
			continue
		}
		registered[c.Name] = true
		if _, ok := b.commands[c.Name]; !ok {
			t.Errorf("/%s has no handler", c.Name)
		}
		if c.Name == cmdHelp {
			continue
		}
		var private *discordgo.ApplicationCommandOption
		for _, o := range c.Options {
			if o.Name == optPrivate {
				private = o
			}
		}
		if private == nil || private.Type != discordgo.ApplicationCommandOptionBoolean || private.Required {
			t.Errorf("/%s has no optional boolean private option", c.Name)
		}
	}
	for name := range b.commands {
		if !registered[name] {
			t.Errorf("handler for /%s, which is not registered", name)
		}
	}
}

func TestAutocompleteIsOnTopicAndName(t *testing.T) {
	want := map[string]string{cmdIssue: optTopic, cmdWho: optName}
	for _, c := range Commands() {
		for _, o := range c.Options {
			if o.Autocomplete != (want[c.Name] == o.Name) {
				t.Errorf("/%s %s: autocomplete = %v", c.Name, o.Name, o.Autocomplete)
			}
		}
	}
}
