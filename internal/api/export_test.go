package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/export"
	"github.com/wardenhq/warden/internal/store"
)

// TestExportSinksAPI: each configured sink's pending events and dead
// letters, for a principal that reaches every subscription only.
func TestExportSinksAPI(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	var as []alert.Alert
	for _, id := range []string{"a1", "a2", "a3"} {
		as = append(as, alert.Alert{ID: id, Type: "t", Subscription: "s", FirstSeen: now, LastSeen: now})
	}
	if err := st.RecordAlerts(ctx, as); err != nil {
		t.Fatal(err)
	}
	ev, _ := st.OutboxAfter(ctx, 0, 10)
	st.SetSinkPosition(ctx, export.Position("siem"), ev[0].Seq)                 //nolint:errcheck
	st.Park(ctx, export.Position("siem"), ev[1], "20 attempts: HTTP 503: busy") //nolint:errcheck
	auth := NewAuth([]Token{{Name: "all", Role: RoleReader, Token: "t-all"}, {Name: "one", Role: RoleReader, Token: "t-one", Subscriptions: []string{"s"}}})
	srv := httptest.NewServer(New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Auth: auth, Sinks: []string{"siem"}}))
	defer srv.Close()
	get := func(path, token string, v any) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(v) //nolint:errcheck
		return resp.StatusCode
	}
	var sinks struct{ Sinks []store.SinkState }
	if code := get("/api/export/sinks", "t-all", &sinks); code != 200 || len(sinks.Sinks) != 1 {
		t.Fatalf("GET /api/export/sinks: %d %+v", code, sinks)
	}
	if got := sinks.Sinks[0]; got.Sink != "siem" || got.Pending != 2 || got.DeadLetters != 1 {
		t.Errorf("sink state = %+v; want siem, 2 pending, 1 dead letter", got)
	}
	var dl struct {
		DeadLetters []store.DeadLetter `json:"dead_letters"`
	}
	if code := get("/api/export/sinks/siem/dead-letters", "t-all", &dl); code != 200 || len(dl.DeadLetters) != 1 || dl.DeadLetters[0].EventID != "a2" {
		t.Errorf("dead letters: %d %+v; want a2", code, dl)
	}
	for _, tc := range []struct {
		path, token string
		want        int
	}{
		{"/api/export/sinks", "t-one", 403},
		{"/api/export/sinks/siem/dead-letters", "t-one", 403},
		{"/api/export/sinks/nope/dead-letters", "t-all", 404},
		{"/api/export/sinks/siem/dead-letters?limit=0", "t-all", 400},
	} {
		var v any
		if code := get(tc.path, tc.token, &v); code != tc.want {
			t.Errorf("GET %s as %s: %d, want %d", tc.path, tc.token, code, tc.want)
		}
	}
}
