package bot

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"visitbot/bot/discordtest"
	"visitbot/corpus"
	"visitbot/corpus/fetch"
	"visitbot/index"
)

// Snowflakes of the /corpus tests.
const (
	corpusGuild   = "1187000000000000100"
	corpusChannel = "1187000000000000200"
	modRole       = "1187000000000000399" // in MOD_ROLE_IDS
	memberRole    = "1187000000000000301" // an ordinary role
)

// Permission bits of an ordinary member: see the channel, send messages,
// use application commands.
const memberPerms = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionUseSlashCommands

// openLive opens a real Live index of the shipped corpus in a temporary
// data directory; it fetches links from loopback (AllowPrivate), as
// FETCH_ALLOW_PRIVATE=true does.
func openLive(t *testing.T) *index.Live {
	t.Helper()
	shipped, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	l, err := index.OpenLive(testContext(t), t.TempDir(), shipped, index.LiveOptions{Fetcher: &fetch.Client{AllowPrivate: true}})
	if err != nil {
		t.Fatalf("OpenLive: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// newCorpusBot is a bot answering from l and managing it, with the
// moderator role modRole.
func newCorpusBot(t *testing.T, l *index.Live, o CorpusOptions) (*Bot, *logBuffer) {
	t.Helper()
	if o.ModRoles == nil {
		o.ModRoles = []string{modRole}
	}
	b, logs := newTestBotWith(t, Options{DeferAfter: never, Corpus: o})
	b.SetSearcher(l)
	b.SetLibrary(l)
	return b, logs
}

func newTestBotWith(t *testing.T, o Options) (*Bot, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return New(o), logs
}

// runCorpusGateway runs b's gateway against a fake Discord until the test
// ends.
func runCorpusGateway(t *testing.T, b *Bot) *discordtest.Server {
	t.Helper()
	fake := discordtest.New(t)
	g := NewGateway(b, GatewayOptions{Token: botToken, GuildID: corpusGuild, Client: fake.Client()})
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway Run = %v", err)
		}
	})
	select {
	case <-g.Ready():
	case err := <-done:
		done <- err
		t.Fatalf("Run returned before it was ready: %v", err)
	case <-testContext(t).Done():
		t.Fatal("the gateway did not get ready")
	}
	return fake
}

// member is a server member with the given permissions and roles.
func member(id, name string, perms int64, roles ...string) *discordgo.Member {
	return &discordgo.Member{User: &discordgo.User{ID: id, Username: name}, Permissions: perms, Roles: roles}
}

var (
	plainMember = member("1050000000000000042", "reader", memberPerms, memberRole)
	manager     = member("1050000000000000043", "manager", memberPerms|discordgo.PermissionManageGuild)
	admin       = member("1050000000000000044", "admin", memberPerms|discordgo.PermissionAdministrator)
	roleMod     = member("1050000000000000045", "mod", memberPerms, memberRole, modRole)
	// openedUp is a member a server admin let see /corpus (Integrations
	// settings): Discord delivers the command, with no permission or role
	// that makes them a moderator.
	openedUp = member("1050000000000000046", "opened", discordgo.PermissionUseSlashCommands)
)

// corpusCmd is a /corpus subcommand sent by m in the test server, or in a
// DM when m is nil.
func corpusCmd(m *discordgo.Member, sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	i := &discordgo.Interaction{
		Type:      discordgo.InteractionApplicationCommand,
		ChannelID: corpusChannel,
		Data: discordgo.ApplicationCommandInteractionData{Name: cmdCorpus, Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts},
		}},
	}
	if m == nil {
		i.User = &discordgo.User{ID: "1050000000000000047", Username: "stranger"}
		i.ChannelID = "1200000000000000500"
		return i
	}
	i.GuildID, i.Member = corpusGuild, m
	return i
}

// site is a news site on loopback whose pages the test can change, and
// whose next requests it can hold until it lets them go.
type site struct {
	srv *httptest.Server

	mu      sync.Mutex
	pages   map[string]string // path → body
	types   map[string]string // path → content type
	hold    chan struct{}     // when set, requests wait for it to close
	entered chan string       // receives the path of each held request
}

