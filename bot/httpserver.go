package bot

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Limits of the HTTP interactions endpoint.
const (
	maxBody     = 1 << 20         // bytes; Discord's payloads are far smaller
	maxAge      = 5 * time.Minute // a signed request older than this is a replay
	maxAhead    = time.Minute     // allowance for clock skew
	shutdownFor = 10 * time.Second
)

// HTTPOptions configure the HTTP interactions endpoint.
type HTTPOptions struct {
	PublicKey ed25519.PublicKey // the application's public key (DISCORD_PUBLIC_KEY)
	Webhook   *Webhook          // for edits after a deferral; nil means Discord's
	Now       func() time.Time  // nil means time.Now
}

// HTTPServer is Discord's HTTP interactions endpoint:
//
//	POST /interactions  signed interactions (Ed25519 over timestamp+body)
//	GET  /healthz       200 "ok" once the index is loaded, else 503
//	GET  /metrics       Prometheus metrics, when the bot has Metrics
//
// It answers each interaction's first response in the HTTP reply (the
// responder defers it in time when the handler is slow) and anything later
// through the interaction webhook, so it needs no bot token.
//
// A request is refused before it reaches the router when it is not JSON,
// too large, unsigned, signed by another key, signed too long ago (or too
// far ahead), or an exact replay of one already accepted (see replays.go).
type HTTPServer struct {
	bot  *Bot
	key  ed25519.PublicKey
	hook *Webhook
	now  func() time.Time
	mux  *http.ServeMux

	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup // handlers, which may outlive their HTTP request

	seen *replays
}

// NewHTTPServer returns the endpoint for b.
func NewHTTPServer(b *Bot, o HTTPOptions) *HTTPServer {
	s := &HTTPServer{bot: b, key: o.PublicKey, hook: o.Webhook, now: o.Now, mux: http.NewServeMux(), seen: newReplays(maxReplays)}
	if s.hook == nil {
		s.hook = &Webhook{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.mux.HandleFunc("POST /interactions", s.interactions)
	s.mux.HandleFunc("GET /healthz", s.healthz)
	if b.metrics != nil {
		s.mux.Handle("GET /metrics", b.metrics.Handler())
	}
	return s
}

// ServeHTTP routes a request.
func (s *HTTPServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Serve answers on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets requests in progress finish, and waits for the
// handlers still working on follow-ups.
func (s *HTTPServer) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.bot.log.InfoContext(ctx, "interactions endpoint listening", "addr", ln.Addr().String())
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownFor)
		err = srv.Shutdown(sctx)
		cancel()
		<-errc
	}
	s.Wait()
	s.bot.log.InfoContext(ctx, "interactions endpoint closed")
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("bot: serve %s: %w", ln.Addr(), err)
	}
	return nil
}

// Wait stops admitting interactions and waits for the handlers in flight.
// Serve calls it; tests that use the server as an http.Handler call it
// themselves.
func (s *HTTPServer) Wait() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.inflight.Wait()
}

func (s *HTTPServer) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.inflight.Add(1)
	return true
}

// healthz says whether to send this replica traffic: not before the index
// is open, and not once it has stopped admitting interactions.
func (s *HTTPServer) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "shutting down\n")
		return
	}
	if !s.bot.Ready() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "loading\n")
		return
	}
	io.WriteString(w, "ok\n")
}

