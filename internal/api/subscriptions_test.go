package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/subscription"
)

// apiFixture is a store with two subscriptions and an API with three
// tokens: an owner of everything, a contributor of "a", a reader.
type apiFixture struct {
	st      *store.Store
	h       http.Handler
	changed atomic.Int32
}

func newFixture(t testing.TB) *apiFixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now()
	err = st.SeedSubscriptions(ctx, []subscription.Settings{
		{ID: "a", Plan: true, Mode: subscription.ModeBlock},
		{ID: "b", Plan: true, Mode: subscription.ModeDetect},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	f := &apiFixture{st: st}
	auth := NewAuth([]Token{
		{Name: "olivia", Role: RoleOwner, Token: "owner-token-0123456789"},
		{Name: "carl", Role: RoleContributor, Token: "contrib-token-0123456789", Subscriptions: []string{"a"}},
		{Name: "rita", Role: RoleReader, Token: "reader-token-0123456789"},
	})
	f.h = New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Auth: auth, Changed: func() { f.changed.Add(1) }})
	return f
}

func (f *apiFixture) do(t *testing.T, method, path, token, remote, ua, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = remote
	// As a local client that follows the rules would send it.
	req.Host = "localhost:8080"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(CSRFHeader, "1")
	req.Header.Set("User-Agent", ua)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	var v map[string]any
	json.Unmarshal(rec.Body.Bytes(), &v)
	return rec.Code, v
}

func TestAuthorisation(t *testing.T) {
	f := newFixture(t)
	const office = "10.0.0.5:4000"
	tests := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"no token", "GET", "/api/alerts", "", "", 401},
		{"wrong token", "GET", "/api/alerts", "owner-token-0123456788", "", 401},
		{"reader reads", "GET", "/api/subscriptions", "reader-token-0123456789", "", 200},
		{"reader may not change", "PATCH", "/api/subscriptions/a", "reader-token-0123456789", `{"mode":"detect"}`, 403},
		{"reader may not triage", "PATCH", "/api/alerts/x", "reader-token-0123456789", `{"status":"active"}`, 403},
		{"contributor outside its scope", "PATCH", "/api/subscriptions/b", "contrib-token-0123456789", `{"mode":"block"}`, 404},
		{"contributor lists its scope", "GET", "/api/alerts", "contrib-token-0123456789", "", 200},
		{"contributor names another subscription", "GET", "/api/alerts?subscription=b", "contrib-token-0123456789", "", 403},
		{"contributor changes its subscription", "PATCH", "/api/subscriptions/a", "contrib-token-0123456789", `{"sensitivity":"high"}`, 200},
		{"owner changes any", "PATCH", "/api/subscriptions/b", "owner-token-0123456789", `{"mode":"block"}`, 200},
		{"bad mode", "PATCH", "/api/subscriptions/b", "owner-token-0123456789", `{"mode":"panic"}`, 400},
		{"unknown field", "PATCH", "/api/subscriptions/b", "owner-token-0123456789", `{"plan":true,"admin":true}`, 400},
		{"unknown subscription", "PATCH", "/api/subscriptions/zz", "owner-token-0123456789", `{"plan":true}`, 404},
	}
	for _, tt := range tests {
		got, v := f.do(t, tt.method, tt.path, tt.token, office, "curl/8", tt.body)
		if got != tt.want {
			t.Errorf("%s: %s %s = %d %v, want %d", tt.name, tt.method, tt.path, got, v, tt.want)
		}
	}
	code, v := f.do(t, "GET", "/api/subscriptions", "contrib-token-0123456789", office, "", "")
	if subs := v["subscriptions"].([]any); code != 200 || len(subs) != 1 {
		t.Errorf("contributor of a lists %v, want only a", v)
	}
	if got := f.changed.Load(); got != 2 {
		t.Errorf("cache invalidated %d times, want 2 (one per accepted change)", got)
	}
}

