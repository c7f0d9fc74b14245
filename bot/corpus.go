package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/corpus"
	"visitbot/corpus/fetch"
	"visitbot/index"
)

// The /corpus command: moderators add, remove, list and refresh the articles
// the bot quotes, and see its topic list. Every subcommand runs only for a
// moderator (permissions.go) and answers ephemerally. A change (add, remove,
// refresh) is acknowledged at once, then its message is edited as the work
// goes on (fetching, extracting, indexing n of N), throttled to what
// Discord allows, and finally shows what changed. The Library does the
// work, writes the audit log and keeps the old index serving until the new
// one is ready.

// Library is what the /corpus commands need of the corpus. *index.Live
// satisfies it.
type Library interface {
	Add(ctx context.Context, src index.Source, by string, progress func(index.Progress)) (index.Change, error)
	Remove(ctx context.Context, id, by string) (index.Change, error)
	Refresh(ctx context.Context, by string, progress func(index.Progress)) (index.Change, error)
	List() ([]index.Entry, error)
	Thesaurus() *corpus.Thesaurus
}

// CorpusOptions configure the /corpus commands. The zero value works.
type CorpusOptions struct {
	// ModRoles are the IDs of roles whose members may manage the corpus,
	// besides members with Manage Server or Administrator (MOD_ROLE_IDS).
	ModRoles []string
	// Client downloads the files moderators attach; nil means a client
	// bounded by fetch.Timeout. Downloads are capped at fetch.MaxBytes.
	Client *http.Client
	// ProgressEvery is the least time between two progress edits of one
	// message; 0 means DefaultProgressEvery. A new phase is shown sooner,
	// a quarter of it after the last edit.
	ProgressEvery time.Duration
}

// DefaultProgressEvery keeps progress edits well inside Discord's rate
// limit on editing an interaction's message.
const DefaultProgressEvery = time.Second

// corpusTimeout bounds one /corpus change: a refresh fetches every link
// again (each up to fetch.Timeout) before it rebuilds. It stays inside the
// 15 minutes an interaction token lasts. Shutdown waits for a change under
// way, as for any handler; a change cut short (a kill) leaves the store and
// the index as they were, the library's promise.
const corpusTimeout = 10 * time.Minute

// Command, subcommand and option names.
const (
	cmdCorpus        = "corpus"
	cmdCorpusAdd     = "corpus add"
	cmdCorpusRemove  = "corpus remove"
	cmdCorpusList    = "corpus list"
	cmdCorpusRefresh = "corpus refresh"
	cmdCorpusTopics  = "corpus topics"

	optURL      = "url"
	optFile     = "file"
	optDocument = "document"
)

// Sentences moderators see.
var (
	errNoLibrary     = corpus.Userf("Managing the corpus is not enabled on this bot.")
	errBothSources   = corpus.Userf("Give either a link or a file, not both.")
	errNoDocument    = corpus.Userf("Say which document to remove; /corpus list shows them.")
	errNoAttachment  = corpus.Userf("Discord did not pass on the attached file; attach it again.")
	errChangeRunning = corpus.Userf("Another change to the corpus is still running; try again when it is done.")
)

// msgDownload is the sentence for an attachment that could not be fetched.
const msgDownload = "The attached file could not be downloaded from Discord; try again."

// corpusState is what the /corpus commands share.
type corpusState struct {
	mods   moderators
	client *http.Client
	every  time.Duration
	lib    atomic.Pointer[libraryRef]

	mu      sync.Mutex
	running string // the change under way in this process: "add", "remove", "refresh"
}

type libraryRef struct{ l Library }