func newSite(t *testing.T) *site {
	s := &site{pages: map[string]string{}, types: map[string]string{}, entered: make(chan string, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, ok := s.pages[r.URL.Path]
		ct, hold := s.types[r.URL.Path], s.hold
		s.mu.Unlock()
		if hold != nil {
			s.entered <- r.URL.Path
			select {
			case <-hold:
			case <-r.Context().Done():
				return
			}
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ct)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) put(path, contentType, body string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path], s.types[path] = body, contentType
	return s.srv.URL + path
}

// holdNext makes the next requests wait until the returned func is called.
func (s *site) holdNext() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.hold = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.hold = nil
			s.mu.Unlock()
			close(ch)
		})
	}
}

func lighthousePage(extra string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Lighthouse keeper retires | Coast Gazette</title>
<meta property="og:site_name" content="Coast Gazette"></head><body><article><h1>Lighthouse keeper retires</h1>
<p>The last lighthouse keeper on the northern cape retired on Friday after forty-one years of tending the lamp through winter gales.</p>
<p>The coastguard said the lighthouse would now be run automatically from the mainland.</p>` + extra + `
</article></body></html>`
}

// auditLog is the library's audit log.
func auditLog(t *testing.T, l *index.Live) []corpus.AuditEntry {
	t.Helper()
	log, err := l.Store().AuditLog()
	if err != nil {
		t.Fatal(err)
	}
	return log
}

func lastAudit(t *testing.T, l *index.Live) corpus.AuditEntry {
	t.Helper()
	log := auditLog(t, l)
	if len(log) == 0 {
		t.Fatal("the audit log is empty")
	}
	return log[len(log)-1]
}

// editText is the visible text of an edit.
func editText(e *discordgo.WebhookEdit) string {
	var content string
	var embeds []*discordgo.MessageEmbed
	if e.Content != nil {
		content = *e.Content
	}
	if e.Embeds != nil {
		embeds = *e.Embeds
	}
	return messageText(content, embeds)
}

// waitEditContaining reads the edits of an interaction's message until one
// shows want, and returns the edits read.
func waitEditContaining(t *testing.T, ctx context.Context, fake *discordtest.Server, token, want string) []*discordgo.WebhookEdit {
	t.Helper()
	var edits []*discordgo.WebhookEdit
	for {
		e, err := fake.WaitEdit(ctx, token)
		if err != nil {
			var seenSoFar []string
			for _, e := range edits {
				seenSoFar = append(seenSoFar, seen(editText(e)))
			}
			t.Fatalf("no edit shows %q (%v); edits so far:\n%s", want, err, strings.Join(seenSoFar, "\n---\n"))
		}
		checkNoMentions(t, e.AllowedMentions)
		edits = append(edits, e)
		if strings.Contains(seen(editText(e)), want) {
			return edits
		}
	}
}

// dispatch sends i over the gateway and returns the interaction callback.
func dispatch(t *testing.T, ctx context.Context, fake *discordtest.Server, i *discordgo.Interaction) *discordgo.InteractionResponse {
	t.Helper()
	if err := fake.DispatchInteraction(ctx, i); err != nil {
		t.Fatal(err)
	}
	resp, err := fake.WaitResponse(ctx, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Data != nil && (resp.Type == discordgo.InteractionResponseChannelMessageWithSource) {
		checkNoMentions(t, resp.Data.AllowedMentions)
	}
	return resp
}

func isEphemeral(resp *discordgo.InteractionResponse) bool {
	return resp.Data != nil && resp.Data.Flags&discordgo.MessageFlagsEphemeral != 0
}

func TestCorpusAddFromALinkThenIssueQuotesIt(t *testing.T) {
	ctx := testContext(t)
	l := openLive(t)
	b, logs := newCorpusBot(t, l, CorpusOptions{})
	fake := runCorpusGateway(t, b)
	news := newSite(t)
	link := news.put("/news/lighthouse-keeper-retires", "text/html; charset=utf-8", lighthousePage(""))

	// The page waits until the test has seen the first progress edit.
	release := news.holdNext()
	defer release()
	i := corpusCmd(manager, "add", stringOpt(optURL, link))
	resp := dispatch(t, ctx, fake, i)
	if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || !isEphemeral(resp) {
		t.Fatalf("first response type %d, ephemeral %v; want an ephemeral deferral", resp.Type, isEphemeral(resp))
	}
	<-news.entered
	waitEditContaining(t, ctx, fake, i.Token, "Fetching "+link)
	release()

	entry := func() corpus.AuditEntry {
		t.Helper()
		edits := waitEditContaining(t, ctx, fake, i.Token, "Added")
		final := seen(editText(edits[len(edits)-1]))
		e := lastAudit(t, l)
		if !strings.Contains(final, e.Detail) {
			t.Errorf("the final edit does not carry the change summary %q:\n%s", e.Detail, final)
		}
		return e
	}()
	if entry.Who != "discord:"+manager.User.ID+" (manager)" || entry.Action != "add" || entry.Outcome != corpus.OutcomeOK || entry.Target != link {
		t.Errorf("audit entry = %+v, want an ok add of %s by discord:%s (manager)", entry, link, manager.User.ID)
	}
	if orig := fake.Original(i.Token); orig == nil || orig.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("the answer is not ephemeral: %+v", orig)
	}

	t.Run("/issue quotes the article", func(t *testing.T) {
		q := command(corpusGuild, "issue", stringOpt("topic", "lighthouse keeper"))
		resp := dispatch(t, ctx, fake, q)
		text := seen(responseText(resp.Data))
		if !strings.Contains(text, "The last lighthouse keeper on the northern cape retired") {
			t.Errorf("/issue lighthouse keeper does not quote the added article:\n%s", text)
		}
		if !strings.Contains(text, "Lighthouse keeper retires") || !strings.Contains(text, "Coast Gazette") {
			t.Errorf("the quote is not cited:\n%s", text)
		}
	})

	t.Run("adding the same link again is refused in a sentence", func(t *testing.T) {
		before := len(auditLog(t, l))
		again := corpusCmd(manager, "add", stringOpt(optURL, link))
		dispatch(t, ctx, fake, again)
		edits := waitEditContaining(t, ctx, fake, again.Token, "already in the corpus")
		if last := edits[len(edits)-1]; last.Content == nil || !strings.HasPrefix(*last.Content, "That article is already in the corpus") ||
			last.Embeds == nil || len(*last.Embeds) != 0 {
			t.Errorf("refusal = %q, want the one sentence", editText(last))
		}
		if got := auditLog(t, l); len(got) != before+1 || got[len(got)-1].Outcome != corpus.OutcomeRefused {
			t.Errorf("audit after a refused add: %+v", got[before:])
		}
	})

	if strings.Contains(logs.String(), "itoken-") {
		t.Errorf("an interaction token reached the log:\n%s", logs)
	}
}

func TestCorpusAddAnAttachedFile(t *testing.T) {
	ctx := testContext(t)
	l := openLive(t)
	cdn := newSite(t)
	const note = `---
title: Ferry timetable changes
publication: Island Post
byline: Sam Reed
published: 2025-01-10
---
The winter ferry timetable starts on Monday, with two crossings a day instead of four.

Islanders asked the council to keep the early crossing for schoolchildren.
`
	fileURL := cdn.put("/attachments/1187000000000000200/1320000000000009001/ferry-timetable.md", "text/markdown; charset=utf-8", note)
	b, _ := newCorpusBot(t, l, CorpusOptions{Client: cdn.srv.Client()})
	fake := runCorpusGateway(t, b)

	const attID = "1320000000000009001"
	i := corpusCmd(roleMod, "add", &discordgo.ApplicationCommandInteractionDataOption{
		Name: optFile, Type: discordgo.ApplicationCommandOptionAttachment, Value: attID})
	data := i.Data.(discordgo.ApplicationCommandInteractionData)
	data.Resolved = &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{
		attID: {ID: attID, Filename: "ferry-timetable.md", URL: fileURL, ProxyURL: fileURL,
			ContentType: "text/markdown; charset=utf-8", Size: len(note)},
	}}
	i.Data = data
	resp := dispatch(t, ctx, fake, i)
	if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("first response type %d, want a deferral", resp.Type)
	}
	waitEditContaining(t, ctx, fake, i.Token, "Added ferry-timetable (2 passages)")
	e := lastAudit(t, l)
	if e.Who != "discord:"+roleMod.User.ID+" (mod)" || e.Target != "ferry-timetable.md" || e.Outcome != corpus.OutcomeOK {
		t.Errorf("audit entry = %+v", e)
	}
	if _, ok := l.Document("ferry-timetable"); !ok {
		t.Fatal("the attached article is not served")
	}

	t.Run("/corpus list shows who added it and marks shipped ones", func(t *testing.T) {
		resp := dispatch(t, ctx, fake, corpusCmd(roleMod, "list"))
		if !isEphemeral(resp) {
			t.Error("the list is not ephemeral")
		}
		text := responseText(resp.Data)
		for _, want := range []string{"Ferry timetable changes", "added by <@" + roleMod.User.ID + ">", "<t:", "ap-iwaya-beijing", "shipped"} {
			if !strings.Contains(text, want) {
				t.Errorf("the list does not show %q:\n%s", want, text)
			}
		}
	})

	t.Run("a file of another type is refused before it is downloaded", func(t *testing.T) {
		j := corpusCmd(roleMod, "add", &discordgo.ApplicationCommandInteractionDataOption{
			Name: optFile, Type: discordgo.ApplicationCommandOptionAttachment, Value: "1320000000000009002"})
		d := j.Data.(discordgo.ApplicationCommandInteractionData)
		d.Resolved = &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{
			"1320000000000009002": {ID: "1320000000000009002", Filename: "scan.pdf", URL: cdn.srv.URL + "/attachments/x/scan.pdf",
				ContentType: "application/pdf", Size: 1000},
		}}
		j.Data = d
		release := cdn.holdNext() // a download would be seen here
		defer release()
		resp := dispatch(t, ctx, fake, j)
		want, _ := corpus.UserMessage(fetch.ErrFileType)
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Content != want || !isEphemeral(resp) {
			t.Errorf("a PDF got %d %+v, want the ephemeral sentence %q", resp.Type, resp.Data, want)
		}
		select {
		case p := <-cdn.entered:
			t.Errorf("the refused file was downloaded: %s", p)
		default:
		}
	})
}

func TestCorpusAnswersModeratorsOnly(t *testing.T) {
	l := openLive(t)
	b, _ := newCorpusBot(t, l, CorpusOptions{})
	e := corpusEndpoint(t, b)
	const target = "ap-iwaya-beijing-summary"

	refused := []struct {
		name string
		m    *discordgo.Member
		want error
	}{
		{"a plain member", plainMember, errNotModerator},
		{"a member a server admin opened the command to", openedUp, errNotModerator},
		{"anyone in a DM", nil, errGuildOnly},
	}
	for _, tc := range refused {
		t.Run(tc.name+" is refused and nothing changes", func(t *testing.T) {
			auditBefore := auditLog(t, l)
			listBefore, err := l.List()
			if err != nil {
				t.Fatal(err)
			}
			for _, sub := range []string{"remove", "refresh", "list", "topics", "add"} {
				var opts []*discordgo.ApplicationCommandInteractionDataOption
				switch sub {
				case "remove":
					opts = append(opts, stringOpt(optDocument, target))
				case "add":
					opts = append(opts, stringOpt(optURL, "https://example.com/news/story"))
				}
				resp := e.interact(t, payload(t, corpusCmd(tc.m, sub, opts...)))
				want, _ := corpus.UserMessage(tc.want)
				if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Content != want || !isEphemeral(resp) || len(resp.Data.Embeds) != 0 {
					t.Errorf("/corpus %s = %d %+v, want only the ephemeral sentence %q", sub, resp.Type, resp.Data, want)
				}
			}
			if got := auditLog(t, l); len(got) != len(auditBefore) {
				t.Errorf("a refusal was audited as a change: %+v", got[len(auditBefore):])
			}
			listAfter, err := l.List()
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(listAfter) != fmt.Sprint(listBefore) {
				t.Errorf("a refusal changed the corpus:\nbefore %+v\nafter  %+v", listBefore, listAfter)
			}
			if _, ok := l.Document(target); !ok {
				t.Errorf("%s is no longer served", target)
			}
		})
	}

	for _, tc := range []struct {
		name string
		m    *discordgo.Member
	}{
		{"a member with Manage Server", manager},
		{"an Administrator", admin},
		{"a member with a moderator role", roleMod},
	} {
		t.Run(tc.name+" may list the corpus", func(t *testing.T) {
			resp := e.interact(t, payload(t, corpusCmd(tc.m, "list")))
			if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || !isEphemeral(resp) ||
				!strings.Contains(responseText(resp.Data), "ap-iwaya-beijing") || resp.Data.Content != "" {
				t.Errorf("/corpus list = %d %+v", resp.Type, resp.Data)
			}
		})
	}

	t.Run("a member with a moderator role may remove a document", func(t *testing.T) {
		resp := e.interact(t, payload(t, corpusCmd(roleMod, "remove", stringOpt(optDocument, target))))
		if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || !isEphemeral(resp) {
			t.Fatalf("first response %d %+v, want an ephemeral deferral", resp.Type, resp.Data)
		}
		final := e.waitWebhookEdit(t, "Removed "+target)
		if !strings.Contains(final, "Removed "+target) {
			t.Errorf("final edit = %s", final)
		}
		if _, ok := l.Document(target); ok {
			t.Errorf("%s is still served", target)
		}
		if a := lastAudit(t, l); a.Who != "discord:"+roleMod.User.ID+" (mod)" || a.Action != "remove" || a.Target != target || a.Outcome != corpus.OutcomeOK {
			t.Errorf("audit entry = %+v", a)
		}
		list, _ := l.List()
		for _, en := range list {
			if en.ID == target && !en.Hidden {
				t.Errorf("%s is not hidden: %+v", target, en)
			}
		}
		resp = e.interact(t, payload(t, corpusCmd(roleMod, "list")))
		if text := responseText(resp.Data); !strings.Contains(text, "shipped, removed (hidden)") {
			t.Errorf("the list does not mark the removed shipped document:\n%s", text)
		}
	})
}

// corpusEndpoint serves the HTTP interactions endpoint for b, with its
// webhook edits going to a loopback server.
func corpusEndpoint(t *testing.T, b *Bot) *endpoint {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	calls := make(chan webhookCall, 64)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls <- webhookCall{r.Method, r.URL.EscapedPath(), body}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"1320000000000000999"}`)
	}))
	t.Cleanup(hook.Close)
	srv := NewHTTPServer(b, HTTPOptions{
		PublicKey: pub,
		Webhook:   &Webhook{Client: hook.Client(), BaseURL: hook.URL + "/api/v10"},
		Now:       func() time.Time { return now },
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Wait()
	})
	return &endpoint{srv: srv, url: ts.URL, c: ts.Client(), priv: priv, calls: calls}
}

