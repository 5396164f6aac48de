package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/store"
)

// TestTriageAPI: list incidents, show one with its story, update an alert
// and an incident; bad input is a 400, a missing one a 404.
func TestTriageAPI(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	st.RecordAlerts(ctx, []alert.Alert{
		{ID: "a1", Type: "Warden.AI.Jailbreak.Detected", Severity: scan.SeverityMedium, Subscription: "s", Resource: "r", FirstSeen: now, LastSeen: now, Count: 1,
			Entities: []alert.Entity{{Kind: "user", ID: "alice"}}},
		{ID: "a2", Type: "Warden.AI.CredentialTheftAttempt", Severity: scan.SeverityHigh, Subscription: "s", Resource: "r", FirstSeen: now.Add(time.Second), LastSeen: now.Add(time.Second), Count: 1,
			Entities: []alert.Entity{{Kind: "user", ID: "alice"}}},
	})
	srv := httptest.NewServer(New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{}))
	defer srv.Close()
	do := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		// What a local client sends to change something without tokens.
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(CSRFHeader, "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}
	code, v := do("GET", "/api/incidents?status=new", "")
	incs, _ := v["incidents"].([]any)
	if code != 200 || len(incs) != 1 {
		t.Fatalf("GET /api/incidents: %d %v", code, v)
	}
	id := incs[0].(map[string]any)["id"].(string)
	code, v = do("GET", "/api/incidents/"+id, "")
	if code != 200 || v["severity"] != "high" || len(v["alerts"].([]any)) != 2 {
		t.Errorf("GET incident: %d %v", code, v)
	}
	code, v = do("PATCH", "/api/alerts/a1", `{"status":"active","assignee":"soc1","comment":"looking","author":"soc1"}`)
	if code != 200 || v["status"] != "active" || v["assignee"] != "soc1" {
		t.Errorf("PATCH alert: %d %v", code, v)
	}
	code, v = do("PATCH", "/api/incidents/"+id, `{"status":"resolved","classification":"true_positive"}`)
	if code != 200 || v["status"] != "resolved" {
		t.Errorf("PATCH incident: %d %v", code, v)
	}
	for _, tt := range []struct {
		method, path, body string
		want               int
	}{
		{"PATCH", "/api/alerts/a1", `{"status":"done"}`, 400},
		{"PATCH", "/api/alerts/a1", `{"colour":"red"}`, 400},
		{"PATCH", "/api/alerts/nope", `{"status":"active"}`, 404},
		{"GET", "/api/incidents/nope", "", 404},
		{"GET", "/api/incidents?limit=-1", "", 400},
	} {
		if code, _ := do(tt.method, tt.path, tt.body); code != tt.want {
			t.Errorf("%s %s %s: %d, want %d", tt.method, tt.path, tt.body, code, tt.want)
		}
	}
}