func (s *HTTPServer) interactions(w http.ResponseWriter, r *http.Request) {
	m := s.bot.metrics
	refuse := func(reason, msg string, status int) {
		m.reject(reason)
		http.Error(w, msg, status)
	}
	sig, ts := r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp")
	if sig == "" || ts == "" {
		refuse(rejectUnsigned, "missing signature", http.StatusUnauthorized)
		return
	}
	// Discord sends JSON; a request without a type is read as JSON too.
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			refuse(rejectContentType, "want application/json", http.StatusUnsupportedMediaType)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			refuse(rejectTooLarge, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		refuse(rejectUnreadable, "cannot read body", http.StatusBadRequest)
		return
	}
	signedAt, fresh := s.fresh(ts)
	switch {
	case !fresh:
		refuse(rejectStale, "invalid request signature", http.StatusUnauthorized)
		return
	case !s.verify(sig, ts, body):
		refuse(rejectSignature, "invalid request signature", http.StatusUnauthorized)
		return
	case !s.seen.first(mustHex(sig), signedAt.Add(maxAge), s.now()):
		refuse(rejectReplay, "replayed request", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		refuse(rejectMalformed, "malformed interaction", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		writeResponse(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	if i.ID == "" || i.Token == "" || i.AppID == "" {
		refuse(rejectIncomplete, "interaction without id, token or application id", http.StatusBadRequest)
		return
	}
	if !s.enter() {
		refuse(rejectShuttingDown, "shutting down", http.StatusServiceUnavailable)
		return
	}
	t := &httpTransport{
		first:  make(chan firstResponse),
		gone:   r.Context().Done(),
		hook:   s.hook,
		appID:  i.AppID,
		token:  i.Token,
		served: make(chan struct{}),
	}
	go func() {
		defer s.inflight.Done()
		defer close(t.served)
		// The handler may outlive this request (after a deferral); it is
		// bounded by the bot's handler timeout, not by the request.
		s.bot.serve(context.WithoutCancel(r.Context()), &i, t)
	}()
	select {
	case f := <-t.first:
		f.written <- writeResponse(w, f.resp)
	case <-t.served:
		// The router always answers unless the answer could not be
		// built, which it has logged.
		http.Error(w, "no response", http.StatusInternalServerError)
	case <-r.Context().Done():
	}
}

// fresh reads the signed timestamp and reports whether it is recent: not
// older than maxAge, not more than maxAhead in the future.
func (s *HTTPServer) fresh(ts string) (time.Time, bool) {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	at := time.Unix(sec, 0)
	age := s.now().Sub(at)
	return at, age <= maxAge && age >= -maxAhead
}

// mustHex decodes a signature verify has accepted.
func mustHex(sig string) []byte {
	raw, _ := hex.DecodeString(sig)
	return raw
}

// verify checks the Ed25519 signature over timestamp+body.
func (s *HTTPServer) verify(sig, ts string, body []byte) bool {
	raw, err := hex.DecodeString(sig)
	if err != nil || len(raw) != ed25519.SignatureSize || len(s.key) != ed25519.PublicKeySize {
		return false
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	return ed25519.Verify(s.key, msg, raw)
}

func writeResponse(w http.ResponseWriter, resp *discordgo.InteractionResponse) error {
	b, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, "cannot encode response", http.StatusInternalServerError)
		return fmt.Errorf("bot: encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("bot: write response: %w", err)
	}
	// Send it now: a webhook edit must not reach Discord before it.
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("bot: flush response: %w", err)
	}
	return nil
}

// firstResponse hands the interaction's callback to the HTTP handler, which
// reports on written whether it reached the wire.
type firstResponse struct {
	resp    *discordgo.InteractionResponse
	written chan error
}

// httpTransport answers one interaction of the HTTP endpoint: the callback
// is the HTTP reply, the rest goes through the webhook.
type httpTransport struct {
	first  chan firstResponse
	gone   <-chan struct{} // the HTTP request is over
	served chan struct{}   // closed when the handler is done
	hook   *Webhook
	appID  string
	token  string
}

var errRequestGone = errors.New("bot: the HTTP request ended before the first response")

func (t *httpTransport) respond(ctx context.Context, resp *discordgo.InteractionResponse) error {
	f := firstResponse{resp: resp, written: make(chan error, 1)}
	select {
	case t.first <- f:
	case <-t.gone:
		return errRequestGone
	case <-ctx.Done():
		return ctx.Err()
	}
	// Wait until the reply is written, so that an edit cannot overtake it.
	select {
	case err := <-f.written:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *httpTransport) editOriginal(ctx context.Context, e *discordgo.WebhookEdit) error {
	return t.hook.EditOriginal(ctx, t.appID, t.token, e)
}

func (t *httpTransport) followup(ctx context.Context, p *discordgo.WebhookParams) error {
	return t.hook.Followup(ctx, t.appID, t.token, p)
}
