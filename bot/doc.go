// Package bot is everything Discord: the command set, the router that turns
// an interaction into a Request and sends it to one handler, the handlers,
// the rendering of answers within Discord's limits, and the transports that
// carry answers back (the gateway, and the HTTP interactions endpoint with its
// webhook follow-ups).
//
// Its rules:
//   - It is the only package that imports discordgo. It consumes the index
//     through the small Searcher interface it defines, and never imports
//     Bleve or reads the environment.
//   - The router switches on the interaction type before reading its data
//     (discordgo's ApplicationCommandData panics on a button click) and
//     decodes it once into a Request. Handlers take (ctx, Request,
//     Responder) and never know which transport they talk to.
//   - Handlers return errors; only the router's error handler logs them.
//     A user error (corpus.UserError) reaches the user as its one plain
//     sentence, ephemeral; anything else is logged once with the interaction
//     ID and shown as a generic sentence.
//   - A Message is our own type. toDiscord is the one function that turns it
//     into discordgo's types, and it always sets allowed mentions to none;
//     every message is checked against Discord's limits (checkLimits) before
//     it is sent, so an over-long answer is a logged bug, not a 400 from
//     Discord.
//   - Passages are quoted verbatim: Markdown in the source is escaped so the
//     quote renders as written, only the matched words are made bold, and a
//     passage too long for the message is cut on a rune boundary and marked
//     with "…". Links come only from the document (Document.URL).
//   - A handler that has not answered within the defer budget (2 s) is
//     acknowledged by the responder itself; its later answer becomes an edit.
//     Button state lives in the custom_id (see customid.go), so buttons keep
//     working after a restart and on any replica.
//   - The moderators' /corpus commands (corpus.go) change the corpus through
//     the small Library interface (*index.Live). They run only for a member
//     with Manage Server or Administrator, or a configured moderator role,
//     checked by the bot itself on every request (permissions.go): the
//     command's default_member_permissions is a client setting server admins
//     can change. A refusal is one ephemeral sentence and changes nothing.
//   - Secrets (the bot token, interaction tokens) are never logged. Every
//     line logged while handling an interaction comes from Request.Log,
//     which names the interaction, its kind, command, guild and user.
//   - The router, not the transports, holds up under load (reliability.go):
//     per-user and per-guild token buckets refuse a command before its
//     handler runs ("Slow down: try again in N s."), autocomplete has its
//     own gentler budget and gets no choices over it; every handler runs
//     under a hard deadline derived from the transport's lifetime context,
//     after which the user is told once and a late answer is dropped and
//     logged. Metrics (metrics.go) live in a registry of their own.
//   - The HTTP endpoint refuses before the router anything not JSON, too
//     large, unsigned, stale, or an exact replay (replays.go).
package bot
