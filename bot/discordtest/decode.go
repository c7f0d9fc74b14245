package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// readBody returns a request's JSON payload. discordgo sends
// multipart/form-data (a payload_json part plus files[n] parts) when a
// message has files; those are returned as discordgo Files.
func readBody(r *http.Request) ([]byte, []*discordgo.File, error) {
	mt, ps, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		b, err := io.ReadAll(r.Body)
		return b, nil, err
	}
	var (
		payload []byte
		files   []*discordgo.File
	)
	mr := multipart.NewReader(r.Body, ps["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, err
		}
		switch name := part.FormName(); {
		case name == "payload_json":
			payload = data
		case strings.HasPrefix(name, "files["):
			files = append(files, &discordgo.File{
				Name:        part.FileName(),
				ContentType: part.Header.Get("Content-Type"),
				Reader:      bytes.NewReader(data),
			})
		}
	}
	if payload == nil {
		return nil, nil, errors.New("multipart body without payload_json part")
	}
	return payload, files, nil
}

// discordgo's request types hold components as the MessageComponent
// interface and have no UnmarshalJSON, so they are decoded via shadow
// structs and discordgo.MessageComponentFromJSON.

func decodeComponents(raws []json.RawMessage) ([]discordgo.MessageComponent, error) {
	if raws == nil {
		return nil, nil
	}
	out := make([]discordgo.MessageComponent, 0, len(raws))
	for _, raw := range raws {
		c, err := discordgo.MessageComponentFromJSON(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func decodeResponse(b []byte, files []*discordgo.File) (*discordgo.InteractionResponse, error) {
	type data discordgo.InteractionResponseData
	var raw struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data *struct {
			data
			Components []json.RawMessage `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	resp := &discordgo.InteractionResponse{Type: raw.Type}
	if raw.Data != nil {
		d := discordgo.InteractionResponseData(raw.Data.data)
		var err error
		if d.Components, err = decodeComponents(raw.Data.Components); err != nil {
			return nil, err
		}
		d.Files = files
		resp.Data = &d
	}
	return resp, nil
}

func decodeEdit(b []byte, files []*discordgo.File) (*discordgo.WebhookEdit, error) {
	type edit discordgo.WebhookEdit
	var raw struct {
		edit
		Components *[]json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	e := discordgo.WebhookEdit(raw.edit)
	if raw.Components != nil {
		cs, err := decodeComponents(*raw.Components)
		if err != nil {
			return nil, err
		}
		if cs == nil {
			cs = []discordgo.MessageComponent{}
		}
		e.Components = &cs
	}
	e.Files = files
	return &e, nil
}

func decodeParams(b []byte, files []*discordgo.File) (*discordgo.WebhookParams, error) {
	type params discordgo.WebhookParams
	var raw struct {
		params
		Components []json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	p := discordgo.WebhookParams(raw.params)
	var err error
	if p.Components, err = decodeComponents(raw.Components); err != nil {
		return nil, err
	}
	p.Files = files
	return &p, nil
}

// chatName is Discord's rule for CHAT_INPUT command and option names (which
// must also be lowercase where the script has case).
var chatName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// validateCommands checks the rules Discord enforces on a bulk overwrite
// and returns the violations.
func validateCommands(cmds []*discordgo.ApplicationCommand) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	seen := map[string]bool{}
	chat := 0
	for i, c := range cmds {
		if c == nil {
			add("command %d is null", i)
			continue
		}
		where := fmt.Sprintf("command %d %q", i, c.Name)
		typ := c.Type
		if typ == 0 {
			typ = discordgo.ChatApplicationCommand
		}
		key := fmt.Sprint(typ, "/", c.Name)
		if seen[key] {
			add("%s: duplicate name", where)
		}
		seen[key] = true
		switch typ {
		case discordgo.ChatApplicationCommand:
			chat++
			checkChatName(add, where, c.Name)
			checkDescription(add, where, c.Description)
			checkOptions(add, where, c.Options, 0)
		case discordgo.UserApplicationCommand, discordgo.MessageApplicationCommand:
			if n := utf8.RuneCountInString(c.Name); n < 1 || n > 32 {
				add("%s: name must be 1-32 characters", where)
			}
			if c.Description != "" || len(c.Options) > 0 {
				add("%s: user and message commands take no description or options", where)
			}
		default:
			add("%s: unknown command type %d", where, c.Type)
		}
	}
	if chat > 100 {
		add("%d chat commands, at most 100 allowed", chat)
	}
	return problems
}

func checkChatName(add func(string, ...any), where, name string) {
	if !chatName.MatchString(name) || strings.ToLower(name) != name {
		add("%s: name must be 1-32 lowercase letters, digits, '-', '_' or '''", where)
	}
}

func checkDescription(add func(string, ...any), where, d string) {
	if n := utf8.RuneCountInString(d); n < 1 || n > 100 {
		add("%s: description must be 1-100 characters, has %d", where, n)
	}
}

// checkOptions checks options at nesting depth 0 (command), 1 (subcommand
// or group) or 2 (subcommand in a group).
func checkOptions(add func(string, ...any), where string, opts []*discordgo.ApplicationCommandOption, depth int) {
	if len(opts) > 25 {
		add("%s: %d options, at most 25 allowed", where, len(opts))
	}
	names := map[string]bool{}
	optional := false
	for i, o := range opts {
		if o == nil {
			add("%s: option %d is null", where, i)
			continue
		}
		ow := fmt.Sprintf("%s option %q", where, o.Name)
		checkChatName(add, ow, o.Name)
		checkDescription(add, ow, o.Description)
		if names[o.Name] {
			add("%s: duplicate option name", ow)
		}
		names[o.Name] = true
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommand, discordgo.ApplicationCommandOptionSubCommandGroup:
			if o.Type == discordgo.ApplicationCommandOptionSubCommandGroup && depth != 0 ||
				o.Type == discordgo.ApplicationCommandOptionSubCommand && depth > 1 {
				add("%s: subcommand nested too deep", ow)
			}
			if o.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
				for _, sub := range o.Options {
					if sub != nil && sub.Type != discordgo.ApplicationCommandOptionSubCommand {
						add("%s: a subcommand group may only contain subcommands", ow)
					}
				}
			}
			checkOptions(add, ow, o.Options, depth+1)
			continue
		case discordgo.ApplicationCommandOptionString, discordgo.ApplicationCommandOptionInteger,
			discordgo.ApplicationCommandOptionNumber:
		case discordgo.ApplicationCommandOptionBoolean, discordgo.ApplicationCommandOptionUser,
			discordgo.ApplicationCommandOptionChannel, discordgo.ApplicationCommandOptionRole,
			discordgo.ApplicationCommandOptionMentionable, discordgo.ApplicationCommandOptionAttachment:
			if len(o.Choices) > 0 || o.Autocomplete {
				add("%s: choices and autocomplete only fit string, integer and number options", ow)
			}
		default:
			add("%s: unknown option type %d", ow, o.Type)
		}
		if len(o.Options) > 0 {
			add("%s: only subcommands and groups have options", ow)
		}
		if len(o.Choices) > 25 {
			add("%s: %d choices, at most 25 allowed", ow, len(o.Choices))
		}
		if len(o.Choices) > 0 && o.Autocomplete {
			add("%s: choices and autocomplete are mutually exclusive", ow)
		}
		for _, ch := range o.Choices {
			if ch == nil {
				continue
			}
			if n := utf8.RuneCountInString(ch.Name); n < 1 || n > 100 {
				add("%s: choice name %q must be 1-100 characters", ow, ch.Name)
			}
		}
		if !o.Required {
			optional = true
		} else if optional {
			add("%s: required options must come before optional ones", ow)
		}
	}
}