// waitWebhookEdit reads webhook calls until an edit of the original
// response shows want, and returns that edit's text.
func (e *endpoint) waitWebhookEdit(t *testing.T, want string) string {
	t.Helper()
	ctx := testContext(t)
	var got []string
	for {
		select {
		case c := <-e.calls:
			if c.method != http.MethodPatch || !strings.HasSuffix(c.path, "/messages/@original") {
				continue
			}
			got = append(got, string(c.body))
			if !strings.Contains(string(c.body), `"allowed_mentions":{"parse":[]`) {
				t.Errorf("edit without allowed mentions none: %s", c.body)
			}
			var edit discordgo.WebhookEdit
			if err := json.Unmarshal(c.body, &edit); err != nil {
				t.Fatalf("decoding the edit %s: %v", c.body, err)
			}
			if text := seen(editText(&edit)); strings.Contains(text, want) {
				return text
			}
		case <-ctx.Done():
			t.Fatalf("no webhook edit shows %q; edits:\n%s", want, strings.Join(got, "\n"))
		}
	}
}

func TestCorpusRefreshOneAtATimeWithProgress(t *testing.T) {
	ctx := testContext(t)
	l := openLive(t)
	b, _ := newCorpusBot(t, l, CorpusOptions{})
	fake := runCorpusGateway(t, b)
	news := newSite(t)
	link := news.put("/news/lighthouse-keeper-retires", "text/html; charset=utf-8", lighthousePage(""))
	add := corpusCmd(admin, "add", stringOpt(optURL, link))
	dispatch(t, ctx, fake, add)
	waitEditContaining(t, ctx, fake, add.Token, "Added")

	// The site updates the article; the refresh fetches it, and waits there.
	news.put("/news/lighthouse-keeper-retires", "text/html; charset=utf-8",
		lighthousePage("<p>A museum will open in the keeper's cottage next spring.</p>"))
	release := news.holdNext()
	defer release()
	first := corpusCmd(manager, "refresh")
	resp := dispatch(t, ctx, fake, first)
	if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || !isEphemeral(resp) {
		t.Fatalf("first refresh: response %d, want an ephemeral deferral", resp.Type)
	}
	<-news.entered
	waitEditContaining(t, ctx, fake, first.Token, "Fetching")

	auditBefore := len(auditLog(t, l))
	second := dispatch(t, ctx, fake, corpusCmd(roleMod, "refresh"))
	want, _ := corpus.UserMessage(index.ErrBusy)
	if second.Type != discordgo.InteractionResponseChannelMessageWithSource || second.Data.Content != want || !isEphemeral(second) {
		t.Errorf("second refresh = %d %+v, want the ephemeral sentence %q", second.Type, second.Data, want)
	}
	if want != "A refresh is already running." {
		t.Errorf("ErrBusy says %q", want)
	}
	release()

	edits := waitEditContaining(t, ctx, fake, first.Token, "Changed lighthouse")
	final := seen(editText(edits[len(edits)-1]))
	log := auditLog(t, l)
	if len(log) != auditBefore+1 || log[len(log)-1].Action != "refresh" || log[len(log)-1].Outcome != corpus.OutcomeOK {
		t.Fatalf("audit after the refreshes: %+v", log[auditBefore:])
	}
	if d := log[len(log)-1].Detail; !strings.Contains(final, d) || !strings.Contains(d, "2 → 3 passages") {
		t.Errorf("the final edit %q does not carry the summary %q with passage counts", final, d)
	}
	if orig := fake.Original(first.Token); orig == nil || !strings.Contains(seen(messageText(orig.Content, orig.Embeds)), "Changed") {
		t.Errorf("the message does not end with the summary: %+v", orig)
	}

	q := dispatch(t, ctx, fake, command(corpusGuild, "issue", stringOpt("topic", "museum cottage")))
	if text := seen(responseText(q.Data)); !strings.Contains(text, "A museum will open in the keeper's cottage") {
		t.Errorf("/issue does not find the refreshed paragraph:\n%s", text)
	}
}

