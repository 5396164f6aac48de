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

// TestPurgeInteractions: interaction records older than their retention go,
// newer ones stay, over a faked clock.
func TestPurgeInteractions(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	var rs []interaction.Record
	for i, age := range []time.Duration{time.Hour, 100 * 24 * time.Hour, 200 * 24 * time.Hour} {
		rs = append(rs, interaction.Record{ID: fmt.Sprintf("r%d", i), At: now.Add(-age), Subscription: "s", Verdict: "allow"})
	}
	if err := s.RecordInteractions(ctx, rs); err != nil {
		t.Fatal(err)
	}
	p, err := s.Purge(ctx, now, Retention{Interactions: 180 * 24 * time.Hour}, nil)
	if err != nil || p.Interactions != 1 {
		t.Fatalf("Purge: %+v, %v; want one interaction deleted", p, err)
	}
	left, _, err := s.Interactions(ctx, interaction.Filter{})
	if err != nil || len(left) != 2 || left[1].ID != "r1" {
		t.Errorf("left %+v, %v; want the 1-hour and 100-day-old records", left, err)
	}
}