// setupCorpus adds the /corpus routes; New calls it.
func (b *Bot) setupCorpus(o CorpusOptions) {
	c := &corpusState{mods: newModerators(o.ModRoles), client: o.Client, every: o.ProgressEvery}
	if c.client == nil {
		c.client = &http.Client{Timeout: fetch.Timeout}
	}
	if c.every <= 0 {
		c.every = DefaultProgressEvery
	}
	b.corpus = c
	ephemeral := func(Request) ack { return ack{ephemeral: true} }
	change := func(h HandlerFunc) route {
		return route{handle: b.moderator(h), ack: ephemeral, timeout: corpusTimeout}
	}
	b.commands[cmdCorpusAdd] = change(b.corpusAdd)
	b.commands[cmdCorpusRemove] = change(b.corpusRemove)
	b.commands[cmdCorpusRefresh] = change(b.corpusRefresh)
	b.commands[cmdCorpusList] = route{handle: b.moderator(b.corpusList), ack: ephemeral}
	b.commands[cmdCorpusTopics] = route{handle: b.moderator(b.corpusTopics), ack: ephemeral}
}

// SetLibrary makes l the corpus the /corpus commands manage (nil: none).
// The library is usually also the bot's Searcher: *index.Live is both.
func (b *Bot) SetLibrary(l Library) {
	if l == nil {
		b.corpus.lib.Store(nil)
		return
	}
	b.corpus.lib.Store(&libraryRef{l})
}

func (b *Bot) library() (Library, error) {
	ref := b.corpus.lib.Load()
	if ref == nil {
		if !b.Ready() {
			return nil, errNotReady
		}
		return nil, errNoLibrary
	}
	return ref.l, nil
}

// begin claims the right to change the corpus from this process: one
// change at a time, so a second refresh is refused at once rather than
// after a deferral. (Changes from another process, a shell say, are
// excluded by the library's lock, which refuses with index.ErrBusy.) end
// may be called more than once; handlers call it as soon as the library is
// done, before the answer, so the next change is welcome once it is shown.
func (c *corpusState) begin(kind string) (end func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.running {
	case "":
	case "refresh":
		return nil, index.ErrBusy
	default:
		return nil, errChangeRunning
	}
	c.running = kind
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			c.running = ""
			c.mu.Unlock()
		})
	}, nil
}

// corpusCommand is the /corpus command: for servers only, and shown by
// default only to members who can manage the server. The bot checks again
// on every request (permissions.go), since server admins can change who
// sees it.
func corpusCommand() *discordgo.ApplicationCommand {
	perms := int64(discordgo.PermissionManageGuild)
	dm := false
	sub := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type:        discordgo.ApplicationCommandOptionSubCommand,
			Name:        name,
			Description: desc,
			Options:     opts,
		}
	}
	minLen := 1
	return &discordgo.ApplicationCommand{
		Type:                     discordgo.ChatApplicationCommand,
		Name:                     cmdCorpus,
		Description:              "Manage the articles I quote (moderators)",
		DefaultMemberPermissions: &perms,
		DMPermission:             &dm,
		Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
		IntegrationTypes:         &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall},
		Options: []*discordgo.ApplicationCommandOption{
			sub("add", "Add an article from a link or an attached .txt, .md or .html file",
				&discordgo.ApplicationCommandOption{
					Type:        discordgo.ApplicationCommandOptionString,
					Name:        optURL,
					Description: "A link to the article, starting with https://",
					MinLength:   &minLen,
					MaxLength:   2000,
				},
				&discordgo.ApplicationCommandOption{
					Type:        discordgo.ApplicationCommandOptionAttachment,
					Name:        optFile,
					Description: "The article as a .txt, .md or .html file (at most 5 MiB)",
				}),
			sub("remove", "Remove a document (a shipped one is hidden)",
				&discordgo.ApplicationCommandOption{
					Type:         discordgo.ApplicationCommandOptionString,
					Name:         optDocument,
					Description:  "The document to remove (suggestions as you type)",
					Required:     true,
					Autocomplete: true,
					MinLength:    &minLen,
					MaxLength:    maxChoiceValue,
				}),
			sub("list", "List the documents, with who added each and when"),
			sub("refresh", "Fetch the links again, re-read the files, and report what changed"),
			sub("topics", "Show the topics /issue knows and the words that mean them"),
		},
	}
}

// Attachment is a file a user attached to a command.
type Attachment struct {
	ID          string
	Filename    string
	URL         string // Discord's CDN
	ContentType string // "" when Discord did not say
	Size        int64
}