func TestCorpusRemoveAutocompleteOffersTitles(t *testing.T) {
	ctx := testContext(t)
	l := openLive(t)
	b, _ := newCorpusBot(t, l, CorpusOptions{})
	fake := runCorpusGateway(t, b)
	auto := func(m *discordgo.Member, input string) []*discordgo.ApplicationCommandOptionChoice {
		t.Helper()
		i := corpusCmd(m, "remove", &discordgo.ApplicationCommandInteractionDataOption{
			Name: optDocument, Type: discordgo.ApplicationCommandOptionString, Value: input, Focused: true})
		i.Type = discordgo.InteractionApplicationCommandAutocomplete
		resp := dispatch(t, ctx, fake, i)
		if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Fatalf("response type %d, want autocomplete results", resp.Type)
		}
		return resp.Data.Choices
	}
	docs := l.Documents()
	choices := auto(manager, "")
	if len(choices) != len(docs) {
		t.Errorf("%d choices for %d documents", len(choices), len(docs))
	}
	for _, d := range docs {
		found := false
		for _, c := range choices {
			if c.Value == d.ID && c.Name == truncate(d.Title, maxChoiceName) {
				found = true
			}
		}
		if !found {
			t.Errorf("no choice named %q with value %q among %+v", d.Title, d.ID, choices)
		}
	}
	if got := auto(manager, "summary"); len(got) != 1 || got[0].Value != "ap-iwaya-beijing-summary" {
		t.Errorf("choices for \"summary\" = %+v, want the summary only", got)
	}
	if got := auto(plainMember, ""); len(got) != 0 {
		t.Errorf("a plain member got choices: %+v", got)
	}
}

