package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
)

func mk(id, typ string, sev scan.Severity, user, ip string, at time.Time, fp string) alert.Alert {
	return alert.Alert{ID: id, Type: typ, DisplayName: typ, Severity: sev, Subscription: "s", Resource: "r-" + user, Action: "detected",
		FirstSeen: at, LastSeen: at, Count: 1, Fingerprint: fp,
		Entities: []alert.Entity{{Kind: "user", ID: user}, {Kind: "ip", ID: ip}}}
}

// TestAggregationAndIncidents: repeats fold into one alert; alerts that
// share a user within the window make one incident whose severity is the
// highest and whose story is in order; another user's alert is another
// incident.
func TestAggregationAndIncidents(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	batch := []alert.Alert{
		mk("a1", "Warden.AI.Jailbreak.Detected", scan.SeverityMedium, "alice", "203.0.113.7", t0, "fp-jb"),
		mk("a2", "Warden.AI.Jailbreak.Detected", scan.SeverityMedium, "alice", "203.0.113.7", t0.Add(time.Minute), "fp-jb"),
		mk("a3", "Warden.AI.CredentialTheftAttempt", scan.SeverityHigh, "alice", "203.0.113.7", t0.Add(2*time.Minute), "fp-cred"),
		mk("a4", "Warden.AI.AnomalousToolInvocation", scan.SeverityLow, "alice", "198.51.100.1", t0.Add(3*time.Minute), "fp-tool"),
		mk("b1", "Warden.AI.Jailbreak.Detected", scan.SeverityMedium, "bob", "192.0.2.1", t0, "fp-bob"),
	}
	if err := s.RecordAlerts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	as, _ := s.Alerts(ctx, AlertFilter{})
	if len(as) != 4 {
		t.Fatalf("%d alerts stored, want 4 (the repeat folded)", len(as))
	}
	a1, _ := s.Alert(ctx, "a1")
	if a1.Count != 2 || !a1.LastSeen.Equal(t0.Add(time.Minute)) {
		t.Errorf("folded alert: count %d last seen %v, want 2 and %v", a1.Count, a1.LastSeen, t0.Add(time.Minute))
	}
	incs, _ := s.Incidents(ctx, IncidentFilter{})
	if len(incs) != 2 {
		t.Fatalf("%d incidents, want 2 (alice's and bob's)", len(incs))
	}
	alice, err := s.Incident(ctx, a1.Incident)
	if err != nil {
		t.Fatal(err)
	}
	var story []string
	for _, a := range alice.Alerts {
		story = append(story, a.Type)
	}
	want := "Warden.AI.Jailbreak.Detected Warden.AI.CredentialTheftAttempt Warden.AI.AnomalousToolInvocation"
	if alice.Severity != "high" || len(story) != 3 || story[0]+" "+story[1]+" "+story[2] != want {
		t.Errorf("incident severity %s, story %v; want high and %s", alice.Severity, story, want)
	}
	// Triage.
	if _, err := s.UpdateIncident(ctx, alice.ID, Update{Status: "resolved", Classification: "true_positive", Comment: "rotated the key", Author: "soc1"}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Incident(ctx, alice.ID)
	if got.Status != "resolved" || got.Classification != "true_positive" || len(got.Comments) != 1 || got.Alerts[0].Status != "resolved" {
		t.Errorf("after resolving: %+v", got)
	}
	if _, err := s.UpdateAlert(ctx, "b1", Update{Status: "bogus"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
	if _, err := s.UpdateAlert(ctx, "zz", Update{Status: "active"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing alert: %v", err)
	}
	// A resolved incident is not joined again: alice's next alert starts a new one.
	if err := s.RecordAlerts(ctx, []alert.Alert{mk("a5", "Warden.AI.Jailbreak.Detected", scan.SeverityMedium, "alice", "203.0.113.7", t0.Add(10*time.Minute), "fp-new")}); err != nil {
		t.Fatal(err)
	}
	a5, _ := s.Alert(ctx, "a5")
	if a5.Incident == alice.ID || a5.Incident == "" {
		t.Errorf("alert after resolution joined %q", a5.Incident)
	}
}

// TestIncidentsByWhoNotWhere: twenty users behind one application server
// (one address, one deployment) each raise alerts; each gets an incident
// of their own, in one batch and across batches. Alerts with no user join
// one incident of their address, never a user's.
func TestIncidentsByWhoNotWhere(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	const server = "10.0.0.5"
	shared := func(id, user string, at time.Time) alert.Alert {
		a := mk(id, "Warden.AI.Jailbreak.Detected", scan.SeverityMedium, user, server, at, "fp-"+id)
		a.Resource = "gpt-4o-prod"
		if user == "" {
			a.Entities = a.Entities[1:] // no user entity
		}
		return a
	}
	var batch []alert.Alert
	for i := range 20 {
		batch = append(batch, shared(fmt.Sprintf("u%d-1", i), fmt.Sprintf("user%02d", i), t0.Add(time.Duration(i)*time.Second)))
	}
	if err := s.RecordAlerts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	batch = batch[:0]
	for i := range 20 {
		batch = append(batch, shared(fmt.Sprintf("u%d-2", i), fmt.Sprintf("user%02d", i), t0.Add(time.Minute+time.Duration(i)*time.Second)))
	}
	batch = append(batch, shared("anon-1", "", t0.Add(2*time.Minute)), shared("anon-2", "", t0.Add(3*time.Minute)))
	if err := s.RecordAlerts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	incs, err := s.Incidents(ctx, IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 21 {
		t.Fatalf("%d incidents, want 21 (one a user, one for the anonymous alerts)", len(incs))
	}
	for _, inc := range incs {
		if inc.AlertCount != 2 {
			t.Errorf("incident %s has %d alerts, want 2", inc.ID, inc.AlertCount)
		}
	}
	a1, _ := s.Alert(ctx, "anon-1")
	a2, _ := s.Alert(ctx, "anon-2")
	u1, _ := s.Alert(ctx, "u3-1")
	if a1.Incident != a2.Incident || a1.Incident == u1.Incident {
		t.Errorf("anonymous alerts in %q and %q, user03's in %q: want the anonymous ones together, apart from users", a1.Incident, a2.Incident, u1.Incident)
	}
}