// attachments reads the attached files from a command's resolved data.
func attachments(r *discordgo.ApplicationCommandInteractionDataResolved) map[string]Attachment {
	if r == nil || len(r.Attachments) == 0 {
		return nil
	}
	out := make(map[string]Attachment, len(r.Attachments))
	for id, a := range r.Attachments {
		if a != nil {
			out[id] = Attachment{ID: id, Filename: a.Filename, URL: a.URL, ContentType: a.ContentType, Size: int64(a.Size)}
		}
	}
	return out
}

// Attachment returns the file the attachment option name refers to.
func (r Request) Attachment(name string) (Attachment, bool) {
	id := r.String(name)
	if id == "" {
		return Attachment{}, false
	}
	a, ok := r.Attachments[id]
	return a, ok
}

// auditName names who asked for a change in the audit log: "discord:<user ID>",
// with the user name when Discord sent it.
func auditName(req Request) string {
	who := "discord:" + req.UserID
	if name := strings.Join(strings.Fields(req.UserName), " "); name != "" {
		who += " (" + truncate(name, 64) + ")"
	}
	return who
}

// corpusAdd answers /corpus add: an article from a link or an attached file.
func (b *Bot) corpusAdd(ctx context.Context, req Request, r Responder) error {
	lib, err := b.library()
	if err != nil {
		return err
	}
	link := strings.TrimSpace(req.String(optURL))
	att, hasFile := req.Attachment(optFile)
	switch {
	case req.String(optFile) != "" && !hasFile:
		return errNoAttachment
	case link != "" && hasFile:
		return errBothSources
	case link == "" && !hasFile:
		return index.ErrNoSource
	case hasFile:
		// Judge the file by what Discord says of it before downloading it.
		if err := fetch.CheckAttachment(att.Filename, att.ContentType, att.Size); err != nil {
			return err
		}
	default:
		if _, err := fetch.CheckURL(link); err != nil {
			return err
		}
	}
	end, err := b.corpus.begin("add")
	if err != nil {
		return err
	}
	defer end()
	if err := r.Defer(ctx, true); err != nil {
		return err
	}
	p := b.startProgress(ctx, req, r, "/corpus add")
	defer p.stop()
	src := index.Source{URL: link}
	if hasFile {
		p.report(index.Progress{Phase: index.PhaseFetching, Source: att.Filename, Total: 1})
		data, err := b.download(ctx, att)
		if err != nil {
			return err
		}
		src = index.Source{Name: att.Filename, Data: data}
	}
	c, err := lib.Add(ctx, src, auditName(req), p.report)
	end()
	p.stop()
	if err != nil {
		return err
	}
	return r.Reply(ctx, renderChange("/corpus add", c, "Ask about it with /issue, /who or /ask."))
}

// download gets an attached file from Discord's CDN, within fetch.Timeout
// and fetch.MaxBytes. Its errors are user errors whose causes name no URL
// (the CDN's URLs carry signed access parameters).
func (b *Bot) download(ctx context.Context, a Attachment) ([]byte, error) {
	fail := func(err error) error { return &corpus.UserError{Msg: msgDownload, Err: scrub(err)} }
	u, err := url.Parse(a.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fail(errors.New("attachment without a web address"))
	}
	ctx, cancel := context.WithTimeout(ctx, fetch.Timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fail(err)
	}
	hr.Header.Set("User-Agent", fetch.DefaultUserAgent)
	resp, err := b.corpus.client.Do(hr)
	if err != nil {
		return nil, fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fail(fmt.Errorf("the CDN answered %s", resp.Status))
	}
	if resp.ContentLength > fetch.MaxBytes {
		return nil, fetch.ErrFileTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, fetch.MaxBytes+1))
	switch {
	case err != nil:
		return nil, fail(err)
	case len(data) > fetch.MaxBytes:
		return nil, fetch.ErrFileTooLarge
	case len(data) == 0:
		return nil, corpus.ErrEmpty
	}
	return data, nil
}

