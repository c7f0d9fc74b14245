package bot

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus"
)

// RequestType is what kind of interaction a Request came from.
type RequestType int

const (
	// CommandRequest is a slash command.
	CommandRequest RequestType = iota + 1
	// AutocompleteRequest asks for choices for the focused option.
	AutocompleteRequest
	// ButtonRequest is a click on one of our buttons.
	ButtonRequest
)

func (t RequestType) String() string {
	switch t {
	case CommandRequest:
		return "command"
	case AutocompleteRequest:
		return "autocomplete"
	case ButtonRequest:
		return "button"
	}
	return fmt.Sprintf("RequestType(%d)", int(t))
}

// Request is one interaction, decoded once by the router. It holds what
// handlers need and nothing of discordgo's.
type Request struct {
	ID    string // interaction ID, for logs
	AppID string
	Token string // interaction token: a credential for 15 minutes; never log it
	Type  RequestType

	// Command is the command's name; for a subcommand, the path joined by
	// spaces ("corpus add"), with Options those of the subcommand.
	Command string
	Options []Option

	CustomID string // ButtonRequest

	GuildID   string // "" in a DM
	ChannelID string
	UserID    string
	// Permissions are the invoking member's permissions in the channel
	// (0 outside a guild), for commands restricted to moderators.
	Permissions int64
	Roles       []string // the invoking member's role IDs (none outside a guild)
	UserName    string   // the user's name, for the audit log ("" if unknown)
	Locale      string
	// Attachments are the files attachment options name, by attachment ID
	// (the option's value), from the interaction's resolved data.
	Attachments map[string]Attachment

	button buttonState  // ButtonRequest: CustomID parsed by the router
	log    *slog.Logger // set by the router; see Log
}

// Log is the logger for this interaction: every line it writes names the
// interaction, its kind, command, guild and user (never its token).
func (r Request) Log() *slog.Logger {
	if r.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.log
}

// Option is one option the user gave.
type Option struct {
	Name    string
	Value   any // string, bool or float64, as Discord sends them
	Focused bool
}

// String returns the string option name, or "".
func (r Request) String(name string) string {
	for _, o := range r.Options {
		if o.Name == name {
			s, _ := o.Value.(string)
			return s
		}
	}
	return ""
}

// Bool returns the boolean option name, or false.
func (r Request) Bool(name string) bool {
	for _, o := range r.Options {
		if o.Name == name {
			b, _ := o.Value.(bool)
			return b
		}
	}
	return false
}

// Focused returns the option being typed in an autocomplete request.
func (r Request) Focused() (Option, bool) {
	for _, o := range r.Options {
		if o.Focused {
			return o, true
		}
	}
	return Option{}, false
}

var errUnsupported = corpus.Userf("This kind of interaction is not supported.")

// decodeRequest turns an interaction into a Request. It switches on the
// interaction type before it touches the data, and type-asserts the data
// with a check, so no payload can make it panic.
func decodeRequest(i *discordgo.Interaction) (Request, error) {
	req := Request{
		ID:        i.ID,
		AppID:     i.AppID,
		Token:     i.Token,
		GuildID:   i.GuildID,
		ChannelID: i.ChannelID,
		Locale:    string(i.Locale),
	}
	switch {
	case i.Member != nil:
		req.Permissions = i.Member.Permissions
		if len(i.Member.Roles) > 0 {
			req.Roles = i.Member.Roles
		}
		if i.Member.User != nil {
			req.UserID, req.UserName = i.Member.User.ID, i.Member.User.Username
		}
	case i.User != nil:
		req.UserID, req.UserName = i.User.ID, i.User.Username
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
		// The type is set first: even a request that cannot be read is
		// answered in the way its interaction takes.
		req.Type = CommandRequest
		if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
			req.Type = AutocompleteRequest
		}
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok || data.Name == "" {
			return req, fmt.Errorf("bot: %v interaction %s without command data: %w", i.Type, i.ID, errUnsupported)
		}
		path := []string{data.Name}
		opts := data.Options
		// Descend into subcommand groups and subcommands.
		for len(opts) == 1 && opts[0] != nil &&
			(opts[0].Type == discordgo.ApplicationCommandOptionSubCommand ||
				opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
			path = append(path, opts[0].Name)
			opts = opts[0].Options
		}
		req.Command = strings.Join(path, " ")
		for _, o := range opts {
			if o != nil {
				req.Options = append(req.Options, Option{Name: o.Name, Value: o.Value, Focused: o.Focused})
			}
		}
		req.Attachments = attachments(data.Resolved)
		return req, nil
	case discordgo.InteractionMessageComponent:
		req.Type = ButtonRequest
		data, ok := i.Data.(discordgo.MessageComponentInteractionData)
		if !ok {
			return req, fmt.Errorf("bot: component interaction %s without component data: %w", i.ID, errUnsupported)
		}
		req.CustomID = data.CustomID
		return req, nil
	}
	return req, fmt.Errorf("bot: interaction %s of type %v: %w", i.ID, i.Type, errUnsupported)
}
