package bot

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus"
)

// Who may manage the corpus.
//
// The /corpus command is registered with default_member_permissions set to
// Manage Server, so Discord shows it only to such members. That is a client
// setting a server admin can change (Server Settings > Integrations), so the
// bot decides for itself on every request: the member must have Manage
// Server or Administrator in the channel (member.permissions, which Discord
// computes with the channel's overwrites), or one of the moderator roles the
// bot is configured with (MOD_ROLE_IDS). In a DM there is no server to
// manage and no member, so the answer is no.

// modPermissions are the permissions that make a member a moderator; either
// is enough (Administrator implies every permission, and Discord already
// sets all bits for it, but a payload is not ours to trust on that).
const modPermissions = discordgo.PermissionManageGuild | discordgo.PermissionAdministrator

// Refusals. Each is one plain sentence, shown ephemeral; a refused request
// changes nothing.
var (
	errGuildOnly    = corpus.Userf("The corpus can only be managed from a server, not in a direct message.")
	errNotModerator = corpus.Userf("Only moderators can manage the corpus: it takes the Manage Server permission or a moderator role.")
)

// moderators is who, besides members with modPermissions, may manage the
// corpus: members with one of these roles.
type moderators struct {
	roles map[string]bool
}

func newModerators(roleIDs []string) moderators {
	m := moderators{roles: map[string]bool{}}
	for _, id := range roleIDs {
		if id != "" {
			m.roles[id] = true
		}
	}
	return m
}

// authorize returns nil when req comes from a moderator in a server, else
// the refusal to show.
func (m moderators) authorize(req Request) error {
	if req.GuildID == "" {
		return errGuildOnly
	}
	if req.Permissions&modPermissions != 0 {
		return nil
	}
	for _, r := range req.Roles {
		if m.roles[r] {
			return nil
		}
	}
	return errNotModerator
}

// moderator wraps a handler of a moderator command: it runs only for a
// moderator; anyone else gets the refusal, before anything is read or
// changed.
func (b *Bot) moderator(h HandlerFunc) HandlerFunc {
	return func(ctx context.Context, req Request, r Responder) error {
		if err := b.corpus.mods.authorize(req); err != nil {
			return err
		}
		return h(ctx, req, r)
	}
}