func TestCorpusTopicsShowsTheThesaurus(t *testing.T) {
	l := openLive(t)
	b, _ := newCorpusBot(t, l, CorpusOptions{})
	e := corpusEndpoint(t, b)
	resp := e.interact(t, payload(t, corpusCmd(admin, "topics")))
	text := seen(responseText(resp.Data))
	for _, want := range []string{"seafood ban — seafood, fish", "Fukushima", "topics · /issue"} {
		if !strings.Contains(text, want) {
			t.Errorf("/corpus topics does not show %q:\n%s", want, text)
		}
	}
	if !isEphemeral(resp) {
		t.Error("/corpus topics is not ephemeral")
	}
}

func TestCorpusCommandIsForModeratorsInServers(t *testing.T) {
	var c *discordgo.ApplicationCommand
	for _, cmd := range Commands() {
		if cmd.Name == cmdCorpus {
			c = cmd
		}
	}
	if c == nil {
		t.Fatal("no /corpus command")
	}
	if c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != discordgo.PermissionManageGuild {
		t.Errorf("default_member_permissions = %v, want Manage Server", c.DefaultMemberPermissions)
	}
	if c.DMPermission == nil || *c.DMPermission {
		t.Error("dm_permission is not false")
	}
	if c.Contexts == nil || len(*c.Contexts) != 1 || (*c.Contexts)[0] != discordgo.InteractionContextGuild {
		t.Errorf("contexts = %v, want the guild only", c.Contexts)
	}
	var subs []string
	for _, o := range c.Options {
		subs = append(subs, o.Name)
		for _, so := range o.Options {
			if so.Autocomplete != (o.Name == "remove" && so.Name == optDocument) {
				t.Errorf("/corpus %s %s: autocomplete = %v", o.Name, so.Name, so.Autocomplete)
			}
		}
	}
	if got := strings.Join(subs, " "); got != "add remove list refresh topics" {
		t.Errorf("subcommands = %q", got)
	}
}

