package export

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
)

// TestSentinelWithEntra: the sink gets a token from the Entra endpoint with
// the application's credentials and the Monitor scope, reuses it while it
// is valid, and posts the rows to the rule's stream with it.
func TestSentinelWithEntra(t *testing.T) {
	var tokens atomic.Int32
	entra := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("client_id") != "app-1" ||
			r.Form.Get("client_secret") != "s3cret" || r.Form.Get("scope") != MonitorScope {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		n := tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, n)
	}))
	defer entra.Close()
	var posts []string
	ingest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rows []map[string]any
		if err := json.NewDecoder(r.Body).Decode(&rows); err != nil || len(rows) == 0 {
			http.Error(w, "bad rows", http.StatusBadRequest)
			return
		}
		posts = append(posts, r.Header.Get("Authorization")+" "+r.URL.Path)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ingest.Close()
	s := &SentinelSink{Endpoint: ingest.URL, RuleID: "dcr-1", Stream: "Custom-WardenAlerts_CL",
		Token: EntraToken("contoso", "app-1", "s3cret", entra.URL)}
	ev := Event{ID: "e1", Alert: alert.Alert{ID: "a1", Type: alert.JailbreakDetected.Type, Severity: scan.SeverityMedium}}
	for range 3 {
		if n, err := s.Send(context.Background(), []Event{ev}); err != nil || n != 1 {
			t.Fatalf("Send = %d, %v", n, err)
		}
	}
	want := "Bearer tok-1 /dataCollectionRules/dcr-1/streams/Custom-WardenAlerts_CL"
	if len(posts) != 3 || posts[0] != want || posts[2] != want {
		t.Errorf("posts %q, want three with %q", posts, want)
	}
	if got := tokens.Load(); got != 1 {
		t.Errorf("%d tokens fetched for three sends, want 1 (cached)", got)
	}
	bad := &SentinelSink{Endpoint: ingest.URL, RuleID: "dcr-1", Stream: "s", Token: EntraToken("contoso", "app-1", "wrong", entra.URL)}
	if _, err := bad.Send(context.Background(), []Event{ev}); err == nil || !strings.Contains(err.Error(), "entra token") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("bad credentials: %v, want an entra token error that does not echo the secret", err)
	}
}