// corpusRemove answers /corpus remove: the document whose ID autocomplete
// gave (or, typed by hand, whose ID or exact title the moderator typed).
func (b *Bot) corpusRemove(ctx context.Context, req Request, r Responder) error {
	lib, err := b.library()
	if err != nil {
		return err
	}
	id, title := b.resolveDocument(normalize(req.String(optDocument)))
	if id == "" {
		return errNoDocument
	}
	end, err := b.corpus.begin("remove")
	if err != nil {
		return err
	}
	defer end()
	if err := r.Defer(ctx, true); err != nil {
		return err
	}
	what := "**" + escapeMarkdown(truncate(id, 100)) + "**"
	if title != "" {
		what = "*" + escapeMarkdown(truncate(title, 200)) + "* (" + what + ")"
	}
	// Remove reports no progress of its own: say what is under way.
	_ = r.Progress(ctx, progressMessage("/corpus remove", "Removing "+what+" and rebuilding the index…"))
	c, err := lib.Remove(ctx, id, auditName(req))
	end()
	if err != nil {
		return err
	}
	return r.Reply(ctx, renderChange("/corpus remove", c, ""))
}

// resolveDocument finds the document a /corpus remove value names: a
// document ID as autocomplete gives it, or a title typed in full. It
// returns the value itself when nothing served matches: the library then
// says whether it knows the ID.
func (b *Bot) resolveDocument(v string) (id, title string) {
	s, err := b.searcher()
	if err != nil || v == "" {
		return v, ""
	}
	var byTitle []*corpus.Document
	for _, d := range s.Documents() {
		if d.ID == v {
			return d.ID, d.Title
		}
		if strings.EqualFold(d.Title, v) {
			byTitle = append(byTitle, d)
		}
	}
	if len(byTitle) == 1 {
		return byTitle[0].ID, byTitle[0].Title
	}
	return v, ""
}

// corpusRefresh answers /corpus refresh.
func (b *Bot) corpusRefresh(ctx context.Context, req Request, r Responder) error {
	lib, err := b.library()
	if err != nil {
		return err
	}
	end, err := b.corpus.begin("refresh")
	if err != nil {
		return err
	}
	defer end()
	if err := r.Defer(ctx, true); err != nil {
		return err
	}
	p := b.startProgress(ctx, req, r, "/corpus refresh")
	defer p.stop()
	p.report(index.Progress{Phase: index.PhaseFetching})
	c, err := lib.Refresh(ctx, auditName(req), p.report)
	end()
	p.stop()
	if err != nil {
		return err
	}
	return r.Reply(ctx, renderChange("/corpus refresh", c, ""))
}

// corpusList answers /corpus list.
func (b *Bot) corpusList(ctx context.Context, req Request, r Responder) error {
	lib, err := b.library()
	if err != nil {
		return err
	}
	entries, err := lib.List()
	if err != nil {
		return fmt.Errorf("bot: list the corpus: %w", err)
	}
	return r.Reply(ctx, renderCorpusList(entries))
}

// corpusTopics answers /corpus topics.
func (b *Bot) corpusTopics(ctx context.Context, req Request, r Responder) error {
	lib, err := b.library()
	if err != nil {
		return err
	}
	return r.Reply(ctx, renderTopics(lib.Thesaurus()))
}

// corpusAutocomplete offers the documents /corpus remove can remove: their
// titles, with their IDs as values. Only a moderator gets suggestions.
func (b *Bot) corpusAutocomplete(ctx context.Context, req Request, r Responder) error {
	opt, ok := req.Focused()
	s, err := b.searcher()
	if !ok || err != nil || opt.Name != optDocument || b.corpus.mods.authorize(req) != nil {
		return r.Autocomplete(ctx, nil)
	}
	input, _ := opt.Value.(string)
	return r.Autocomplete(ctx, documentChoices(s.Documents(), normalize(input)))
}

