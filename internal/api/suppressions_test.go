package api

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/store"
)

// TestSuppressionsAPI: rules are added with a reason by those who may
// change things, within their scope and naming something beyond a
// subscription; they apply at once to alerts raised afterwards (kept as
// suppressed, not exported); every change is audited; the configuration's
// rules are read only; and no rule silences the alert about a change to
// protection.
func TestSuppressionsAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	configRule := alert.Suppression{ID: "config-0", Type: alert.TorIP.Type, Subscription: "b", Reason: "our Tor-based canary", Source: "config"}
	rules := alert.NewRules([]alert.Suppression{configRule})
	reload := func() {
		stored, err := f.st.Suppressions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rules.Set(append([]alert.Suppression{configRule}, stored...))
	}
	f.h = New(f.st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Auth: NewAuth([]Token{
		{Name: "carl", Role: RoleContributor, Token: "contrib-token-0123456789", Subscriptions: []string{"a"}},
		{Name: "rita", Role: RoleReader, Token: "reader-token-0123456789"},
	}), Suppress: rules, SuppressionsChanged: reload})
	const carl, rita, office = "contrib-token-0123456789", "reader-token-0123456789", "10.0.0.5:1"
	good := `{"type":"Warden.AI.AccessFromSuspiciousIP","subscription":"a","user":"carl","reason":"carl's pentest box is on a deny list","until":"2099-01-01T00:00:00Z"}`
	tests := []struct {
		name, token, body string
		want              int
	}{
		{"reader", rita, good, 403},
		{"no subscription from a scoped token", carl, `{"type":"Warden.AI.AccessFromSuspiciousIP","reason":"x"}`, 403},
		{"another subscription", carl, `{"subscription":"b","user":"carl","reason":"x"}`, 403},
		{"the subscription alone", carl, `{"subscription":"a","reason":"x"}`, 400},
		{"the anomalous-operation type", carl, `{"type":"Warden.AI.AnomalousOperation.InitialAccess","subscription":"a","user":"carl","reason":"x"}`, 400},
		{"no reason", carl, `{"subscription":"a","user":"carl"}`, 400},
		{"unknown type", carl, `{"type":"Warden.AI.Nope","subscription":"a","reason":"x"}`, 400},
		{"expired", carl, `{"subscription":"a","user":"carl","reason":"x","until":"2001-01-01T00:00:00Z"}`, 400},
		{"unknown field", carl, `{"subscription":"a","reason":"x","everything":true}`, 400},
		{"good", carl, good, 200},
	}
	var id string
	for _, tt := range tests {
		code, v := f.do(t, "POST", "/api/suppressions", tt.token, office, "curl/8", tt.body)
		if code != tt.want {
			t.Errorf("%s: POST = %d %v, want %d", tt.name, code, v, tt.want)
		}
		if code == 200 {
			id, _ = v["id"].(string)
			if v["created_by"] != "carl" || v["source"] != "api" || id == "" {
				t.Errorf("created rule %v: want an id, created by carl through the api", v)
			}
		}
	}
	code, v := f.do(t, "GET", "/api/suppressions", rita, office, "", "")
	if list, _ := v["suppressions"].([]any); code != 200 || len(list) != 2 {
		t.Errorf("GET = %d %v, want the configuration's rule and carl's", code, v)
	}
	// A rule naming only a user still cannot hide the alert about carl
	// switching blocking off from a network he never used.
	if code, v := f.do(t, "POST", "/api/suppressions", carl, office, "curl/8", `{"subscription":"a","user":"carl","reason":"all of carl"}`); code != 200 {
		t.Fatalf("POST user rule: %d %v", code, v)
	}
	if code, v := f.do(t, "PATCH", "/api/subscriptions/a", carl, "198.51.100.20:1", "curl/8", `{"mode":"detect"}`); code != 200 {
		t.Fatalf("PATCH: %d %v", code, v)
	}
	as, err := f.st.Alerts(ctx, store.AlertFilter{Type: alert.AnomalousOperation.Type})
	if err != nil || len(as) != 1 || as[0].Status == "suppressed" {
		t.Errorf("alerts %+v (%v): want one, not suppressed", as, err)
	}
	// Hiding a whole type for a subscription is itself an anomalous
	// operation.
	if code, v := f.do(t, "POST", "/api/suppressions", carl, office, "curl/8", `{"type":"Warden.AI.Jailbreak.Detected","subscription":"a","reason":"noisy"}`); code != 200 {
		t.Fatalf("POST whole-type rule: %d %v", code, v)
	}
	as, _ = f.st.Alerts(ctx, store.AlertFilter{Type: alert.AnomalousOperation.Type})
	if len(as) != 2 || !strings.Contains(as[0].Findings[0].Reason+as[1].Findings[0].Reason, "hides every Warden.AI.Jailbreak.Detected alert of subscription a") {
		t.Errorf("after a whole-type rule: %d anomalous-operation alerts, want 2, one naming the rule", len(as))
	}
	if code, _ := f.do(t, "DELETE", "/api/suppressions/config-0", carl, office, "", ""); code != 409 {
		t.Errorf("DELETE a configuration rule = %d, want 409", code)
	}
	if code, _ := f.do(t, "DELETE", "/api/suppressions/"+id, carl, office, "", ""); code != 200 {
		t.Errorf("DELETE = %d, want 200", code)
	}
	if code, _ := f.do(t, "DELETE", "/api/suppressions/"+id, carl, office, "", ""); code != 404 {
		t.Errorf("DELETE again = %d, want 404", code)
	}
	if got := len(rules.Get()); got != 3 {
		t.Errorf("%d rules in force after the delete, want 3 (the configuration's and two of carl's)", got)
	}
	// Every add and delete is in subscription a's audit log.
	cs, err := f.st.SettingsChanges(ctx, "a", time.Time{}, 0)
	var ops []string
	for _, c := range cs {
		ops = append(ops, c.Operation)
	}
	if want := []string{"suppression_added", "suppression_added", "", "suppression_added", "suppression_deleted"}; err != nil || !slices.Equal(ops, want) {
		t.Errorf("audit operations %q (%v), want %q", ops, err, want)
	}
}
