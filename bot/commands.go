package bot

import (
	"context"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"visitbot/index"
)

// Command and option names.
const (
	cmdIssue   = "issue"
	cmdWho     = "who"
	cmdAsk     = "ask"
	cmdSources = "sources"
	cmdHelp    = "help"

	optTopic    = "topic"
	optName     = "name"
	optQuestion = "question"
	optPrivate  = "private"
)

// Commands returns the command set the bot registers, as a fresh value.
// Every command works in servers and in DMs with the bot, except the
// moderators' /corpus (corpus.go): servers only, Manage Server by default.
func Commands() []*discordgo.ApplicationCommand {
	contexts := func() *[]discordgo.InteractionContextType {
		return &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	}
	installs := func() *[]discordgo.ApplicationIntegrationType {
		return &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	}
	minLen := func() *int { n := 1; return &n }
	text := func(name, desc string, autocomplete bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type:         discordgo.ApplicationCommandOptionString,
			Name:         name,
			Description:  desc,
			Required:     true,
			Autocomplete: autocomplete,
			MinLength:    minLen(),
			MaxLength:    index.MaxQueryLen,
		}
	}
	private := func() *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type:        discordgo.ApplicationCommandOptionBoolean,
			Name:        optPrivate,
			Description: "Show the answer only to you",
		}
	}
	cmd := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
		if opts == nil {
			opts = []*discordgo.ApplicationCommandOption{}
		}
		return &discordgo.ApplicationCommand{
			Type:             discordgo.ChatApplicationCommand,
			Name:             name,
			Description:      desc,
			Options:          opts,
			Contexts:         contexts(),
			IntegrationTypes: installs(),
		}
	}
	return []*discordgo.ApplicationCommand{
		cmd(cmdIssue, "Quote what the articles say about a topic",
			text(optTopic, "A topic, e.g. seafood ban (suggestions as you type; anything else is searched too)", true),
			private()),
		cmd(cmdWho, "Quote what the articles say about or by a person",
			text(optName, "A person, e.g. Wang Yi (suggestions as you type; anything else is searched too)", true),
			private()),
		cmd(cmdAsk, "Ask a question; get the passages that answer it",
			text(optQuestion, "Your question, e.g. why did China ban Japanese seafood?", false),
			private()),
		cmd(cmdSources, "List the articles I quote from, with dates and links", private()),
		cmd(cmdHelp, "How to use me"),
		corpusCommand(),
	}
}

// RegisterOptions say where to register the command set.
type RegisterOptions struct {
	Token   string       // bot token, with or without the "Bot " prefix
	AppID   string       // "" asks Discord for the bot user's ID
	GuildID string       // "" registers globally
	Client  *http.Client // nil uses discordgo's default
}

// Register bulk-overwrites the command set (in one guild when GuildID is
// set, else globally) over REST, without opening the gateway. It returns the
// application ID used.
func Register(ctx context.Context, o RegisterOptions) (string, error) {
	s, err := newSession(o.Token, o.Client)
	if err != nil {
		return "", err
	}
	appID := o.AppID
	if appID == "" {
		u, err := s.User("@me", discordgo.WithContext(ctx))
		if err != nil {
			return "", fmt.Errorf("bot: find the application ID: %w", err)
		}
		appID = u.ID
	}
	return appID, register(ctx, s, appID, o.GuildID)
}

func register(ctx context.Context, s *discordgo.Session, appID, guildID string) error {
	if _, err := s.ApplicationCommandBulkOverwrite(appID, guildID, Commands(), discordgo.WithContext(ctx)); err != nil {
		where := "globally"
		if guildID != "" {
			where = "in guild " + guildID
		}
		return fmt.Errorf("bot: register commands %s: %w", where, err)
	}
	return nil
}

// newSession returns a discordgo session for token that talks through
// client (nil keeps discordgo's).
func newSession(token string, client *http.Client) (*discordgo.Session, error) {
	if token == "" {
		return nil, fmt.Errorf("bot: no bot token")
	}
	if len(token) < 4 || token[:4] != "Bot " {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("bot: new session: %w", err)
	}
	if client != nil {
		s.Client = client
	}
	s.Identify.Intents = discordgo.IntentsNone // interactions need no intents
	s.LogLevel = discordgo.LogError
	return s, nil
}
