package bot

import (
	"context"
	"testing"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus"
)

func TestModeratorsAreCheckedOnEveryRequest(t *testing.T) {
	mods := newModerators([]string{modRole, ""})
	guild := func(perms int64, roles ...string) Request {
		return Request{GuildID: corpusGuild, UserID: "1050000000000000042", Permissions: perms, Roles: roles}
	}
	for _, tc := range []struct {
		name string
		req  Request
		want error
	}{
		{"a member with Manage Server", guild(memberPerms | discordgo.PermissionManageGuild), nil},
		{"an Administrator", guild(discordgo.PermissionAdministrator), nil},
		{"a member with a moderator role", guild(memberPerms, memberRole, modRole), nil},
		{"a plain member", guild(memberPerms, memberRole), errNotModerator},
		{"a member a server admin opened the command to", guild(discordgo.PermissionUseSlashCommands), errNotModerator},
		{"a member with no permissions at all", guild(0), errNotModerator},
		{"a member of an empty role ID", guild(0, ""), errNotModerator},
		{"a DM, whatever it claims", Request{UserID: "1050000000000000042", Permissions: discordgo.PermissionAll, Roles: []string{modRole}}, errGuildOnly},
	} {
		if got := mods.authorize(tc.req); got != tc.want {
			t.Errorf("%s: authorize = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAModeratorCommandRunsOnlyForModerators(t *testing.T) {
	b := New(Options{Corpus: CorpusOptions{ModRoles: []string{modRole}}})
	ran := 0
	h := b.moderator(func(context.Context, Request, Responder) error { ran++; return nil })
	err := h(t.Context(), Request{GuildID: corpusGuild, Permissions: memberPerms}, nil)
	if msg, ok := corpus.UserMessage(err); !ok || msg != "Only moderators can manage the corpus: it takes the Manage Server permission or a moderator role." || ran != 0 {
		t.Errorf("a plain member: err %v, ran %d times", err, ran)
	}
	if err := h(t.Context(), Request{GuildID: corpusGuild, Roles: []string{modRole}}, nil); err != nil || ran != 1 {
		t.Errorf("a moderator: err %v, ran %d times", err, ran)
	}
}
