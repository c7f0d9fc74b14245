package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"visitbot/bot"
)

// startOps serves GET /metrics and GET /healthz on addr for visitbot run,
// which has no HTTP server of its own, until the returned stop is called.
// It listens before it returns, so a bad address fails start-up.
func startOps(ctx context.Context, addr string, b *bot.Bot, m *bot.Metrics, log *slog.Logger) (stop func() error, err error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("run: listen for metrics on %s: %w", addr, err)
	}
	if h := hooksFrom(ctx).metrics; h != nil {
		h(ln.Addr())
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !b.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "loading\n")
			return
		}
		io.WriteString(w, "ok\n")
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      10 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.InfoContext(ctx, "metrics listening", "addr", ln.Addr().String())
	return func() error {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return err
	}, nil
}
