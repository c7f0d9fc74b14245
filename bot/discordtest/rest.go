package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// hostHeader carries the host a rewritten request was meant for.
const hostHeader = "X-Discordtest-Host"

// rewriteTransport sends requests for Discord's hosts to the fake.
type rewriteTransport struct {
	s    *Server
	base http.RoundTripper
}

func (rt *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	if !isDiscordHost(host) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		rt.s.reportf("discordtest: unexpected request to non-Discord host: %s %s", req.Method, req.URL.Redacted())
		return nil, fmt.Errorf("discordtest: request to non-Discord host %q refused", host)
	}
	r2 := req.Clone(req.Context())
	r2.URL.Scheme = "http"
	r2.URL.Host = rt.s.srv.Listener.Addr().String()
	r2.Host = ""
	r2.Header.Set(hostHeader, host)
	return rt.base.RoundTrip(r2)
}

func isDiscordHost(host string) bool {
	for _, d := range []string{"discord.com", "discordapp.com", "discordapp.net", "discord.gg", "discord.media"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// reportf reports a test failure unless the server is already closed (the
// test may be over by then, and failing it would panic).
func (s *Server) reportf(format string, args ...any) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if !closed {
		s.t.Errorf(format, args...)
	}
}

type params map[string]string

type route struct {
	method  string
	pattern []string // segments after /api/v9/; "{x}" matches any non-empty segment
	handle  func(w http.ResponseWriter, r *http.Request, p params)
}

func (s *Server) routes() []route {
	r := func(method, pattern string, h func(http.ResponseWriter, *http.Request, params)) route {
		return route{method, strings.Split(pattern, "/"), h}
	}
	return []route{
		r("GET", "gateway", s.getGateway),
		r("GET", "gateway/bot", s.getGateway),
		r("GET", "users/@me", s.getMe),
		r("PUT", "applications/{app}/commands", s.putCommands),
		r("GET", "applications/{app}/commands", s.getCommands),
		r("PUT", "applications/{app}/guilds/{guild}/commands", s.putCommands),
		r("GET", "applications/{app}/guilds/{guild}/commands", s.getCommands),
		r("POST", "interactions/{id}/{token}/callback", s.postCallback),
		r("GET", "webhooks/{app}/{token}/messages/@original", s.getOriginal),
		r("PATCH", "webhooks/{app}/{token}/messages/@original", s.patchOriginal),
		r("DELETE", "webhooks/{app}/{token}/messages/@original", s.deleteOriginal),
		r("POST", "webhooks/{app}/{token}", s.postFollowup),
	}
}

func (rt route) match(method string, segs []string) (params, bool) {
	if method != rt.method || len(segs) != len(rt.pattern) {
		return nil, false
	}
	p := params{}
	for i, want := range rt.pattern {
		if strings.HasPrefix(want, "{") {
			if segs[i] == "" {
				return nil, false
			}
			p[strings.Trim(want, "{}")] = segs[i]
		} else if segs[i] != want {
			return nil, false
		}
	}
	return p, true
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) && r.URL.Path == "/" {
		s.serveGateway(w, r)
		return
	}
	host := r.Header.Get(hostHeader)
	apiHost := host == "" || host == "discord.com" || host == "discordapp.com"
	call := r.Method + " " + r.URL.EscapedPath()
	if !apiHost {
		call = r.Method + " https://" + host + r.URL.EscapedPath()
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()

	if rest, ok := strings.CutPrefix(r.URL.Path, s.api+"/"); ok && apiHost {
		segs := strings.Split(rest, "/")
		for _, rt := range s.routes() {
			if p, ok := rt.match(r.Method, segs); ok {
				if app, ok := p["app"]; ok && app != AppID {
					s.fail(w, r, http.StatusNotFound, 10002, "Unknown Application",
						"application ID %q is not the fake's AppID %q", app, AppID)
					return
				}
				rt.handle(w, r, p)
				return
			}
		}
	}
	s.reportf("discordtest: unexpected Discord API call %s", call)
	writeJSON(w, http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0})
}

