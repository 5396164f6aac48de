package api

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// BenchmarkAlertQueue times the console's heaviest reads over 10,000
// alerts: the queue's first page with its total, unfiltered and filtered
// by user (a scan of the alerts' bodies), and the dashboard of a day,
// reporting each one's p95.
func BenchmarkAlertQueue(b *testing.B) {
	f := newFixture(b)
	for i := 0; i < 10_000; i += 1000 {
		seedAlertsFrom(b, f, i, 1000)
	}
	for _, q := range []string{"/api/alerts?limit=100", "/api/alerts?limit=100&user=u1", "/api/alerts?limit=100&request_id=req-5000", "/api/dashboard"} {
		b.Run(q, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				req := httptest.NewRequest("GET", q, nil)
				req.RemoteAddr = "10.0.0.9:1234"
				req.Header.Set("Authorization", "Bearer owner-token-0123456789")
				w := httptest.NewRecorder()
				start := time.Now()
				f.h.ServeHTTP(w, req)
				lat = append(lat, time.Since(start))
				if w.Code != 200 {
					b.Fatalf("%s: %d %s", q, w.Code, w.Body)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
