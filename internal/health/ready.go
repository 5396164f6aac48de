// Package health answers /readyz with the truth about a replica: not
// ready while it shuts down, while its store cannot be written, while
// alerts wait in the spool, or while a sink dead-letters.
package health

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Readiness answers /readyz with the truth: not ready while shutting down,
// while the store cannot be written (a locked or full database answers
// reads), while alerts wait in the spool, or while a sink is
// dead-lettering. The body names every failing check; the gauge
// warden_unready{check} says the same to monitoring.
type Readiness struct {
	Draining *atomic.Bool
	// write rewrites a row in the store (store.CheckWrite).
	Write func(context.Context) error
	// journal reports the journal's last store write, and its spool.
	Journal interface {
		Health() (bool, string)
		Spooled() (int64, int)
	}
	// deadSince reports when each sink last dead-lettered an event.
	DeadSince func() map[string]time.Time

	Unready *prometheus.GaugeVec
	// One write probe at a time: on a locked database it waits out the
	// busy timeout, and probes must not pile up behind it.
	probing atomic.Bool
}

// deadLetterWindow is how long after a dead letter a sink keeps the
// gateway unready.
const deadLetterWindow = 5 * time.Minute

// probeWait is how long a readiness request waits for the write probe.
const probeWait = 2 * time.Second

func (rd *Readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rd.Draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	failing := rd.checks(r.Context())
	for _, c := range []string{"store_write", "journal", "spool"} {
		rd.Unready.WithLabelValues(c).Set(0)
	}
	for c := range rd.DeadSince() {
		rd.Unready.WithLabelValues("sink:" + c).Set(0)
	}
	if len(failing) == 0 {
		io.WriteString(w, "ready\n")
		return
	}
	var b strings.Builder
	for _, f := range failing {
		rd.Unready.WithLabelValues(f[0]).Set(1)
		fmt.Fprintf(&b, "%s: %s\n", f[0], f[1])
	}
	http.Error(w, strings.TrimSuffix(b.String(), "\n"), http.StatusServiceUnavailable)
}

// checks returns the failing checks as (name, reason) pairs.
func (rd *Readiness) checks(ctx context.Context) [][2]string {
	var out [][2]string
	if err := rd.probe(ctx); err != nil {
		out = append(out, [2]string{"store_write", err.Error()})
	}
	if ok, reason := rd.Journal.Health(); !ok {
		out = append(out, [2]string{"journal", "the last alert write failed (" + reason + "); alerts go to the spool"})
	}
	if b, n := rd.Journal.Spooled(); n > 0 {
		out = append(out, [2]string{"spool", fmt.Sprintf("%d alert batches (%d bytes) wait in the spool for the store", n, b)})
	}
	for sink, at := range rd.DeadSince() {
		if time.Since(at) < deadLetterWindow {
			out = append(out, [2]string{"sink:" + sink, fmt.Sprintf("dead-lettered an event %s ago", time.Since(at).Round(time.Second))})
		}
	}
	return out
}

// probe runs the write probe, waiting at most probeWait; a probe still
// running from an earlier request counts as a failure.
func (rd *Readiness) probe(ctx context.Context) error {
	if !rd.probing.CompareAndSwap(false, true) {
		return fmt.Errorf("an earlier write to the store has not finished")
	}
	done := make(chan error, 1)
	go func() {
		defer rd.probing.Store(false)
		done <- rd.Write(context.Background())
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(probeWait):
		return fmt.Errorf("a write to the store did not finish within %s", probeWait)
	case <-ctx.Done():
		return ctx.Err()
	}
}