// TestLocalOnlyWithoutTokens: with no tokens, loopback clients are the local
// owner and anyone else is refused.
func TestLocalOnlyWithoutTokens(t *testing.T) {
	f := newFixture(t)
	f.h = New(f.st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if code, v := f.do(t, "PATCH", "/api/subscriptions/a", "", "127.0.0.1:999", "", `{"mode":"detect"}`); code != 200 || v["updated_by"] != "local" {
		t.Errorf("loopback change: %d %v, want 200 by local", code, v)
	}
	if code, _ := f.do(t, "GET", "/api/alerts", "", "[::1]:999", "", ""); code != 200 {
		t.Errorf("IPv6 loopback read: %d, want 200", code)
	}
	if code, v := f.do(t, "GET", "/api/alerts", "", "192.0.2.7:999", "", ""); code != 401 {
		t.Errorf("remote read without tokens: %d %v, want 401", code, v)
	}
}

// TestAnomalousOperation: a contributor who routinely switches blocking off
// from the office raises nothing; the same change from a new network raises
// one alert, in the same transaction as the change and its audit entry.
func TestAnomalousOperation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const tok = "contrib-token-0123456789"
	steps := []struct {
		remote, body string
		wantAlerts   int
	}{
		{"10.0.0.5:1", `{"mode":"block"}`, 0},  // first change, but not a weakening
		{"10.0.0.5:1", `{"mode":"detect"}`, 0}, // weakening from a place carl used
		{"10.0.0.9:1", `{"mode":"block"}`, 0},
		{"10.0.0.7:1", `{"mode":"detect"}`, 0}, // same /24
		{"10.0.0.7:1", `{"mode":"block"}`, 0},
		{"198.51.100.20:1", `{"plan":false}`, 1}, // never from there, and it switches detection off
	}
	for i, s := range steps {
		if code, v := f.do(t, "PATCH", "/api/subscriptions/a", tok, s.remote, "curl/8", s.body); code != 200 {
			t.Fatalf("step %d: %d %v", i, code, v)
		}
		as, err := f.st.Alerts(ctx, store.AlertFilter{Type: alert.AnomalousOperation.Type})
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != s.wantAlerts {
			t.Fatalf("after step %d (%s from %s): %d anomalous-operation alerts, want %d", i, s.body, s.remote, len(as), s.wantAlerts)
		}
	}
	as, _ := f.st.Alerts(ctx, store.AlertFilter{Type: alert.AnomalousOperation.Type})
	a := as[0]
	if a.Subscription != "a" || a.Severity != "medium" || len(a.Findings) != 1 ||
		!strings.Contains(a.Findings[0].Reason, "plan switched off by carl (contributor): the first change this principal made from network 198.51.100.0/24") {
		t.Errorf("alert %+v: want subscription a, medium, reason naming the change, principal and network", a)
	}
	var user, ip bool
	for _, e := range a.Entities {
		user = user || e.Kind == "user" && e.ID == "carl"
		ip = ip || e.Kind == "ip" && e.ID == "198.51.100.20"
	}
	if !user || !ip {
		t.Errorf("entities %+v: want the principal and its address", a.Entities)
	}
	code, v := f.do(t, "GET", "/api/subscriptions/a/changes", "reader-token-0123456789", "10.0.0.5:1", "", "")
	changes, _ := v["changes"].([]any)
	if code != 200 || len(changes) != len(steps) {
		t.Fatalf("audit log: %d, %d changes, want %d", code, len(changes), len(steps))
	}
	last := changes[len(changes)-1].(map[string]any)
	if last["principal"] != "carl" || last["ip"] != "198.51.100.20" || last["before"].(map[string]any)["plan"] != true || last["after"].(map[string]any)["plan"] != false {
		t.Errorf("last audit entry %v: want carl, his address, plan true -> false", last)
	}
	sub, err := f.st.Subscription(ctx, "a")
	if err != nil || sub.Plan || sub.UpdatedBy != "carl" || sub.Source != "api" {
		t.Errorf("stored settings %+v (%v): want plan off, updated by carl through the api", sub, err)
	}
}

