package export

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkOutboxToHTTP stores alerts (with their outbox rows, in batches
// of 100 as the gateway's workers write them) while a dispatcher delivers
// them as OCSF to a local HTTP receiver: alerts/s from the first write to
// the last acknowledgement, nothing lost.
func BenchmarkOutboxToHTTP(b *testing.B) {
	const n = 20_000
	for b.Loop() {
		b.StopTimer()
		st := openStore(b)
		var got atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var docs []json.RawMessage
			json.NewDecoder(r.Body).Decode(&docs)
			got.Add(int64(len(docs)))
		}))
		ctx, cancel := context.WithCancel(context.Background())
		d := &Dispatcher{Name: "http", Sink: &HTTP{URL: srv.URL}, Outbox: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Poll: time.Millisecond, Batch: 1000}
		b.StartTimer()
		start := time.Now()
		go d.Run(ctx)
		record(b, st, 0, n)
		for got.Load() < n {
			time.Sleep(time.Millisecond)
		}
		el := time.Since(start)
		b.StopTimer()
		cancel()
		srv.Close()
		if got.Load() != n {
			b.Fatalf("%d delivered, want %d", got.Load(), n)
		}
		b.ReportMetric(float64(n)/el.Seconds(), "alerts/s")
		b.StartTimer()
	}
}
