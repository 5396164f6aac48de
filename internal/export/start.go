package export

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/store"
)

// Position names a sink's position in the outbox: "sink:" and its
// configured name.
func Position(name string) string { return "sink:" + name }

// Runner runs background loops until shutdown and waits for them
// (supervise.Group).
type Runner interface {
	Go(name string, fn func(ctx context.Context))
}

// Store is the outbox the dispatchers read and the sink states metrics
// report.
type Store interface {
	Outbox
	SinkStates(ctx context.Context, positions []string) ([]store.SinkState, error)
}

// Start builds every configured sink and runs one dispatcher per sink in
// r. It returns, for readiness, when each sink last dead-lettered an event.
// A sink that cannot be built fails the whole start: none is left out.
func Start(r Runner, sinks []config.Sink, st Store, reg prometheus.Registerer, env Env) (func() map[string]time.Time, error) {
	var mu sync.Mutex
	deadAt := map[string]time.Time{}
	deadSince := func() map[string]time.Time {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(deadAt)
	}
	if len(sinks) == 0 {
		return deadSince, nil
	}
	built := make([]Sink, len(sinks))
	for i, k := range sinks {
		s, err := New(k, env)
		if err != nil {
			return nil, err
		}
		built[i] = s
	}
	delivered := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warden_export_delivered_total", Help: "Alerts delivered, per sink."}, []string{"sink"})
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warden_export_failures_total", Help: "Failed delivery attempts, per sink (retried)."}, []string{"sink"})
	dead := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warden_export_dead_letters_total", Help: "Events set aside, per sink: refused for good or failed too often in a row."}, []string{"sink"})
	// Pending and dead letters per sink are read from the store when
	// scraped, once for every sink (sink names come from configuration,
	// not from clients).
	reg.MustRegister(delivered, failures, dead, &sinkStates{st: st, sinks: sinks})
	for i, k := range sinks {
		name := k.Name
		d := &Dispatcher{Name: Position(name), Sink: built[i], Outbox: st, Log: env.Log,
			Filter:    Filter{MinSeverity: scan.Severity(k.MinSeverity), Subscriptions: k.Subscriptions, Types: k.Types},
			Delivered: func(n int) { delivered.WithLabelValues(name).Add(float64(n)) },
			Failed:    func(error) { failures.WithLabelValues(name).Inc() },
			DeadLettered: func() {
				dead.WithLabelValues(name).Inc()
				mu.Lock()
				deadAt[name] = time.Now()
				mu.Unlock()
			}}
		r.Go("export:"+name, d.Run)
	}
	return deadSince, nil
}

var (
	pendingDesc = prometheus.NewDesc("warden_export_pending", "Outbox events not yet delivered, per sink.", []string{"sink"}, nil)
	deadDesc    = prometheus.NewDesc("warden_export_dead_letters", "Dead letters held, per sink.", []string{"sink"}, nil)
)

// sinkStates reports each sink's pending events and dead letters from one
// read of the store per scrape.
type sinkStates struct {
	st    Store
	sinks []config.Sink
}

// Describe implements prometheus.Collector.
func (c *sinkStates) Describe(ch chan<- *prometheus.Desc) { ch <- pendingDesc; ch <- deadDesc }

// Collect implements prometheus.Collector. A sink the store cannot report
// on reads 0, as a scrape must not fail.
func (c *sinkStates) Collect(ch chan<- prometheus.Metric) {
	pos := make([]string, len(c.sinks))
	for i, k := range c.sinks {
		pos[i] = Position(k.Name)
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
