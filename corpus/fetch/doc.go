// Package fetch gets the pages and files moderators add to the corpus, and
// refuses the ones it must not touch.
//
// Its rules:
//   - Only http and https, no user names or passwords in links, at most five
//     redirects, ten seconds and 5 MiB, and only web pages or text.
//   - The address checked is the address dialled: every IP a name resolves
//     to, after every redirect, is checked in the dialer itself, so neither a
//     DNS answer nor a redirect can point the fetch inside this server's
//     network (loopback, private, link-local, cloud metadata, CGNAT, ...).
//     Client.AllowPrivate lifts that rule, for tests and intranets.
//   - Every refusal is a corpus.UserError: one plain sentence for the
//     moderator, the cause for the log.
package fetch
