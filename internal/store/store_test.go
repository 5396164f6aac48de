package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/subscription"
)

func TestSubscriptionsSeedAndOverride(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := openTest(t, ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	seed := []subscription.Settings{{ID: "a", Plan: true, Mode: subscription.ModeDetect}, {ID: "b", Plan: false, Mode: subscription.ModeDetect}}
	if err := s.SeedSubscriptions(ctx, seed, now); err != nil {
		t.Fatal(err)
	}
	// A run-time change through the API...
	if err := s.PutSubscription(ctx, subscription.Settings{ID: "a", Plan: true, Mode: subscription.ModeBlock, UpdatedAt: now, UpdatedBy: "owner@x"}); err != nil {
		t.Fatal(err)
	}
	// ...survives a restart that seeds the configuration again, while
	// config-owned settings follow the file.
	s.Close()
	s, err = openTest(t, ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seed[0].Mode, seed[1].Plan = subscription.ModeDetect, true
	if err := s.SeedSubscriptions(ctx, seed, now); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Subscription(ctx, "a")
	b, _ := s.Subscription(ctx, "b")
	if a.Mode != subscription.ModeBlock || a.Source != "api" || a.UpdatedBy != "owner@x" {
		t.Errorf("api-changed subscription = %+v, want block from api", a)
	}
	if !b.Plan || b.Source != "config" {
		t.Errorf("config subscription = %+v, want plan on from config", b)
	}
	if _, err := s.Subscription(ctx, "zzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing subscription: err = %v, want ErrNotFound", err)
	}
}

func TestAlertsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var as []alert.Alert
	for i, sub := range []string{"x", "y", "x"} {
		as = append(as, alert.Alert{ID: string(rune('a' + i)), Type: alert.JailbreakDetected.Type, Severity: scan.SeverityMedium,
			Subscription: sub, Action: "detected", Confidence: 0.9, FirstSeen: t0.Add(time.Duration(i) * time.Minute),
			LastSeen: t0.Add(time.Duration(i) * time.Minute), Findings: []scan.Finding{{Spans: []scan.Span{{1, 5}}}}})
	}
	if err := s.RecordAlerts(ctx, as); err != nil {
		t.Fatal(err)
	}
	got, err := s.Alerts(ctx, AlertFilter{Subscription: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "c" || got[1].ID != "a" {
		t.Errorf("Alerts(x) = %v, want c then a", ids(got))
	}
	if got[0].Findings[0].Spans[0] != (scan.Span{1, 5}) {
		t.Errorf("findings not kept: %+v", got[0].Findings)
	}
	page, _ := s.Alerts(ctx, AlertFilter{Limit: 1, Offset: 1})
	if len(page) != 1 || page[0].ID != "b" {
		t.Errorf("page 2 of 1 = %v, want b", ids(page))
	}
	// A repeated id is a repeat, not a new alert: skipped, and the rest of
	// its batch is stored.
	dup := []alert.Alert{{ID: "new", Type: "t", FirstSeen: t0, LastSeen: t0}, {ID: as[0].ID, Type: "changed", FirstSeen: t0, LastSeen: t0}}
	if err := s.RecordAlerts(ctx, dup); err != nil {
		t.Fatalf("RecordAlerts with a repeated id: %v", err)
	}
	if _, err := s.Alert(ctx, "new"); err != nil {
		t.Errorf("the batch's new alert was not stored: %v", err)
	}
	if a, err := s.Alert(ctx, as[0].ID); err != nil || a.Type != as[0].Type {
		t.Errorf("the repeat changed the stored alert: %+v, %v", a.Type, err)
	}
	ev, _ := s.OutboxAfter(ctx, 0, 100)
	if len(ev) != 4 {
		t.Errorf("%d outbox events, want 4 (the repeat not exported again)", len(ev))
	}
	// A replayed spool batch is recorded once, however often it is replayed.
	batch := []alert.Alert{{ID: "spooled", Type: "t", FirstSeen: t0, LastSeen: t0}}
	for range 2 {
		if err := s.RecordAlertsOnce(ctx, "batch-1", batch); err != nil {
			t.Fatal(err)
		}
	}
	if ev, _ := s.OutboxAfter(ctx, 0, 100); len(ev) != 5 {
		t.Errorf("%d outbox events after a batch replayed twice, want 5", len(ev))
	}
}

func ids(as []alert.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// A data directory whose name has URI characters opens where it says.
func TestOpenOddDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "50% off?#1")
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Errorf("database not in %s: %v", dir, err)
	}
}

// Without an export sink, alerts are stored with no outbox event.
func TestNoOutboxWithoutSinks(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetExporting(false)
	t0 := time.Now()
	if err := s.RecordAlerts(ctx, []alert.Alert{{ID: "x", Type: "t", FirstSeen: t0, LastSeen: t0}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Alert(ctx, "x"); err != nil {
		t.Errorf("alert not stored: %v", err)
	}
	if ev, _ := s.OutboxAfter(ctx, 0, 10); len(ev) != 0 {
		t.Errorf("%d outbox events with no sink, want 0", len(ev))
	}
}
