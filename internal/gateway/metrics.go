package gateway

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the gateway's Prometheus metrics. They live in a registry the
// caller owns, not the global one, so tests and several gateways in one
// process do not collide.
type Metrics struct {
	Requests        *prometheus.CounterVec
	UpstreamLatency *prometheus.HistogramVec
	ScanLatency     *prometheus.HistogramVec
	Findings        *prometheus.CounterVec
	Interactions    *prometheus.CounterVec
	Dropped         *prometheus.CounterVec
	Failed          *prometheus.CounterVec
	Blocked         *prometheus.CounterVec
	Skipped         *prometheus.CounterVec
	Redacted        *prometheus.CounterVec
	Unscanned       *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_requests_total", Help: "Requests served, by route style and HTTP status.",
		}, []string{"route", "status"}),
		UpstreamLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warden_upstream_latency_seconds",
			Help:    "Time from forwarding a request to the upstream's response headers.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 18),
		}, []string{"route"}),
		ScanLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warden_scan_duration_seconds",
			Help:    "Time spent in the scan pipeline, by stage (prompt, response, stream, async).",
			Buckets: prometheus.ExponentialBuckets(0.000005, 2.5, 14),
		}, []string{"stage"}),
		Findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_findings_total", Help: "Findings raised, by category.",
		}, []string{"category"}),
		Interactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_interactions_total", Help: "Inference requests per subscription, and whether they were scanned.",
		}, []string{"subscription", "scanned"}),
		Dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_work_dropped_total", Help: "Work dropped because a queue was full or input was unreadable.",
		}, []string{"queue"}),
		Failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_work_failed_total", Help: "Work that failed (alert writes, detector errors, unparsable upstream replies).",
		}, []string{"queue"}),
		Blocked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_blocked_total", Help: "Requests and streams blocked, by side (prompt, response).",
		}, []string{"side"}),
		Skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_skipped_content_total", Help: "Non-text content (image, audio, file) present in requests and not scanned.",
		}, []string{"kind"}),
		Redacted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_redacted_values_total", Help: "Values replaced by placeholders (redact and continue), by side (prompt, response).",
		}, []string{"side"}),
	}
	m.Unscanned = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "warden_unscanned_requests_total", Help: "Requests for provider APIs Warden forwards without scanning (files, images, audio, ...), by route.",
	}, []string{"route"})
	reg.MustRegister(m.Requests, m.UpstreamLatency, m.ScanLatency, m.Findings, m.Interactions, m.Dropped, m.Failed, m.Blocked, m.Skipped, m.Redacted, m.Unscanned)
	return m
}
