package cli

import (
	"context"
	"log/slog"
	"maps"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden/internal/api"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/export"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/store"
)

// startExport runs one dispatcher per configured sink until ctx ends. It
// returns when each sink last dead-lettered an event, for readiness.
func startExport(ctx context.Context, cfg *config.Config, st *store.Store, reg prometheus.Registerer, log *slog.Logger) (func() map[string]time.Time, error) {
	var mu sync.Mutex
	deadAt := map[string]time.Time{}
	deadSince := func() map[string]time.Time {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(deadAt)
	}
	delivered := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warden_export_delivered_total", Help: "Alerts delivered, per sink."}, []string{"sink"})
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warden_export_failures_total", Help: "Failed delivery attempts, per sink (retried)."}, []string{"sink"})
	dead := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warden_export_dead_letters_total", Help: "Events set aside, per sink: refused for good or failed too often in a row."}, []string{"sink"})
	if len(cfg.Export.Sinks) > 0 {
		reg.MustRegister(delivered, failures, dead)
	}
	// Pending and dead letters per sink are read from the store when
	// scraped, once for every sink (sink names come from configuration,
	// not from clients).
	if len(cfg.Export.Sinks) > 0 {
		reg.MustRegister(&sinkStates{st: st, sinks: cfg.Export.Sinks})
	}
	for _, k := range cfg.Export.Sinks {
		sink, err := newSink(k, log)
		if err != nil {
			return nil, err
		}
		name := k.Name
		d := &export.Dispatcher{Name: sinkPosition(name), Sink: sink, Outbox: st, Log: log,
			Filter:    export.Filter{MinSeverity: scan.Severity(k.MinSeverity), Subscriptions: k.Subscriptions, Types: k.Types},
			Delivered: func(n int) { delivered.WithLabelValues(name).Add(float64(n)) },
			Failed:    func(error) { failures.WithLabelValues(name).Inc() },
			DeadLettered: func() {
				dead.WithLabelValues(name).Inc()
				mu.Lock()
				deadAt[name] = time.Now()
				mu.Unlock()
			}}
		go d.Run(ctx)
	}
	return deadSince, nil
}

// sinkPosition names a sink's position in the outbox.
func sinkPosition(name string) string { return api.SinkPosition(name) }

// stdoutSink is where a stdout sink writes (the process's standard output).
var stdoutSink = os.Stdout

func newSink(k config.Sink, log *slog.Logger) (export.Sink, error) {
	switch k.Type {
	case "file":
		return export.NewFileWriter(k.Path)
	case "stdout":
		return &export.Writer{W: stdoutSink}, nil
	case "http":
		return &export.HTTP{URL: k.URL, Format: k.Format, Headers: k.Headers}, nil
	case "webhook":
		return &export.Webhook{URL: k.URL, Secret: []byte(k.Secret)}, nil
	case "splunk":
		return &export.SplunkHEC{URL: k.URL, Token: k.Token, Index: k.Index}, nil
	case "elastic":
		return &export.Elastic{URL: k.URL, Index: k.Index, APIKey: k.Token}, nil
	case "sentinel":
		tok := k.Token
		token := func(context.Context) (string, error) { return tok, nil }
		if k.ClientID != "" {
			token = export.EntraToken(k.TenantID, k.ClientID, k.ClientSecret, k.TokenURL)
		}
		return &export.SentinelSink{Endpoint: k.URL, RuleID: k.DCR, Stream: k.Stream, Token: token}, nil
	case "syslog":
		return &export.Syslog{Network: k.Network, Addr: k.Address}, nil
	case "nats":
		return &export.NATS{URL: k.URL, Subject: k.Subject, Log: log}, nil
	}
	return nil, nil
}

var (
	pendingDesc = prometheus.NewDesc("warden_export_pending", "Outbox events not yet delivered, per sink.", []string{"sink"}, nil)
	deadDesc    = prometheus.NewDesc("warden_export_dead_letters", "Dead letters held, per sink.", []string{"sink"}, nil)
)

// sinkStates reports each sink's pending events and dead letters from one
// read of the store per scrape.
type sinkStates struct {
	st    *store.Store
	sinks []config.Sink
}

// Describe implements prometheus.Collector.
func (c *sinkStates) Describe(ch chan<- *prometheus.Desc) { ch <- pendingDesc; ch <- deadDesc }

// Collect implements prometheus.Collector. A sink the store cannot report
// on reads 0, as a scrape must not fail.
func (c *sinkStates) Collect(ch chan<- prometheus.Metric) {
	pos := make([]string, len(c.sinks))
	for i, k := range c.sinks {
		pos[i] = sinkPosition(k.Name)
	}
	states, err := c.st.SinkStates(context.Background(), pos)
	for i, k := range c.sinks {
		var s store.SinkState
		if err == nil && i < len(states) {
			s = states[i]
		}
		ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(s.Pending), k.Name)
		ch <- prometheus.MustNewConstMetric(deadDesc, prometheus.GaugeValue, float64(s.DeadLetters), k.Name)
	}
}