// fail answers like Discord does when the client broke the protocol, and
// reports it as a test failure.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status, code int, message, detail string, args ...any) {
	s.reportf("discordtest: %s %s: %s (Discord answers %d %q)",
		r.Method, r.URL.EscapedPath(), fmt.Sprintf(detail, args...), status, message)
	writeJSON(w, status, map[string]any{"message": message, "code": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func botUser() *discordgo.User {
	return &discordgo.User{ID: AppID, Username: BotName, Discriminator: "0", Bot: true}
}

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request, _ params) {
	writeJSON(w, http.StatusOK, map[string]any{
		"url":    s.wsURL,
		"shards": 1,
		"session_start_limit": map[string]int{
			"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1,
		},
	})
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, _ params) {
	writeJSON(w, http.StatusOK, botUser())
}

func (s *Server) putCommands(w http.ResponseWriter, r *http.Request, p params) {
	body, _, err := readBody(r)
	var cmds []*discordgo.ApplicationCommand
	if err == nil {
		err = json.Unmarshal(body, &cmds)
	}
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, 50109, "The request body contains invalid JSON.", "%v", err)
		return
	}
	if problems := validateCommands(cmds); len(problems) > 0 {
		s.fail(w, r, http.StatusBadRequest, 50035, "Invalid Form Body",
			"invalid commands: %s", strings.Join(problems, "; "))
		return
	}
	guild := p["guild"]
	s.mu.Lock()
	prev := map[string]string{}
	for _, c := range s.registered[guild] {
		prev[fmt.Sprint(c.Type, "/", c.Name)] = c.ID
	}
	version := s.newIDLocked()
	for _, c := range cmds {
		if c.Type == 0 {
			c.Type = discordgo.ChatApplicationCommand
		}
		// Like Discord, a bulk overwrite keeps the ID of a command whose
		// name and type did not change.
		if id := prev[fmt.Sprint(c.Type, "/", c.Name)]; id != "" {
			c.ID = id
		} else {
			c.ID = s.newIDLocked()
		}
		c.ApplicationID = AppID
		c.GuildID = guild
		c.Version = version
	}
	if cmds == nil {
		cmds = []*discordgo.ApplicationCommand{}
	}
	s.registered[guild] = cmds
	s.cmdGuild, s.cmdLast = guild, cmds
	s.broadcastLocked()
	out, err := json.Marshal(cmds)
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

func (s *Server) getCommands(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	cmds := s.registered[p["guild"]]
	if cmds == nil {
		cmds = []*discordgo.ApplicationCommand{}
	}
	out, err := json.Marshal(cmds)
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

func (s *Server) postCallback(w http.ResponseWriter, r *http.Request, p params) {
	body, files, err := readBody(r)
	var resp *discordgo.InteractionResponse
	if err == nil {
		resp, err = decodeResponse(body, files)
	}
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, 50109, "The request body contains invalid JSON.", "%v", err)
		return
	}

	s.mu.Lock()
	rec := s.byID[p["id"]]
	var (
		status, code int
		msg, problem string
	)
	switch {
	case rec == nil || rec.token != p["token"]:
		status, code, msg = http.StatusNotFound, 10062, "Unknown interaction"
		problem = "callback for an interaction that was not dispatched (or with another token)"
	case rec.response != nil:
		status, code, msg = http.StatusBadRequest, 40060, "Interaction has already been acknowledged."
		problem = "second callback for the interaction"
	default:
		status, code, msg = http.StatusBadRequest, 50035, "Invalid Form Body"
		problem = checkResponseType(rec.i.Type, resp.Type)
	}
	if problem != "" {
		s.mu.Unlock()
		s.fail(w, r, status, code, msg, "%s", problem)
		return
	}

	rec.response = resp
	switch resp.Type {
	case discordgo.InteractionResponseChannelMessageWithSource:
		rec.original = s.newMessageLocked(rec)
		applyResponseData(rec.original, resp.Data)
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		rec.original = s.newMessageLocked(rec)
		rec.original.Flags = discordgo.MessageFlagsLoading
		if resp.Data != nil {
			rec.original.Flags |= resp.Data.Flags & discordgo.MessageFlagsEphemeral
		}
	case discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage:
		if rec.i.Message != nil {
			rec.original = cloneMessage(rec.i.Message)
		} else {
			rec.original = s.newMessageLocked(rec)
		}
		if resp.Type == discordgo.InteractionResponseUpdateMessage {
			applyResponseData(rec.original, resp.Data)
		}
	}
	s.broadcastLocked()
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// checkResponseType applies Discord's rules on which callback types fit
// which interaction types.
func checkResponseType(it discordgo.InteractionType, rt discordgo.InteractionResponseType) string {
	bad := func() string {
		return fmt.Sprintf("response type %d is not valid for a %v interaction", rt, it)
	}
	switch {
	case rt < discordgo.InteractionResponsePong || rt > discordgo.InteractionResponseModal || rt == 2 || rt == 3:
		return bad()
	case it == discordgo.InteractionPing && rt != discordgo.InteractionResponsePong,
		it != discordgo.InteractionPing && rt == discordgo.InteractionResponsePong:
		return bad()
	case it == discordgo.InteractionApplicationCommandAutocomplete && rt != discordgo.InteractionApplicationCommandAutocompleteResult,
		it != discordgo.InteractionApplicationCommandAutocomplete && rt == discordgo.InteractionApplicationCommandAutocompleteResult:
		return bad()
	case (rt == discordgo.InteractionResponseDeferredMessageUpdate || rt == discordgo.InteractionResponseUpdateMessage) &&
		it != discordgo.InteractionMessageComponent && it != discordgo.InteractionModalSubmit:
		return bad()
	case rt == discordgo.InteractionResponseModal && it == discordgo.InteractionModalSubmit:
		return bad()
	}
	return ""
}

