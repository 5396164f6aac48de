package api

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/store"
)

// TestSuppressionsAPI: rules are added with a reason by those who may
// change things, within their scope; they apply at once to alerts raised
// afterwards (kept as suppressed, not exported); the configuration's rules
// are read only.
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
	good := `{"type":"Warden.AI.AnomalousOperation.InitialAccess","subscription":"a","user":"carl","reason":"carl changes settings from home on call","until":"2099-01-01T00:00:00Z"}`
	tests := []struct {
		name, token, body string
		want              int
	}{
		{"reader", rita, good, 403},
		{"no subscription from a scoped token", carl, `{"type":"Warden.AI.AnomalousOperation.InitialAccess","reason":"x"}`, 403},
		{"another subscription", carl, `{"subscription":"b","reason":"x"}`, 403},
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
	// carl now switches blocking off from a network he never used: the
	// alert is raised and kept, but suppressed.
	if code, v := f.do(t, "PATCH", "/api/subscriptions/a", carl, "198.51.100.20:1", "curl/8", `{"mode":"detect"}`); code != 200 {
		t.Fatalf("PATCH: %d %v", code, v)
	}
	as, err := f.st.Alerts(ctx, store.AlertFilter{Type: alert.AnomalousOperation.Type})
	if err != nil || len(as) != 1 || as[0].Status != "suppressed" {
		t.Errorf("alerts %+v (%v): want one, suppressed", as, err)
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
	if got := len(rules.Get()); got != 1 {
		t.Errorf("%d rules in force after the delete, want 1 (the configuration's)", got)
	}
}
