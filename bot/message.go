package bot

import "github.com/bwmarrin/discordgo"

// Message is an answer as handlers build it. toDiscord is the one place it
// becomes discordgo's types.
type Message struct {
	Content   string
	Embeds    []Embed
	Rows      [][]Button // action rows of buttons
	Ephemeral bool       // only the user who asked sees it (ignored by Update)
}

// Embed is a rich block of a message. Author and Footer are plain text
// (Discord renders no Markdown there); Description renders Markdown.
type Embed struct {
	Author      string
	Title       string
	URL         string
	Description string
	Fields      []Field
	Footer      string
	Color       int
}

// Field is a name/value pair of an embed.
type Field struct {
	Name, Value string
	Inline      bool
}

// ButtonStyle is how a button looks.
type ButtonStyle int

const (
	ButtonPrimary ButtonStyle = iota
	ButtonSecondary
	ButtonLink // opens URL; has no custom_id
)

// Button is a message button: an action (CustomID) or a link (URL).
type Button struct {
	Label    string
	Style    ButtonStyle
	CustomID string
	URL      string
	Disabled bool
}

// Choice is one autocomplete suggestion.
type Choice struct {
	Name  string // what the user sees
	Value string // what the command receives
}

// embedColor is the accent of every answer embed.
const embedColor = 0x2B6CB0

// noMentions lets a message ping nobody, whatever its text contains.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// toDiscord turns a Message into the data of an interaction response. It is
// the only conversion from Message: webhook edits and follow-ups are built
// from its result, so allowed mentions are none on every message sent.
// Embeds and components are never nil, so an update clears old buttons.
func (m Message) toDiscord() *discordgo.InteractionResponseData {
	d := &discordgo.InteractionResponseData{
		Content:         m.Content,
		Embeds:          make([]*discordgo.MessageEmbed, 0, len(m.Embeds)),
		Components:      make([]discordgo.MessageComponent, 0, len(m.Rows)),
		AllowedMentions: noMentions(),
	}
	for _, e := range m.Embeds {
		de := &discordgo.MessageEmbed{
			Title:       e.Title,
			URL:         e.URL,
			Description: e.Description,
			Color:       e.Color,
		}
		if e.Author != "" {
			de.Author = &discordgo.MessageEmbedAuthor{Name: e.Author}
		}
		if e.Footer != "" {
			de.Footer = &discordgo.MessageEmbedFooter{Text: e.Footer}
		}
		for _, f := range e.Fields {
			de.Fields = append(de.Fields, &discordgo.MessageEmbedField{Name: f.Name, Value: f.Value, Inline: f.Inline})
		}
		d.Embeds = append(d.Embeds, de)
	}
	for _, row := range m.Rows {
		var cs []discordgo.MessageComponent
		for _, b := range row {
			db := discordgo.Button{Label: b.Label, Disabled: b.Disabled}
			switch b.Style {
			case ButtonLink:
				db.Style, db.URL = discordgo.LinkButton, b.URL
			case ButtonSecondary:
				db.Style, db.CustomID = discordgo.SecondaryButton, b.CustomID
			default:
				db.Style, db.CustomID = discordgo.PrimaryButton, b.CustomID
			}
			cs = append(cs, db)
		}
		d.Components = append(d.Components, discordgo.ActionsRow{Components: cs})
	}
	if m.Ephemeral {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	return d
}

// webhookEdit is d as an edit of the original response.
func webhookEdit(d *discordgo.InteractionResponseData) *discordgo.WebhookEdit {
	return &discordgo.WebhookEdit{
		Content:         &d.Content,
		Embeds:          &d.Embeds,
		Components:      &d.Components,
		AllowedMentions: d.AllowedMentions,
	}
}

// webhookParams is d as a follow-up message.
func webhookParams(d *discordgo.InteractionResponseData) *discordgo.WebhookParams {
	return &discordgo.WebhookParams{
		Content:         d.Content,
		Embeds:          d.Embeds,
		Components:      d.Components,
		AllowedMentions: d.AllowedMentions,
		Flags:           d.Flags,
	}
}

// choicesToDiscord turns choices into discordgo's type.
func choicesToDiscord(cs []Choice) []*discordgo.ApplicationCommandOptionChoice {
	out := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(cs))
	for _, c := range cs {
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: c.Name, Value: c.Value})
	}
	return out
}
