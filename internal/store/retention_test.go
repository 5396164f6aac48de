package store

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/controlplane"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/subscription"

	"github.com/wardenhq/warden/internal/signin"
	"github.com/wardenhq/warden/internal/traffic"
)

// TestPurge: what retention no longer keeps goes, with what hangs on it
// (comments, incident keys); what it keeps stays; an export event goes only
// once every sink delivered it.
func TestPurge(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC()
	old, recent := now.Add(-400*24*time.Hour), now.Add(-time.Hour)
	if err := s.RecordAlerts(ctx, []alert.Alert{
		mk("old", "Warden.AI.Jailbreak.Detected", scan.SeverityMedium, "alice", "203.0.113.7", old, "fp-old"),
		mk("new", "Warden.AI.Jailbreak.Detected", scan.SeverityMedium, "bob", "192.0.2.1", recent, "fp-new"),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateAlert(ctx, "old", Update{Comment: "looked at it", Author: "soc1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SeedSubscriptions(ctx, []subscription.Settings{{ID: "s", Plan: true, Mode: subscription.ModeBlock}}, now); err != nil {
		t.Fatal(err)
	}
	for i, at := range []time.Time{old, recent} {
		c := controlplane.Change{ID: string(rune('a' + i)), Subscription: "s", Principal: "p", At: at,
			After: subscription.Settings{ID: "s", Plan: true, Mode: subscription.ModeDetect}}
		if err := s.ChangeSubscription(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
	}
	events, _ := s.OutboxAfter(ctx, 0, 100)
	if len(events) != 2 {
		t.Fatalf("%d outbox events, want 2", len(events))
	}
	if err := s.SetSinkPosition(ctx, "sink:a", events[0].Seq); err != nil {
		t.Fatal(err)
	}

	later := now.Add(10 * 24 * time.Hour) // the events are ten days old by then
	r := Retention{Alerts: 365 * 24 * time.Hour, Audit: 365 * 24 * time.Hour, Outbox: 7 * 24 * time.Hour}
	// A sink that never delivered holds every event back.
	p, err := s.Purge(ctx, later, r, []string{"sink:a", "sink:new"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Alerts != 1 || p.Incidents != 1 || p.Changes != 1 || p.Events != 0 {
		t.Errorf("purged %+v, want 1 alert, its incident, 1 change and no event", p)
	}
	p, err = s.Purge(ctx, later, r, []string{"sink:a"})
	if err != nil || p.Events != 1 {
		t.Errorf("purge with one sink at the first event: %+v %v, want that event only", p, err)
	}
	if as, _ := s.Alerts(ctx, AlertFilter{}); len(as) != 1 || as[0].ID != "new" {
		t.Errorf("alerts left %v, want only the recent one", as)
	}
	if _, err := s.Alert(ctx, "old"); err == nil {
		t.Errorf("old alert still readable")
	}
	var comments, keys int
	s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments`).Scan(&comments)
	s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM incident_keys WHERE value = 'alice'`).Scan(&keys)
	if comments != 0 || keys != 0 {
		t.Errorf("%d comments and %d incident keys of purged records left, want none", comments, keys)
	}
	if cs, _ := s.SettingsChanges(ctx, "s", time.Time{}, 0); len(cs) != 1 || !cs[0].At.Equal(recent) {
		t.Errorf("audit log left %+v, want the recent change", cs)
	}
	// Zero retention keeps everything.
	if p, err := s.Purge(ctx, later.Add(1000*24*time.Hour), Retention{}, nil); err != nil || p != (Purged{}) {
		t.Errorf("zero retention purged %+v (%v), want nothing", p, err)
	}
}

// TestPurgeNewRecords: the audit of people's actions follows the audit
// retention, the dashboard's traffic the alerts', and ended sessions go.
func TestPurgeNewRecords(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{now.Add(-100 * 24 * time.Hour), now.Add(-time.Hour)} {
		if err := s.Audit(ctx, AuditEvent{At: at, Principal: "p", Action: "api.change", Target: "t"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddTraffic(ctx, []traffic.Minute{{At: at.Truncate(time.Minute), Subscription: "a", Requests: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	s.now = func() time.Time { return now.Add(-2 * time.Hour) }
	if err := s.PutSession(ctx, "old", signin.Session{Expires: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSession(ctx, "live", signin.Session{Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Purge(ctx, now, Retention{Alerts: 30 * 24 * time.Hour, Audit: 90 * 24 * time.Hour}, nil); err != nil {
		t.Fatal(err)
	}
	if evs, _ := s.AuditEvents(ctx, "t", 0); len(evs) != 1 {
		t.Errorf("%d audit events, want the recent one", len(evs))
	}
	if ms, _ := s.Traffic(ctx, now.Add(-200*24*time.Hour), now, nil); len(ms) != 1 {
		t.Errorf("%d traffic minutes, want the recent one", len(ms))
	}
	if _, ok, _ := s.Session(ctx, "old"); ok {
		t.Error("an ended session survived the purge")
	}
	if _, ok, _ := s.Session(ctx, "live"); !ok {
		t.Error("a live session was purged")
	}
}
