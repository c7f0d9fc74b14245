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
//   - Secrets (the bot token, interaction tokens) are never logged.
package bot