func TestCorpusMessagesFitDiscordsLimits(t *testing.T) {
	long := strings.Repeat("a_very*long`title ", 40)
	var entries []index.Entry
	for i := range 400 {
		entries = append(entries, index.Entry{ID: fmt.Sprintf("doc-%03d-%s", i, strings.Repeat("x", 80)), Title: long,
			AddedBy: "discord:1050000000000000045 (mod)", AddedAt: time.Unix(1736500000, 0), Passages: i, Problem: "its stored file does not load"})
	}
	entries = append(entries, index.Entry{ID: "shipped-one", Title: "@everyone look", AddedBy: "shipped", Hidden: true})
	var changes []index.DocChange
	for i := range 300 {
		changes = append(changes, index.DocChange{ID: fmt.Sprintf("doc-%03d", i), Passages: 5, Before: 3})
	}
	th := &corpus.Thesaurus{}
	for i := range 200 {
		th.Topics = append(th.Topics, corpus.Topic{Label: fmt.Sprintf("topic %d %s", i, long[:90]), Phrases: strings.Fields(long)})
	}
	for _, tc := range []struct {
		name string
		m    Message
	}{
		{"a long list", renderCorpusList(entries)},
		{"an empty list", renderCorpusList(nil)},
		{"a large change", renderChange("/corpus refresh", index.Change{Changed: changes, Documents: 300, Passages: 1500}, "hint")},
		{"no change", renderChange("/corpus refresh", index.Change{}, "")},
		{"many topics", renderTopics(th)},
		{"no topics", renderTopics(nil)},
		{"fetching a long link", renderProgress("/corpus add", index.Progress{Phase: index.PhaseFetching, Source: "https://example.com/" + strings.Repeat("p", 5000)})},
		{"indexing", renderProgress("/corpus add", index.Progress{Phase: index.PhaseIndexing, Done: 5, Total: 10})},
		{"a refusal", errorMessage(errNotModerator.Error())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkLimits(tc.m); err != nil {
				t.Errorf("breaks Discord's limits: %v", err)
			}
			if d := tc.m.toDiscord(); d.AllowedMentions == nil || len(d.AllowedMentions.Parse) != 0 {
				t.Errorf("allowed mentions = %+v", d.AllowedMentions)
			}
			if !tc.m.Ephemeral {
				t.Error("not ephemeral")
			}
		})
	}
	list := renderCorpusList(entries).Embeds[0]
	if !strings.Contains(list.Description, "more.") || !strings.Contains(list.Footer, "401 documents") {
		t.Errorf("a long list does not say what it left out: …%s / %s", list.Description[len(list.Description)-40:], list.Footer)
	}
	if strings.Contains(list.Description, "@everyone") {
		t.Error("a title's @everyone is not neutralised")
	}
}

