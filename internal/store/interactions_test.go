package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

func TestInteractionsExplorer(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	var rs []interaction.Record
	for i := range 25 {
		r := interaction.Record{ID: fmt.Sprintf("req-%02d", i), At: t0.Add(time.Duration(i) * time.Second), Subscription: "s1",
			Application: "chat", User: "alice", UserContext: true, Verdict: "allow", API: "chat", Route: "openai"}
		if i%5 == 0 {
			r.Verdict, r.FindingTypes, r.SensitiveTypes = "flag", []string{"sensitive_data_in_prompt"}, map[string]int{"credit_card": 1}
		}
		if i%2 == 1 {
			r.User, r.UserContext, r.Subscription, r.Application = "", false, "s2", "batch"
		}
		rs = append(rs, r)
	}
	// A whole second (no fraction) and a fraction of it: time order, not
	// text order of trimmed RFC 3339.
	rs[3].At, rs[4].At = t0.Add(100*time.Second), t0.Add(100*time.Second+100*time.Millisecond)
	if err := s.RecordInteractions(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordInteractions(ctx, rs[:2]); err != nil { // a retried batch
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    interaction.Filter
		want int
	}{
		{"all", interaction.Filter{Limit: 1000}, 25},
		{"subscription", interaction.Filter{Subscriptions: []string{"s1"}, Limit: 1000}, 13},
		{"no subscriptions allowed", interaction.Filter{Subscriptions: []string{}}, 0},
		{"user", interaction.Filter{User: "alice", Limit: 1000}, 13},
		{"application", interaction.Filter{Application: "batch", Limit: 1000}, 12},
		{"finding type", interaction.Filter{FindingType: "sensitive_data_in_prompt", Limit: 1000}, 5},
		{"sensitive type", interaction.Filter{SensitiveType: "credit_card", Limit: 1000}, 5},
		{"part of a type name matches nothing", interaction.Filter{SensitiveType: "credit", Limit: 1000}, 0},
		{"verdict", interaction.Filter{Verdict: "flag", Limit: 1000}, 5},
		{"time range", interaction.Filter{From: t0.Add(10 * time.Second), To: t0.Add(20 * time.Second), Limit: 1000}, 10},
	}
	for _, tt := range tests {
		got, _, err := s.Interactions(ctx, tt.f)
		if err != nil || len(got) != tt.want {
			t.Errorf("%s: %d interactions (%v), want %d", tt.name, len(got), err, tt.want)
		}
	}
	// Pages of 7, newest first, each once.
	var pages [][]interaction.Record
	cursor := ""
	for {
		page, next, err := s.Interactions(ctx, interaction.Filter{Limit: 7, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page)
		if next == "" {
			break
		}
		cursor = next
	}
	var ids []string
	var last time.Time
	for _, p := range pages {
		for _, r := range p {
			if !last.IsZero() && r.At.After(last) {
				t.Errorf("%s at %v after %v: not newest first", r.ID, r.At, last)
			}
			last = r.At
			ids = append(ids, r.ID)
		}
	}
	if len(pages) != 4 || len(ids) != 25 || ids[0] != "req-04" || ids[1] != "req-03" {
		t.Errorf("%d pages, %d records, first %v; want 4 pages of all 25, req-04 then req-03 first", len(pages), len(ids), ids[:2])
	}
	if _, _, err := s.Interactions(ctx, interaction.Filter{Cursor: "nonsense"}); err == nil {
		t.Error("a bad cursor: no error")
	}
}

// TestLifecycleAndHolds: over a faked clock, policies delete what they no
// longer keep (the most specific policy deciding), strip content earlier
// where asked, and a legal hold keeps what it covers until it is released.
func TestLifecycleAndHolds(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	rec := func(id, sub, app, user string, age time.Duration) interaction.Record {
		return interaction.Record{ID: id, At: now.Add(-age), Subscription: sub, Application: app, User: user, Verdict: "allow",
			Sealed: []byte("sealed"), ContentKey: "k1", HasContent: true}
	}
	if err := s.RecordInteractions(ctx, []interaction.Record{
		rec("young", "s1", "chat", "alice", day),
		rec("old-chat", "s1", "chat", "alice", 40*day),  // s1's default: 90 days; content 30
		rec("old-hr", "s1", "hr-bot", "bob", 40*day),    // hr-bot: 30 days
		rec("held-hr", "s1", "hr-bot", "carol", 40*day), // hr-bot, but carol is on hold
		rec("ancient", "s2", "chat", "dave", 200*day),   // default: 180 days
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutHold(ctx, Hold{ID: "case-7", User: "carol", Reason: "litigation", CreatedBy: "olivia", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	policies := []LifecyclePolicy{
		{Subscription: "s1", Keep: 90 * day, KeepContent: 30 * day},
		{Subscription: "s1", Application: "hr-bot", Keep: 30 * day},
		{Keep: 180 * day},
	}
	run, err := s.ApplyLifecycle(ctx, now, policies)
	if err != nil {
		t.Fatal(err)
	}
	if run.Interactions != 2 || run.Contents != 1 || run.Held != 1 {
		t.Errorf("run %+v; want old-hr and ancient deleted, old-chat's content stripped, held-hr kept by its hold", run)
	}
	left := map[string]bool{}
	all, _, _ := s.Interactions(ctx, interaction.Filter{})
	for _, r := range all {
		left[r.ID] = true
	}
	if !left["young"] || !left["old-chat"] || !left["held-hr"] || left["old-hr"] || left["ancient"] {
		t.Errorf("left %v", left)
	}
	if r, err := s.Interaction(ctx, "old-chat"); err != nil || r.HasContent {
		t.Errorf("old-chat after its content went: has_content %v (%v), want false", r.HasContent, err)
	}
	if _, _, err := s.RevealContent(ctx, "old-chat", "cora", "checking retention", now); err != ErrNotFound {
		t.Errorf("old-chat's content after 30 days: %v, want gone", err)
	}
	if _, _, err := s.RevealContent(ctx, "held-hr", "cora", "checking the hold", now); err != nil {
		t.Errorf("held content: %v, want kept", err)
	}
	// Released, the hold keeps nothing.
	if err := s.ReleaseHold(ctx, "case-7"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseHold(ctx, "case-7"); err != ErrNotFound {
		t.Errorf("releasing twice: %v, want ErrNotFound", err)
	}
	if run, err = s.ApplyLifecycle(ctx, now.Add(time.Minute), policies); err != nil || run.Interactions != 1 {
		t.Errorf("after release: %+v, %v; want held-hr deleted", run, err)
	}
}
