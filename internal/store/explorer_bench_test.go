package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

// BenchmarkExplorer seeds interaction records (100,000 by default;
// WARDEN_BENCH_INTERACTIONS=10000000 for the figure) over 30 days,
// 200 users, 12 apps, 3 subscriptions, and times the activity explorer's
// first page for the filters people use, reporting the p95.
func BenchmarkExplorer(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("WARDEN_BENCH_INTERACTIONS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	end := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	span := 30 * 24 * time.Hour
	start := time.Now()
	batch := make([]interaction.Record, 0, 5000)
	for i := range n {
		rec := interaction.Record{ID: fmt.Sprintf("i%09d", i), At: end.Add(-time.Duration(r.Int64N(int64(span)))),
			Subscription: fmt.Sprintf("sub-%d", r.IntN(3)), Application: fmt.Sprintf("app-%02d", r.IntN(12)),
			User: fmt.Sprintf("user-%03d", r.IntN(200)), UserContext: r.IntN(4) != 0, Verdict: "allow", API: "openai.chat", Route: "openai"}
		if r.IntN(20) == 0 {
			rec.Verdict, rec.FindingTypes, rec.SensitiveTypes = "flag", []string{"sensitive_data_in_prompt"}, map[string]int{"credit_card": 1}
		}
		batch = append(batch, rec)
		if len(batch) == cap(batch) || i == n-1 {
			if err := s.RecordInteractions(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.Logf("seeded %d interactions in %s", n, time.Since(start).Round(time.Second))
	filters := []interaction.Filter{
		{Limit: 100},
		{User: "user-042", Limit: 100},
		{Application: "app-07", Limit: 100},
		{Subscriptions: []string{"sub-1"}, Limit: 100},
		{SensitiveType: "credit_card", Limit: 100},
		{From: end.Add(-7 * 24 * time.Hour), To: end.Add(-6 * 24 * time.Hour), Limit: 100},
		{User: "user-007", From: end.Add(-3 * 24 * time.Hour), Limit: 100},
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		if _, _, err := s.Interactions(ctx, filters[i%len(filters)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}
