package bot

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Outcomes of an interaction, the values of the outcome label.
const (
	outcomeOK          = "ok"
	outcomeUserError   = "user_error"     // refused with a sentence: bad input, a button gone, not loaded yet
	outcomeInternal    = "internal_error" // our fault: logged with its chain; includes timeouts
	outcomeRateLimited = "rate_limited"
)

// Reasons the HTTP endpoint refuses a request, the values of the reason
// label.
const (
	rejectUnsigned     = "unsigned"
	rejectContentType  = "content_type"
	rejectTooLarge     = "too_large"
	rejectUnreadable   = "unreadable"
	rejectStale        = "stale"
	rejectSignature    = "bad_signature"
	rejectReplay       = "replay"
	rejectMalformed    = "malformed"
	rejectIncomplete   = "incomplete"
	rejectShuttingDown = "shutting_down"
)

// Metrics are visitbot's Prometheus metrics, in a registry of their own (the
// process's default registry is never touched, so tests and several bots in
// one process do not collide). A nil *Metrics records nothing.
//
//	visitbot_interactions_total{kind,command,outcome}        counter
//	visitbot_interaction_duration_seconds{kind,command}      histogram, until done (follow-ups included)
//	visitbot_interactions_in_flight                          gauge
//	visitbot_interactions_deferred_total{kind,command}       counter: acknowledged by the responder itself
//	visitbot_handler_late_results_total                      counter: handlers that returned after their deadline
//	visitbot_http_rejected_total{reason}                     counter: requests refused before the router
//	visitbot_index_passages                                  gauge, read from the index at scrape time
//	visitbot_index_rebuild_duration_seconds                  histogram, successful or not
//	visitbot_index_rebuild_failures_total                    counter
//	visitbot_index_last_rebuild_success_timestamp_seconds    gauge
//
// kind is command, autocomplete, button or unknown; command is the command
// name (or button action) when the bot has a route for it, else "unknown",
// so no request can add label values.
type Metrics struct {
	reg          *prometheus.Registry
	interactions *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	inFlight     prometheus.Gauge
	deferred     *prometheus.CounterVec
	late         prometheus.Counter
	rejected     *prometheus.CounterVec
	rebuildTime  prometheus.Histogram
	rebuildFails prometheus.Counter
	lastRebuild  prometheus.Gauge
	indexSize    atomic.Pointer[func() int]
}

// NewMetrics returns metrics registered in a new registry, along with the
// Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		interactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "visitbot_interactions_total",
			Help: "Interactions handled, by kind, command and outcome (ok, user_error, internal_error, rate_limited).",
		}, []string{"kind", "command", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "visitbot_interaction_duration_seconds",
			Help:    "Time from receiving an interaction to finishing it, follow-ups included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5, 10, 15},
		}, []string{"kind", "command"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "visitbot_interactions_in_flight",
			Help: "Interactions being handled now.",
		}),
		deferred: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "visitbot_interactions_deferred_total",
			Help: "Interactions the responder acknowledged itself because the handler was slower than the defer budget.",
		}, []string{"kind", "command"}),
		late: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "visitbot_handler_late_results_total",
			Help: "Handlers that returned after their deadline; their results were logged and dropped.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "visitbot_http_rejected_total",
			Help: "Requests to the interactions endpoint refused before reaching the router, by reason.",
		}, []string{"reason"}),
		rebuildTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "visitbot_index_rebuild_duration_seconds",
			Help:    "Time to build an index and swap it in, failed builds included.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 12), // 50 ms to about 100 s
		}),
		rebuildFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "visitbot_index_rebuild_failures_total",
			Help: "Index builds that failed (the previous index kept serving).",
		}),
		lastRebuild: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "visitbot_index_last_rebuild_success_timestamp_seconds",
			Help: "When an index build last succeeded, in Unix seconds.",
		}),
	}
	size := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "visitbot_index_passages",
		Help: "Passages in the index being served (0 before it is loaded).",
	}, func() float64 {
		if f := m.indexSize.Load(); f != nil {
			return float64((*f)())
		}
		return 0
	})
	m.reg.MustRegister(m.interactions, m.duration, m.inFlight, m.deferred, m.late, m.rejected,
		m.rebuildTime, m.rebuildFails, m.lastRebuild, size,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{rejectUnsigned, rejectContentType, rejectTooLarge, rejectUnreadable, rejectStale,
		rejectSignature, rejectReplay, rejectMalformed, rejectIncomplete, rejectShuttingDown} {
		m.rejected.WithLabelValues(r)
	}
	return m
}

// Registry is where the metrics are registered; callers may add their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{MaxRequestsInFlight: 4, Timeout: 5 * time.Second})
}

// IndexSize sets the callback visitbot_index_passages reads at scrape
// time. New sets one that asks the bot's current searcher; cmd may replace
// it.
func (m *Metrics) IndexSize(f func() int) {
	if m != nil && f != nil {
		m.indexSize.Store(&f)
	}
}

// ObserveRebuild records one index build: how long it took, and whether it
// failed. The index side calls it after each rebuild (index.Live), and cmd
// after the build at start.
func (m *Metrics) ObserveRebuild(d time.Duration, err error) {
	if m == nil {
		return
	}
	m.rebuildTime.Observe(d.Seconds())
	if err != nil {
		m.rebuildFails.Inc()
		return
	}
	m.lastRebuild.SetToCurrentTime()
}

// seed creates the series of every known command with zero counts, so
// dashboards and rate() see them before the first request.
func (m *Metrics) seed(kind string, commands []string) {
	if m == nil {
		return
	}
	for _, c := range commands {
		m.duration.WithLabelValues(kind, c)
		for _, o := range []string{outcomeOK, outcomeUserError, outcomeInternal, outcomeRateLimited} {
			m.interactions.WithLabelValues(kind, c, o)
		}
	}
}

func (m *Metrics) begin() {
	if m != nil {
		m.inFlight.Inc()
	}
}

// done records one finished interaction.
func (m *Metrics) done(kind, command, outcome string, took time.Duration, deferred bool) {
	if m == nil {
		return
	}
	m.interactions.WithLabelValues(kind, command, outcome).Inc()
	m.duration.WithLabelValues(kind, command).Observe(took.Seconds())
	if deferred {
		m.deferred.WithLabelValues(kind, command).Inc()
	}
	// Last, so a scrape that sees nothing in flight sees every count.
	m.inFlight.Dec()
}

func (m *Metrics) lateResult() {
	if m != nil {
		m.late.Inc()
	}
}

func (m *Metrics) reject(reason string) {
	if m != nil {
		m.rejected.WithLabelValues(reason).Inc()
	}
}
