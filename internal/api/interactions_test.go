package api

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/insider"
	"github.com/wardenhq/warden/internal/interaction"
)

// TestInteractionsRoute: who may list interactions and what each sees.
// The owner sees every subscription, a contributor limited to "a" sees
// a's only and is refused b's, a reader of everything sees all; no token,
// nothing. Filters and the cursor work through the API.
func TestInteractionsRoute(t *testing.T) {
	f := newFixture(t)
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	var rs []interaction.Record
	for i := range 6 {
		sub := "a"
		if i%2 == 1 {
			sub = "b"
		}
		rs = append(rs, interaction.Record{ID: fmt.Sprintf("r%d", i), At: t0.Add(time.Duration(i) * time.Minute), Subscription: sub,
			User: "alice", Verdict: "allow", API: "openai.chat", Route: "openai"})
	}
	if err := f.st.RecordInteractions(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	const owner, contrib, reader = "owner-token-0123456789", "contrib-token-0123456789", "reader-token-0123456789"
	tests := []struct {
		name, token, query string
		status, count      int
	}{
		{"owner, all", owner, "", 200, 6},
		{"owner, one subscription", owner, "?subscription=b", 200, 3},
		{"contributor of a, unscoped", contrib, "", 200, 3},
		{"contributor of a, asks for b", contrib, "?subscription=b", 403, 0},
		{"reader, all", reader, "", 200, 6},
		{"no token", "", "", 401, 0},
		{"time range", owner, "?from=2026-12-05T12:02:00Z&to=2026-12-05T12:04:00Z", 200, 2},
		{"bad time", owner, "?from=yesterday", 400, 0},
		{"bad cursor", owner, "?cursor=nonsense", 400, 0},
		{"user filter", owner, "?user=bob", 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.do(t, "GET", "/api/interactions"+tt.query, tt.token, "10.0.0.9:1234", "test", "")
			if status != tt.status {
				t.Fatalf("status %d, want %d (%v)", status, tt.status, body)
			}
			if status == 200 {
				if got := len(body["interactions"].([]any)); got != tt.count {
					t.Errorf("%d interactions, want %d", got, tt.count)
				}
			}
		})
	}
	// Two pages of three through the cursor.
	status, first := f.do(t, "GET", "/api/interactions?limit=3", owner, "10.0.0.9:1234", "test", "")
	next, _ := first["next"].(string)
	if status != 200 || next == "" {
		t.Fatalf("first page: %d, next %q", status, next)
	}
	status, second := f.do(t, "GET", "/api/interactions?limit=3&cursor="+next, owner, "10.0.0.9:1234", "test", "")
	if status != 200 || len(second["interactions"].([]any)) != 3 || second["next"] != "" {
		t.Errorf("second page: %d %v, want the last three and no next", status, second)
	}
}