// documentChoices are the documents whose title or ID contains input
// (ignoring case), titles first, as choices named by title with the ID as
// value. A title two documents share is told apart by the ID.
func documentChoices(docs []*corpus.Document, input string) []Choice {
	needle := strings.ToLower(input)
	titles := map[string]int{}
	for _, d := range docs {
		titles[d.Title]++
	}
	var inTitle, inID []Choice
	for _, d := range docs {
		if d.ID == "" || textLen(d.ID) > maxChoiceValue {
			continue
		}
		name := strings.Join(strings.Fields(d.Title), " ")
		switch {
		case name == "":
			name = d.ID
		case titles[d.Title] > 1:
			name = truncate(name, maxChoiceName-textLen(d.ID)-3) + " (" + d.ID + ")"
		}
		c := Choice{Name: truncate(name, maxChoiceName), Value: d.ID}
		switch {
		case strings.Contains(strings.ToLower(d.Title), needle):
			inTitle = append(inTitle, c)
		case strings.Contains(strings.ToLower(d.ID), needle):
			inID = append(inID, c)
		}
	}
	out := append(inTitle, inID...)
	return out[:min(len(out), maxChoices)]
}

// progress shows a change's progress by editing its deferred message. The
// library reports from its own goroutine and never waits for Discord: the
// latest report is kept, and a sender shows it at most once per interval,
// a new phase sooner (a quarter of the interval after the last edit).
type progress struct {
	ctx   context.Context
	req   Request
	r     Responder
	title string
	every time.Duration

	mu     sync.Mutex
	latest index.Progress
	fresh  bool // latest is not shown yet

	wake     chan struct{}
	quit     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

func (b *Bot) startProgress(ctx context.Context, req Request, r Responder, title string) *progress {
	p := &progress{ctx: ctx, req: req, r: r, title: title, every: b.corpus.every,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

// report records p as the latest progress; it never blocks.
func (p *progress) report(pr index.Progress) {
	if pr.Phase == index.PhaseDone {
		return // the answer shows what changed
	}
	p.mu.Lock()
	p.latest, p.fresh = pr, true
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// stop ends the edits and waits for one under way, so the answer that
// follows is the last word. It may be called more than once.
func (p *progress) stop() {
	p.stopOnce.Do(func() { close(p.quit) })
	<-p.done
}

func (p *progress) run() {
	defer close(p.done)
	var (
		last  time.Time   // of the last edit
		shown index.Phase // in the last edit
	)
	for {
		select {
		case <-p.quit:
			return
		case <-p.wake:
		}
		p.mu.Lock()
		pr, fresh := p.latest, p.fresh
		p.mu.Unlock()
		if !fresh {
			continue
		}
		gap := p.every
		if pr.Phase != shown {
			gap = p.every / 4
		}
		if wait := gap - time.Since(last); !last.IsZero() && wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-p.quit:
				t.Stop()
				return
			case <-t.C:
			}
		}
		p.mu.Lock()
		pr, p.fresh = p.latest, false
		p.mu.Unlock()
		if err := p.r.Progress(p.ctx, renderProgress(p.title, pr)); err != nil {
			// A lost progress edit costs nothing: the answer follows.
			p.req.Log().DebugContext(p.ctx, "progress edit failed", "err", err.Error())
		}
		last, shown = time.Now(), pr.Phase
	}
}

// progressMessage is a progress line under the command's name.
func progressMessage(title, line string) Message {
	return Message{
		Embeds:    []Embed{{Author: title, Description: truncate(line, maxDescription), Color: embedColor}},
		Ephemeral: true,
	}
}

// renderProgress says what a change is doing.
func renderProgress(title string, p index.Progress) Message {
	src := escapeMarkdown(truncate(p.Source, 300))
	var line string
	switch {
	case p.Phase == index.PhaseFetching && p.Source == "":
		line = "Fetching…"
	case p.Phase == index.PhaseFetching && p.Total > 1:
		line = fmt.Sprintf("Fetching %d of %d: %s…", min(p.Done+1, p.Total), p.Total, src)
	case p.Phase == index.PhaseFetching:
		line = "Fetching " + src + "…"
	case p.Phase == index.PhaseExtracting:
		line = "Extracting the article from " + src + "…"
	case p.Phase == index.PhaseIndexing && p.Total > 0:
		line = fmt.Sprintf("Indexing: %d of %d passages…", p.Done, p.Total)
	case p.Phase == index.PhaseIndexing:
		line = "Indexing…"
	default:
		line = "Working…"
	}
	return progressMessage(title, line)
}

// renderChange shows what a change did, in the library's words, and a
// hint when anything was added.
func renderChange(title string, c index.Change, hint string) Message {
	text := escapeMarkdown(c.Summary())
	if hint != "" && len(c.Added) > 0 {
		text += "\n\n" + hint
	}
	return Message{
		Embeds:    []Embed{{Author: title, Description: truncate(text, maxDescription), Color: embedColor}},
		Ephemeral: true,
	}
}

// renderCorpusList lists every document, shipped (removed ones marked) and
// added (with who added it and when), as many as fit.
func renderCorpusList(entries []index.Entry) Message {
	e := Embed{Author: "/corpus list", Color: embedColor}
	if len(entries) == 0 {
		e.Description = "The corpus is empty."
		return Message{Embeds: []Embed{e}, Ephemeral: true}
	}
	var b strings.Builder
	shipped, hidden, added := 0, 0, 0
	for _, en := range entries {
		switch {
		case en.AddedBy == "shipped" && en.Hidden:
			shipped++
			hidden++
		case en.AddedBy == "shipped":
			shipped++
		default:
			added++
		}
	}
	lines := make([]string, len(entries))
	for i, en := range entries {
		lines[i] = listLine(en)
	}
	b.WriteString(fitLines(lines, "", maxDescription-textLen(b.String())))
	e.Description = b.String()
	e.Footer = fmt.Sprintf("%s: %d shipped (%d removed), %d added", plural(len(entries), "document"), shipped, hidden, added)
	return Message{Embeds: []Embed{e}, Ephemeral: true}
}

// listLine is one document of /corpus list.
func listLine(en index.Entry) string {
	var parts []string
	head := "**" + escapeMarkdown(truncate(en.ID, 100)) + "**"
	if en.Title != "" {
		head += " *" + escapeMarkdown(truncate(en.Title, 150)) + "*"
	}
	parts = append(parts, head, plural(en.Passages, "passage"))
	switch {
	case en.AddedBy == "shipped" && en.Hidden:
		parts = append(parts, "shipped, removed (hidden)")
	case en.AddedBy == "shipped":
		parts = append(parts, "shipped")
	default:
		added := "added by " + who(en.AddedBy)
		if !en.AddedAt.IsZero() {
			added += fmt.Sprintf(" <t:%d:d>", en.AddedAt.Unix())
		}
		parts = append(parts, added)
	}
	if en.Problem != "" {
		parts = append(parts, "left out: "+escapeMarkdown(en.Problem))
	}
	return "• " + strings.Join(parts, " · ")
}

// who shows an audit name: a Discord user as a mention, which Discord
// renders as their current name (allowed mentions are none, so it pings no
// one), anyone else as written.
func who(by string) string {
	if rest, ok := strings.CutPrefix(by, "discord:"); ok {
		id, _, _ := strings.Cut(rest, " ")
		if isDigits(id) && len(id) <= 20 {
			return "<@" + id + ">"
		}
	}
	if by == "" {
		return "someone unknown"
	}
	return escapeMarkdown(truncate(by, 100))
}

// renderTopics shows the topic thesaurus in use: each label with the words
// and phrases that mean it, as many as fit.
func renderTopics(th *corpus.Thesaurus) Message {
	e := Embed{Author: "/corpus topics", Color: embedColor}
	if th == nil || len(th.Topics) == 0 {
		e.Description = "No topics are defined: /issue searches the words as given."
		return Message{Embeds: []Embed{e}, Ephemeral: true}
	}
	lines := make([]string, 0, len(th.Topics))
	for _, t := range th.Topics {
		var phrases []string
		for _, p := range t.Phrases {
			if p != t.Label {
				phrases = append(phrases, p)
			}
		}
		line := "**" + escapeMarkdown(truncate(t.Label, 100)) + "**"
		if len(phrases) > 0 {
			line += " — " + escapeMarkdown(truncate(strings.Join(phrases, ", "), 300))
		}
		lines = append(lines, line)
	}
	e.Description = fitLines(lines, " topics", maxDescription)
	e.Footer = plural(len(th.Topics), "topic") + " · /issue finds a topic by its label or any of its words"
	return Message{Embeds: []Embed{e}, Ephemeral: true}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