func (s *Server) newMessageLocked(rec *interaction) *discordgo.Message {
	typ := discordgo.MessageTypeDefault
	if rec.i.Type == discordgo.InteractionApplicationCommand {
		typ = discordgo.MessageTypeChatInputCommand
	}
	return &discordgo.Message{
		ID:         s.newIDLocked(),
		ChannelID:  rec.i.ChannelID,
		GuildID:    rec.i.GuildID,
		Author:     botUser(),
		Timestamp:  time.Now().UTC(),
		Type:       typ,
		WebhookID:  AppID,
		Components: []discordgo.MessageComponent{},
		Embeds:     []*discordgo.MessageEmbed{},
	}
}

func applyResponseData(m *discordgo.Message, d *discordgo.InteractionResponseData) {
	if d == nil {
		return
	}
	m.Content = d.Content
	m.TTS = d.TTS
	if d.Components != nil {
		m.Components = d.Components
	}
	if d.Embeds != nil {
		m.Embeds = d.Embeds
	}
	m.Flags = d.Flags
}

// webhookInteraction finds the interaction behind a webhook token and its
// original message, failing the request like Discord if there is none.
func (s *Server) webhookInteraction(w http.ResponseWriter, r *http.Request, p params, needOriginal bool) *interaction {
	s.mu.Lock()
	rec := s.byToken[p["token"]]
	var problem string
	code, msg := 10015, "Unknown Webhook"
	switch {
	case rec == nil:
		problem = "no interaction was dispatched with this token"
	case rec.response == nil:
		problem = "the interaction has not been acknowledged (no callback yet)"
	case needOriginal && rec.original == nil:
		problem = "the interaction has no original response message (none created, or deleted)"
		code, msg = 10008, "Unknown Message"
	}
	s.mu.Unlock()
	if problem != "" {
		s.fail(w, r, http.StatusNotFound, code, msg, "%s", problem)
		return nil
	}
	return rec
}

func (s *Server) getOriginal(w http.ResponseWriter, r *http.Request, p params) {
	rec := s.webhookInteraction(w, r, p, true)
	if rec == nil {
		return
	}
	s.mu.Lock()
	out, err := marshalMessage(rec.original)
	s.mu.Unlock()
	writeRaw(w, out, err)
}

// decodeWebhook reads a webhook request's body with decode and finds its
// interaction; on failure it has answered as Discord would and ok is false.
func decodeWebhook[T any](s *Server, w http.ResponseWriter, r *http.Request, p params, needOriginal bool,
	decode func([]byte, []*discordgo.File) (T, error)) (v T, rec *interaction, ok bool) {
	body, files, err := readBody(r)
	if err == nil {
		v, err = decode(body, files)
	}
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, 50109, "The request body contains invalid JSON.", "%v", err)
		return v, nil, false
	}
	rec = s.webhookInteraction(w, r, p, needOriginal)
	return v, rec, rec != nil
}

func (s *Server) patchOriginal(w http.ResponseWriter, r *http.Request, p params) {
	edit, rec, ok := decodeWebhook(s, w, r, p, true, decodeEdit)
	if !ok {
		return
	}
	s.mu.Lock()
	m := rec.original
	if m == nil { // deleted concurrently
		s.mu.Unlock()
		s.fail(w, r, http.StatusNotFound, 10008, "Unknown Message", "the original response was deleted")
		return
	}
	if edit.Content != nil {
		m.Content = *edit.Content
	}
	if edit.Components != nil {
		m.Components = *edit.Components
	}
	if edit.Embeds != nil {
		m.Embeds = *edit.Embeds
	}
	if edit.Attachments != nil {
		m.Attachments = *edit.Attachments
	}
	if m.Flags&discordgo.MessageFlagsLoading != 0 {
		m.Flags &^= discordgo.MessageFlagsLoading // the deferred "thinking" message gets its content
	} else {
		now := time.Now().UTC()
		m.EditedTimestamp = &now
	}
	rec.edits = append(rec.edits, edit)
	s.broadcastLocked()
	out, err := marshalMessage(m)
	s.mu.Unlock()
	writeRaw(w, out, err)
}

func (s *Server) deleteOriginal(w http.ResponseWriter, r *http.Request, p params) {
	rec := s.webhookInteraction(w, r, p, true)
	if rec == nil {
		return
	}
	s.mu.Lock()
	rec.original = nil
	s.broadcastLocked()
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) postFollowup(w http.ResponseWriter, r *http.Request, p params) {
	fp, rec, ok := decodeWebhook(s, w, r, p, false, decodeParams)
	if !ok {
		return
	}
	s.mu.Lock()
	m := s.newMessageLocked(rec)
	m.Content, m.TTS, m.Flags = fp.Content, fp.TTS, fp.Flags
	if fp.Components != nil {
		m.Components = fp.Components
	}
	if fp.Embeds != nil {
		m.Embeds = fp.Embeds
	}
	rec.followups = append(rec.followups, fp)
	s.broadcastLocked()
	out, err := marshalMessage(m)
	s.mu.Unlock()
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeRaw(w, out, err)
}

func writeRaw(w http.ResponseWriter, b []byte, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