func TestDocumentChoicesTellSharedTitlesApart(t *testing.T) {
	docs := []*corpus.Document{
		{ID: "a-story", Title: "Ministers meet"},
		{ID: "b-story", Title: "Ministers meet"},
		{ID: "c-story", Title: ""},
		{ID: "d-" + strings.Repeat("x", 120), Title: "Too long an ID"},
	}
	got := documentChoices(docs, "")
	want := []Choice{{"Ministers meet (a-story)", "a-story"}, {"Ministers meet (b-story)", "b-story"}, {"c-story", "c-story"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("documentChoices = %v, want %v", got, want)
	}
	if err := checkChoices(got); err != nil {
		t.Error(err)
	}
}

// progressRecorder is a Responder that records progress edits.
type progressRecorder struct {
	Responder
	edits chan string
}

func (p *progressRecorder) Progress(_ context.Context, m Message) error {
	p.edits <- m.Embeds[0].Description
	return nil
}

func TestProgressEditsAreThrottled(t *testing.T) {
	ctx := testContext(t)
	rec := &progressRecorder{edits: make(chan string, 100)}
	b := New(Options{Corpus: CorpusOptions{ProgressEvery: time.Hour}})
	p := b.startProgress(ctx, Request{}, rec, "/corpus refresh")
	p.report(index.Progress{Phase: index.PhaseFetching, Source: "https://example.com/a", Done: 0, Total: 3})
	if got := <-rec.edits; got != "Fetching 1 of 3: https://example.com/a…" {
		t.Errorf("first edit = %q", got)
	}
	// Within the hour nothing more is shown, however much is reported: a
	// new phase waits a quarter of it, more of the same phase all of it.
	for i := range 1000 {
		p.report(index.Progress{Phase: index.PhaseFetching, Source: "https://example.com/b", Done: 1, Total: 3})
		p.report(index.Progress{Phase: index.PhaseIndexing, Done: i, Total: 1000})
	}
	p.report(index.Progress{Phase: index.PhaseDone, Change: &index.Change{}})
	p.stop()
	p.stop() // idempotent
	if n := len(rec.edits); n != 0 {
		t.Errorf("%d more edits within the interval, want none", n)
	}

	b = New(Options{Corpus: CorpusOptions{ProgressEvery: time.Millisecond}})
	p = b.startProgress(ctx, Request{}, rec, "/corpus add")
	defer p.stop()
	p.report(index.Progress{Phase: index.PhaseFetching, Source: "https://example.com/a", Total: 1})
	<-rec.edits
	p.report(index.Progress{Phase: index.PhaseIndexing, Done: 7, Total: 9})
	for {
		select {
		case got := <-rec.edits:
			if got == "Indexing: 7 of 9 passages…" {
				return
			}
		case <-ctx.Done():
			t.Fatal("the new phase was never shown")
		}
	}
}

func TestAttachmentDownloadsAreCappedAndExplained(t *testing.T) {
	ctx := testContext(t)
	cdn := newSite(t)
	big := cdn.put("/attachments/1/2/big.txt", "text/plain", strings.Repeat("word ", fetch.MaxBytes/5+1))
	small := cdn.put("/attachments/1/3/ok.txt", "text/plain", "A short article.\n")
	b := New(Options{Corpus: CorpusOptions{Client: cdn.srv.Client()}})
	for _, tc := range []struct {
		name, url string
		want      string // the sentence, or "" for success
	}{
		{"a file over the cap, whatever Discord said of its size", big, "That file is larger than 5 MiB, so it was not added."},
		{"a file the CDN no longer has", cdn.srv.URL + "/attachments/1/4/gone.txt?ex=signed", msgDownload},
		{"an attachment without a web address", "attachment://x.txt", msgDownload},
		{"a small file", small, ""},
	} {
		data, err := b.download(ctx, Attachment{Filename: "x.txt", URL: tc.url, Size: 10})
		msg, _ := corpus.UserMessage(err)
		switch {
		case tc.want == "" && (err != nil || string(data) != "A short article.\n"):
			t.Errorf("%s: download = %q, %v", tc.name, data, err)
		case tc.want != "" && msg != tc.want:
			t.Errorf("%s: error %v, want the sentence %q", tc.name, err, tc.want)
		case err != nil && strings.Contains(err.Error(), "ex=signed"):
			t.Errorf("%s: the error names the signed URL: %v", tc.name, err)
		}
	}
}
