package api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/traffic"
)

// seedAlerts records n alerts in subscriptions a and b, users u0..u2,
// apps app0/app1, with request ids req-<i>, one a minute back from now.
func seedAlerts(t *testing.T, f *apiFixture, n int) { seedAlertsFrom(t, f, 0, n) }

// seedAlertsFrom records alerts first..first+n-1 as seedAlerts describes.
func seedAlertsFrom(t testing.TB, f *apiFixture, first, n int) {
	t.Helper()
	now := time.Now().UTC()
	var as []alert.Alert
	for i := first; i < first+n; i++ {
		sub := []string{"a", "b"}[i%2]
		as = append(as, alert.Alert{ID: fmt.Sprintf("al-%03d", i), Type: []string{"Warden.AI.Jailbreak", "Warden.AI.DataLeak"}[i%2],
			Severity: []scan.Severity{scan.SeverityHigh, scan.SeverityLow}[i%2], Subscription: sub, Resource: "gpt-" + sub,
			Action: "blocked", Confidence: 0.9, FirstSeen: now.Add(-time.Duration(i) * time.Minute), LastSeen: now.Add(-time.Duration(i) * time.Minute),
			Fingerprint: fmt.Sprintf("fp-%d", i), RequestID: fmt.Sprintf("req-%d", i), Count: 1,
			Entities: []alert.Entity{{Kind: "user", ID: fmt.Sprintf("u%d", i%3), Attrs: map[string]string{"auth": "header"}}, {Kind: "application", ID: fmt.Sprintf("app%d", i%2)}}})
	}
	if err := f.st.RecordAlerts(context.Background(), as); err != nil {
		t.Fatal(err)
	}
}

// TestAlertQueue: the queue's filters and pivots, with the total; the
// exact match on users and request ids (u1 is not u10, req-1 not req-12).
func TestAlertQueue(t *testing.T) {
	f := newFixture(t)
	seedAlerts(t, f, 30)
	const owner, contrib = "owner-token-0123456789", "contrib-token-0123456789"
	cases := []struct {
		query string
		token string
		want  int
	}{
		{"", owner, 30},
		{"?severity=high", owner, 15},
		{"?user=u1", owner, 10},
		{"?user=u1&app=app1", owner, 5},
		{"?request_id=req-1", owner, 1},
		{"?resource=gpt-b", owner, 15},
		{"?status=new", owner, 30},
		{"?type=Warden.AI.Jailbreak&user=u0", owner, 5},
		{"", contrib, 15}, // reaches a only
		{"?since=" + time.Now().Add(-10*time.Minute).UTC().Format(time.RFC3339), owner, 10},
	}
	for _, c := range cases {
		status, body := f.do(t, "GET", "/api/alerts"+c.query+func() string {
			if strings.Contains(c.query, "?") {
				return "&limit=5"
			}
			return "?limit=5"
		}(), c.token, "10.0.0.9:1234", "test", "")
		got, _ := body["total"].(float64)
		if status != 200 || int(got) != c.want || len(body["alerts"].([]any)) != min(5, c.want) {
			t.Errorf("%q: %d total %v (%d on the page), want %d", c.query, status, body["total"], len(body["alerts"].([]any)), c.want)
		}
	}
}

// TestBulkTriageAndActivity: many alerts resolved at once (one out of
// reach reported, not changed), each with a comment and a history entry
// naming who changed what.
func TestBulkTriageAndActivity(t *testing.T) {
	f := newFixture(t)
	seedAlerts(t, f, 4)
	const contrib = "contrib-token-0123456789" // reaches a: al-000, al-002
	status, body := f.do(t, "POST", "/api/alerts/bulk", contrib, "10.0.0.9:1234", "test",
		`{"ids":["al-000","al-002","al-001"],"status":"resolved","classification":"true_positive","comment":"handled in INC-7"}`)
	upd, _ := body["updated"].([]any)
	failed, _ := body["failed"].(map[string]any)
	if status != 200 || len(upd) != 2 || failed["al-001"] == nil {
		t.Fatalf("bulk: %d %v, want two updated and al-001 (subscription b) refused", status, body)
	}
	status, act := f.do(t, "GET", "/api/alerts/al-002/activity", contrib, "10.0.0.9:1234", "test", "")
	cs, _ := act["comments"].([]any)
	hist, _ := act["history"].([]any)
	if status != 200 || len(cs) != 1 || len(hist) != 1 || !strings.Contains(mustJSON(hist), `status \"new\" → \"resolved\"`) || !strings.Contains(mustJSON(hist), "carl") {
		t.Errorf("activity: %d %v, want carl's comment and the status change", status, act)
	}
	if _, a := f.do(t, "GET", "/api/alerts/al-001", "owner-token-0123456789", "10.0.0.9:1234", "test", ""); a["status"] != "new" {
		t.Errorf("al-001 status %v, want untouched", a["status"])
	}
	if status, _ := f.do(t, "POST", "/api/alerts/bulk", "reader-token-0123456789", "10.0.0.9:1234", "test", `{"ids":["al-000"],"status":"resolved"}`); status != 403 {
		t.Errorf("reader bulk: %d, want 403", status)
	}
}

// TestDashboardRoute: traffic and alerts of the period, scoped.
func TestDashboardRoute(t *testing.T) {
	f := newFixture(t)
	seedAlerts(t, f, 6)
	now := time.Now().UTC()
	var h [traffic.Buckets]int64
	h[2] = 8
	if err := f.st.AddTraffic(context.Background(), []traffic.Minute{
		{At: now.Add(-time.Hour).Truncate(time.Minute), Subscription: "a", Requests: 10, Scanned: 8, Blocked: 3, Latency: h},
		{At: now.Add(-time.Hour).Truncate(time.Minute), Subscription: "b", Requests: 4, Scanned: 4, Blocked: 1},
	}); err != nil {
		t.Fatal(err)
	}
	_, d := f.do(t, "GET", "/api/dashboard", "owner-token-0123456789", "10.0.0.9:1234", "test", "")
	al, _ := d["alerts"].(map[string]any)
	if d["scanned"] != 12.0 || d["blocked"] != 4.0 || al["total"] != 6.0 {
		t.Errorf("owner dashboard: %v", d)
	}
	_, d = f.do(t, "GET", "/api/dashboard", "contrib-token-0123456789", "10.0.0.9:1234", "test", "")
	al, _ = d["alerts"].(map[string]any)
	lat, _ := d["latency_ms"].(map[string]any)
	if d["scanned"] != 8.0 || al["total"] != 3.0 || lat["p50"] != 5.0 {
		t.Errorf("contributor of a: %v, want a's 8 scanned, 3 alerts, p50 in the 5 ms bucket", d)
	}
	if status, _ := f.do(t, "GET", "/api/dashboard?subscription=b", "contrib-token-0123456789", "10.0.0.9:1234", "test", ""); status != 403 {
		t.Errorf("contributor of a asking for b: %d", status)
	}
}