// TestPatchRedact checks that the redact list is set, validated, kept by
// the store and cleared with [].
func TestPatchRedact(t *testing.T) {
	f := newFixture(t)
	const owner, office = "owner-token-0123456789", "10.0.0.5:4000"
	code, v := f.do(t, "PATCH", "/api/subscriptions/a", owner, office, "ua", `{"redact":["credentials","email_address"]}`)
	if code != 200 {
		t.Fatalf("PATCH redact: %d %v", code, v)
	}
	sub, err := f.st.Subscription(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sub.Redact, ","); got != "credentials,email_address" {
		t.Errorf("stored redact = %q, want credentials,email_address", got)
	}
	if code, v := f.do(t, "PATCH", "/api/subscriptions/a", owner, office, "ua", `{"redact":["Email!"]}`); code != 400 {
		t.Errorf("a bad entry: %d %v, want 400", code, v)
	}
	if code, v := f.do(t, "PATCH", "/api/subscriptions/a", owner, office, "ua", `{"redact":[]}`); code != 200 {
		t.Fatalf("clearing redact: %d %v", code, v)
	}
	if sub, _ := f.st.Subscription(context.Background(), "a"); len(sub.Redact) != 0 {
		t.Errorf("redact after clearing = %v, want none", sub.Redact)
	}
}

// TestSubscriptionLifecycle: owners and contributors create
// subscriptions, a security admin changes protection but neither
// creates, renames nor deletes, only an owner deletes, and a subscription
// a route uses cannot be deleted; each change is in the subscription's
// audit log.
func TestSubscriptionLifecycle(t *testing.T) {
	f := newFixture(t)
	f.h = New(f.st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Auth: NewAuth([]Token{
		{Name: "olivia", Role: RoleOwner, Token: "owner-token-0123456789"},
		{Name: "cora", Role: RoleContributor, Token: "contrib-token-0123456789"},
		{Name: "sam", Role: RoleSecurityAdmin, Token: "secadmin-token-0123456789"},
		{Name: "rita", Role: RoleReader, Token: "reader-token-0123456789"},
	}), Routed: []string{"a"}})
	const owner, contrib, secadmin, reader, ip = "owner-token-0123456789", "contrib-token-0123456789", "secadmin-token-0123456789", "reader-token-0123456789", "10.0.0.9:1234"
	steps := []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"reader creates", "POST", "/api/subscriptions", reader, `{"id":"c"}`, 403},
		{"security admin creates", "POST", "/api/subscriptions", secadmin, `{"id":"c"}`, 403},
		{"bad id", "POST", "/api/subscriptions", contrib, `{"id":"no spaces"}`, 400},
		{"contributor creates", "POST", "/api/subscriptions", contrib, `{"id":"c","name":"Chat","plan":true,"mode":"block"}`, 200},
		{"again", "POST", "/api/subscriptions", owner, `{"id":"c"}`, 409},
		{"security admin turns data security on", "PATCH", "/api/subscriptions/c", secadmin, `{"data_security":true}`, 200},
		{"security admin renames", "PATCH", "/api/subscriptions/c", secadmin, `{"name":"Other"}`, 403},
		{"reader turns the plan off", "PATCH", "/api/subscriptions/c", reader, `{"plan":false}`, 403},
		{"contributor deletes", "DELETE", "/api/subscriptions/c", contrib, ``, 403},
		{"owner deletes a routed one", "DELETE", "/api/subscriptions/a", owner, ``, 409},
		{"owner deletes", "DELETE", "/api/subscriptions/c", owner, ``, 200},
		{"gone", "GET", "/api/subscriptions/c", owner, ``, 404},
	}
	for _, s := range steps {
		if status, body := f.do(t, s.method, s.path, s.token, ip, "test", s.body); status != s.status {
			t.Errorf("%s: %d %v, want %d", s.name, status, body, s.status)
		}
	}
	cs, err := f.st.SettingsChanges(t.Context(), "c", time.Time{}, 0)
	if err != nil || len(cs) != 3 || cs[0].Operation != "subscription_created" || cs[2].Operation != "subscription_deleted" || !cs[1].After.DataSecurity {
		t.Errorf("changes %+v (%v), want created, data security on, deleted", cs, err)
	}
}