// TestReportTraffic: the data-security report says how much of the
// period's traffic had no user context.
func TestReportTraffic(t *testing.T) {
	f := newFixture(t)
	now := time.Now().UTC()
	var rs []interaction.Record
	for i := range 4 {
		rs = append(rs, interaction.Record{ID: fmt.Sprintf("r%d", i), At: now.Add(-time.Duration(i+1) * time.Hour), Subscription: "a",
			User: "alice", UserContext: i == 0, Verdict: "allow"})
	}
	if err := f.st.RecordInteractions(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	status, body := f.do(t, "GET", "/api/reports/data-security?subscription=a", "owner-token-0123456789", "10.0.0.9:1234", "test", "")
	tr, _ := body["traffic"].(map[string]any)
	if status != 200 || tr["interactions"] != 4.0 || tr["without_user_context"] != 3.0 || tr["share_without_user_context"] != 0.75 {
		t.Errorf("report: %d traffic %v; want 4 interactions, 3 (0.75) without user context", status, tr)
	}
}

// TestPostureRoute: the posture report in JSON and CSV, scoped like the
// rest.
func TestPostureRoute(t *testing.T) {
	f := newFixture(t)
	now := time.Now().UTC()
	var rs []interaction.Record
	for i, u := range []string{"alice", "bob", "carol"} {
		rs = append(rs, interaction.Record{ID: fmt.Sprintf("r%d", i), At: now.Add(-time.Hour), Subscription: "b", Application: "notes",
			User: u, UserContext: true, Verdict: "flag", SensitiveTypes: map[string]int{"credit_card": 1}})
	}
	if err := f.st.RecordInteractions(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	status, body := f.do(t, "GET", "/api/reports/posture", "owner-token-0123456789", "10.0.0.9:1234", "test", "")
	over, _ := body["oversharing"].([]any)
	unprot, _ := body["unprotected_applications"].([]any)
	if status != 200 || body["sensitive"] != 3.0 || len(over) != 1 || len(unprot) != 1 {
		t.Errorf("posture: %d %v; want 3 sensitive, cards to notes overshared by 3 users, notes unprotected (b is detect mode)", status, body)
	}
	if status, _ := f.do(t, "GET", "/api/reports/posture?subscription=b", "contrib-token-0123456789", "10.0.0.9:1234", "test", ""); status != 403 {
		t.Errorf("contributor of a asking for b's posture: %d, want 403", status)
	}
	req := httptest.NewRequest("GET", "/api/reports/posture?format=csv", nil)
	req.RemoteAddr = "10.0.0.9:1234"
	req.Header.Set("Authorization", "Bearer owner-token-0123456789")
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") || !strings.Contains(w.Body.String(), "oversharing,notes,credit_card,3") {
		t.Errorf("csv: %d %s\n%s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
}

// TestHoldsRoutes: only owners place, list and release holds; a hold needs
// a reason.
func TestHoldsRoutes(t *testing.T) {
	f := newFixture(t)
	const owner, contrib, reader = "owner-token-0123456789", "contrib-token-0123456789", "reader-token-0123456789"
	body := `{"user":"carol","reason":"litigation hold, case 7"}`
	for _, tok := range []string{contrib, reader} {
		if status, _ := f.do(t, "POST", "/api/holds", tok, "10.0.0.9:1234", "test", body); status != 403 {
			t.Errorf("non-owner placing a hold: %d, want 403", status)
		}
	}
	if status, _ := f.do(t, "POST", "/api/holds", owner, "10.0.0.9:1234", "test", `{"user":"carol"}`); status != 400 {
		t.Errorf("hold without a reason: %d, want 400", status)
	}
	status, h := f.do(t, "POST", "/api/holds", owner, "10.0.0.9:1234", "test", body)
	id, _ := h["id"].(string)
	if status != 200 || id == "" || h["created_by"] != "olivia" {
		t.Fatalf("placing a hold: %d %v", status, h)
	}
	status, list := f.do(t, "GET", "/api/holds", owner, "10.0.0.9:1234", "test", "")
	if hs, _ := list["holds"].([]any); status != 200 || len(hs) != 1 {
		t.Errorf("holds: %d %v, want one", status, list)
	}
	if status, _ := f.do(t, "DELETE", "/api/holds/"+id, owner, "10.0.0.9:1234", "test", ""); status != 200 {
		t.Errorf("release: %d", status)
	}
	if status, _ := f.do(t, "DELETE", "/api/holds/"+id, owner, "10.0.0.9:1234", "test", ""); status != 404 {
		t.Errorf("release twice: %d, want 404", status)
	}
}

// TestInsiderRiskRoute: assessments, scoped, highest first; the explorer
// shows each user's level.
func TestInsiderRiskRoute(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.st.PutRiskLevels(ctx, []insider.Assessment{
		{Subscription: "a", User: "alice", Level: "medium", Score: 2, Reasons: []string{"x"}},
		{Subscription: "b", User: "bob", Level: "high", Score: 4, Reasons: []string{"y"}},
		{Subscription: "b", User: "quiet", Level: "none"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.RecordInteractions(ctx, []interaction.Record{{ID: "r1", At: time.Now(), Subscription: "a", User: "alice", UserContext: true, Verdict: "allow"}}); err != nil {
		t.Fatal(err)
	}
	status, body := f.do(t, "GET", "/api/insider-risk", "owner-token-0123456789", "10.0.0.9:1234", "test", "")
	us, _ := body["users"].([]any)
	if status != 200 || len(us) != 2 || us[0].(map[string]any)["user"] != "bob" {
		t.Errorf("owner: %d %v, want bob then alice (quiet has no risk)", status, us)
	}
	_, body = f.do(t, "GET", "/api/insider-risk", "contrib-token-0123456789", "10.0.0.9:1234", "test", "")
	if us, _ := body["users"].([]any); len(us) != 1 || us[0].(map[string]any)["user"] != "alice" {
		t.Errorf("contributor of a: %v, want alice only", us)
	}
	_, body = f.do(t, "GET", "/api/interactions", "owner-token-0123456789", "10.0.0.9:1234", "test", "")
	if risk, _ := body["user_risk"].(map[string]any); risk["alice"] != "medium" {
		t.Errorf("explorer user_risk %v, want alice medium", body["user_risk"])
	}
}
