package api

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
)

// TestDataSecurityReport: the report counts the data-security alerts of the
// period and the principal's subscriptions only; a bad period is a 400.
func TestDataSecurityReport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now().UTC()
	mk := func(id, sub, typ, kind string, at time.Time) alert.Alert {
		return alert.Alert{ID: id, Type: typ, Severity: scan.SeverityLow, Subscription: sub, Resource: "r", Count: 1, FirstSeen: at, LastSeen: at,
			Fingerprint: id, Findings: []scan.Finding{{Kind: kind}}, Entities: []alert.Entity{{Kind: "user", ID: "alice"}}}
	}
	if err := f.st.RecordAlerts(ctx, []alert.Alert{
		mk("1", "a", alert.SensitiveDataInPrompt.Type, "credit_card", now.Add(-time.Hour)),
		mk("2", "a", alert.SensitiveDataLeak.Type, "us_ssn", now.Add(-2*time.Hour)),
		mk("3", "b", alert.SensitiveDataInPrompt.Type, "iban", now.Add(-time.Hour)),
		mk("4", "a", alert.JailbreakDetected.Type, "", now.Add(-time.Hour)),                // not a data-security alert
		mk("5", "a", alert.SecretInPrompt.Type, "github_token", now.Add(-60*24*time.Hour)), // before the default period
	}); err != nil {
		t.Fatal(err)
	}
	code, v := f.do(t, "GET", "/api/reports/data-security", "contrib-token-0123456789", "10.0.0.5:1", "", "")
	if code != 200 || v["interactions"] != 2.0 {
		t.Fatalf("report for subscription a: %d %v, want 2 interactions", code, v)
	}
	kinds := map[string]bool{}
	for _, c := range v["by_kind"].([]any) {
		kinds[c.(map[string]any)["key"].(string)] = true
	}
	if !kinds["credit_card"] || !kinds["us_ssn"] || kinds["iban"] || kinds["github_token"] {
		t.Errorf("kinds %v, want credit_card and us_ssn only", kinds)
	}
	code, v = f.do(t, "GET", "/api/reports/data-security?since="+now.Add(-90*24*time.Hour).Format(time.RFC3339), "owner-token-0123456789", "10.0.0.5:1", "", "")
	if code != 200 || v["interactions"] != 4.0 {
		t.Errorf("owner, 90 days: %d %v, want 4 interactions across subscriptions", code, v["interactions"])
	}
	if code, _ := f.do(t, "GET", "/api/reports/data-security?since=yesterday", "owner-token-0123456789", "10.0.0.5:1", "", ""); code != 400 {
		t.Errorf("bad since: %d, want 400", code)
	}
}
