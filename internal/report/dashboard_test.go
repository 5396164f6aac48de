package report

import (
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/traffic"
)

// TestDashboard: traffic minutes add up across replicas' rows and fall
// into hourly points (with empty hours present); detection latency is
// read from the histogram; alerts are counted by severity, type, resource
// and user.
func TestDashboard(t *testing.T) {
	since := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	until := since.Add(3 * time.Hour)
	lat := func(fast, slow int64) (h [traffic.Buckets]int64) { h[1], h[6] = fast, slow; return }
	ms := []traffic.Minute{
		{At: since.Add(5 * time.Minute), Subscription: "a", Requests: 10, Scanned: 9, Blocked: 1, Latency: lat(9, 0)},
		{At: since.Add(5 * time.Minute), Subscription: "b", Requests: 5, Scanned: 5, Latency: lat(4, 1)},
		{At: since.Add(2*time.Hour + time.Minute), Subscription: "a", Requests: 6, Scanned: 6, Blocked: 2, Latency: lat(6, 0)},
	}
	user := func(u string) []alert.Entity { return []alert.Entity{{Kind: "user", ID: u}} }
	as := []alert.Alert{
		{Type: "jailbreak", Severity: scan.SeverityHigh, Subscription: "a", Resource: "gpt", Entities: user("mallory"), LastSeen: since.Add(10 * time.Minute)},
		{Type: "jailbreak", Severity: scan.SeverityHigh, Subscription: "a", Resource: "gpt", Entities: user("mallory"), LastSeen: since.Add(2 * time.Hour)},
		{Type: "sensitive_data", Severity: scan.SeverityLow, Subscription: "b", Resource: "chat", Entities: user("alice"), LastSeen: since.Add(2 * time.Hour)},
	}
	// The clock's times are local; the store's are UTC: points must
	// match whatever the location.
	d := BuildDashboard(ms, as, since.In(time.FixedZone("here", 0)), until)
	if d.Requests != 21 || d.Scanned != 20 || d.Blocked != 3 {
		t.Errorf("totals %d/%d/%d, want 21 requests, 20 scanned, 3 blocked", d.Requests, d.Scanned, d.Blocked)
	}
	if d.Latency.P50 != 2 || d.Latency.P99 != 100 {
		t.Errorf("latency %+v, want p50 in the 2 ms bucket and p99 in the 100 ms one (1 slow of 20)", d.Latency)
	}
	if len(d.Traffic) != 3 || d.Traffic[0].Scanned != 14 || d.Traffic[1].Scanned != 0 || d.Traffic[2].Blocked != 2 {
		t.Errorf("traffic %+v, want three hours: 14 scanned, none, 2 blocked", d.Traffic)
	}
	s := d.Alerts
	if s.Total != 3 || s.BySeverity["high"] != 2 || s.ByType[0].Key != "jailbreak" || s.TopResources[0].Key != "a/gpt" ||
		s.TopUsers[0] != (Row{Key: "mallory", Count: 2}) || len(s.OverTime) != 3 || s.OverTime[2].Counts["low"] != 1 {
		t.Errorf("alerts %+v", s)
	}
	if d := BuildDashboard(nil, nil, since, since.Add(7*24*time.Hour)); d.Step != "day" || len(d.Traffic) != 7 {
		t.Errorf("a week: step %s, %d points; want days, 7", d.Step, len(d.Traffic))
	}
}
