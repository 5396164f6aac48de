package gateway

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Detect-mode work that finds the queue full is shed visibly: every drop
// counted, and a log line (not one per drop) saying how many.
func TestShedIsVisible(t *testing.T) {
	var logged strings.Builder
	g := &Gateway{metrics: NewMetrics(prometheus.NewRegistry()), log: slog.New(slog.NewTextHandler(&logged, nil))}
	w := &workers{g: g, jobs: make(chan *exchange)} // no room, nobody reading
	for range 50 {
		w.submit(&exchange{})
	}
	if got := testutil.ToFloat64(g.metrics.Dropped.WithLabelValues("scan")); got != 50 {
		t.Errorf("dropped counter = %v, want 50", got)
	}
	lines := strings.Count(logged.String(), "detect-mode work shed")
	if lines != 1 || !strings.Contains(logged.String(), "shed=1") {
		t.Errorf("log = %q; want one line, for the first drop", logged.String())
	}
	// The next line, once shedLogEvery has passed, counts the drops since.
	w.lastLog.Store(w.lastLog.Load() - int64(shedLogEvery))
	w.submit(&exchange{})
	if !strings.Contains(logged.String(), "shed=50") {
		t.Errorf("log = %q; want a second line counting 50 shed since the first", logged.String())
	}
}
