package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultWebhookBase is Discord's API, where interaction webhooks live.
const DefaultWebhookBase = "https://discord.com/api/v10"

// Webhook edits interaction responses and sends follow-ups through the
// interaction webhook, which needs no bot token: the interaction token in
// the path is the credential. The HTTP endpoint uses it after a deferral.
type Webhook struct {
	Client  *http.Client // nil means a client with a 10 s timeout
	BaseURL string       // "" means DefaultWebhookBase; tests use a loopback server
}

var defaultWebhookClient = &http.Client{Timeout: 10 * time.Second}

// EditOriginal replaces the original response of an interaction:
// PATCH /webhooks/{application}/{token}/messages/@original.
func (w *Webhook) EditOriginal(ctx context.Context, appID, token string, body any) error {
	return w.send(ctx, http.MethodPatch, appID, token, "/messages/@original", body)
}

// Followup sends a follow-up message: POST /webhooks/{application}/{token}.
func (w *Webhook) Followup(ctx context.Context, appID, token string, body any) error {
	return w.send(ctx, http.MethodPost, appID, token, "", body)
}

func (w *Webhook) send(ctx context.Context, method, appID, token, suffix string, body any) error {
	if appID == "" || token == "" {
		return errors.New("bot: webhook: interaction without application ID or token")
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("bot: webhook %s: encode: %w", method, err)
	}
	base := strings.TrimRight(w.BaseURL, "/")
	if base == "" {
		base = DefaultWebhookBase
	}
	u := base + "/webhooks/" + url.PathEscape(appID) + "/" + url.PathEscape(token) + suffix
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("bot: webhook %s: %w", method, scrub(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "visitbot (https://github.com/bwmarrin/discordgo)")
	c := w.Client
	if c == nil {
		c = defaultWebhookClient
	}
	resp, err := c.Do(req)
	if err != nil {
		// The error names the URL, which holds the token: scrub it.
		return fmt.Errorf("bot: webhook %s: %w", method, scrub(err))
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("bot: webhook %s: discord answered %s: %s", method, resp.Status, truncate(strings.TrimSpace(string(msg)), 300))
	}
	return nil
}
