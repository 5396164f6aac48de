package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/journal"
	"github.com/wardenhq/warden/internal/scan"
)

// BenchmarkStoreAndDeliver: 20,000 alerts, one per call as blocked
// requests record them, from 64 goroutines through the journal into the
// store, and from the store's outbox to an HTTP receiver on loopback (JSON
// batches). It reports alerts a second stored, and stored and delivered.
func BenchmarkStoreAndDeliver(b *testing.B) {
	const n, writers = 20000, 64
	var storedRate, deliveredRate float64
	for b.Loop() {
		st := openStore(b)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		j := journal.New(st, nil, nil, log)
		ctx, cancel := context.WithCancel(context.Background())
		go j.Run(ctx)
		var got atomic.Int64
		// The receiver shares the two cores: it counts the events in a
		// batch without decoding it, to leave them to Warden.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got.Add(int64(bytes.Count(b, []byte(`"event_id":`))))
		}))
		d := &Dispatcher{Name: "http", Sink: &HTTP{URL: srv.URL, Format: "json"}, Outbox: st, Log: log}
		go d.Run(ctx)
		start := time.Now()
		var wg sync.WaitGroup
		var next atomic.Int64
		for range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1)
					if i > n {
						return
					}
					a := alert.Alert{ID: fmt.Sprintf("b-%d", i), Type: alert.JailbreakDetected.Type, Severity: scan.SeverityMedium,
						Subscription: "s", Resource: "r", Action: alert.ActionBlocked, Confidence: 0.9, Count: 1,
						FirstSeen: start, LastSeen: start, Fingerprint: fmt.Sprintf("f-%d", i),
						Entities: []alert.Entity{{Kind: "user", ID: fmt.Sprintf("user-%d", i)}}}
					if err := j.RecordAlerts(ctx, []alert.Alert{a}); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		stored := time.Since(start)
		for got.Load() < n {
			time.Sleep(time.Millisecond)
		}
		delivered := time.Since(start)
		cancel()
		srv.Close()
		storedRate += n / stored.Seconds()
		deliveredRate += n / delivered.Seconds()
	}
	b.ReportMetric(storedRate/float64(b.N), "stored/s")
	b.ReportMetric(deliveredRate/float64(b.N), "delivered/s")
}
