package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

func testSealer(t *testing.T, ids ...string) *interaction.Sealer {
	t.Helper()
	raw := map[string]string{"k1": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "k2": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="}
	var keys []interaction.Key
	for _, id := range ids {
		k, err := interaction.ParseKey(id, raw[id])
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	s, err := interaction.NewSealer(keys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sealed is a record with content sealed and indexed as the writer does.
func sealed(t *testing.T, s *interaction.Sealer, r interaction.Record, text string) interaction.Record {
	t.Helper()
	c := interaction.Content{Prompt: []interaction.Turn{{Role: "user", Text: text}}}
	kid, b, err := s.Seal(r.ID, c)
	if err != nil {
		t.Fatal(err)
	}
	r.ContentKey, r.Sealed, r.HasContent = kid, b, true
	_, r.Terms = s.Terms(c)
	return r
}

// TestContentSearch: words and phrases over captured content through the
// blind index, combined with metadata filters, across a key rotation;
// no word of the content is in the database file; the lifecycle job
// takes content out of the index with the content.
func TestContentSearch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := openTest(t, ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	old, cur := testSealer(t, "k1"), testSealer(t, "k2", "k1")
	rec := func(id, user string, at time.Time) interaction.Record {
		return interaction.Record{ID: id, At: at, Subscription: "s1", User: user, UserContext: true, Verdict: "allow"}
	}
	rs := []interaction.Record{
		sealed(t, old, rec("r1", "alice", t0), "Please summarise the Zanzibar acquisition terms"),
		sealed(t, cur, rec("r2", "bob", t0.Add(time.Minute)), "Is the zanzibar deal public? Acquisition later."),
		sealed(t, cur, rec("r3", "alice", t0.Add(2*time.Minute)), "Lunch menu for Friday"),
		rec("r4", "carol", t0.Add(3*time.Minute)), // no content kept
	}
	if err := s.RecordInteractions(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordInteractions(ctx, rs); err != nil { // a retried batch
		t.Fatal(err)
	}
	search := func(q string, f interaction.Filter) []string {
		t.Helper()
		tq, err := cur.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		f.Text = tq
		got, _, err := s.Interactions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		return ids
	}
	tests := []struct {
		q    string
		f    interaction.Filter
		want []string
	}{
		{"zanzibar", interaction.Filter{}, []string{"r1", "r2"}},
		{"ZANZIBAR acquisition", interaction.Filter{}, []string{"r1", "r2"}},
		{`"zanzibar acquisition"`, interaction.Filter{}, []string{"r1"}},
		{`"acquisition zanzibar"`, interaction.Filter{}, nil},
		{"zanzibar", interaction.Filter{User: "bob"}, []string{"r2"}},
		{"menu friday", interaction.Filter{}, []string{"r3"}},
		{"zanz", interaction.Filter{}, nil},
		{"nowhere", interaction.Filter{}, nil},
	}
	for _, tt := range tests {
		if got := search(tt.q, tt.f); !slices.Equal(got, tt.want) {
			t.Errorf("search %q %+v: %v, want %v", tt.q, tt.f, got, tt.want)
		}
	}
	if !s.postgres {
		s.Close()
		for _, name := range []string{"warden.db", "warden.db-wal"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			for _, w := range []string{"zanzibar", "Zanzibar", "acquisition", "Lunch"} {
				if bytes.Contains(b, []byte(w)) {
					t.Errorf("%s holds the word %q", name, w)
				}
			}
		}
		if s, err = openTest(t, ctx, dir); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}
	// Content kept a day: the lifecycle job strips it, and with it the
	// index entries; records stay.
	if _, err := s.ApplyLifecycle(ctx, t0.Add(48*time.Hour), []LifecyclePolicy{{KeepContent: 24 * time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if got := search("zanzibar", interaction.Filter{}); len(got) != 0 {
		t.Errorf("after content is deleted, search finds %v, want nothing", got)
	}
	if all, _, _ := s.Interactions(ctx, interaction.Filter{}); len(all) != 4 {
		t.Errorf("%d records after content deletion, want 4", len(all))
	}
}

// TestCases: a case with searches and a hold; closing it releases the
// hold (and only its own), audited.
func TestCases(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	c := Case{ID: "c1", Name: "Falcon", Status: CaseOpen, CreatedBy: "erin", CreatedAt: t0}
	if err := s.PutCase(ctx, c, AuditEvent{At: t0, Principal: "erin", Action: "case.create", Target: "case:c1"}); err != nil {
		t.Fatal(err)
	}
	cs := CaseSearch{ID: "s1", Case: "c1", Text: "falcon", User: "alice", CreatedBy: "erin", CreatedAt: t0}
	if err := s.AddCaseSearch(ctx, cs, AuditEvent{At: t0, Principal: "erin", Action: "case.search", Target: "case:c1"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.CaseSearches(ctx, "c1"); err != nil || len(got) != 1 || got[0].Text != "falcon" || got[0].User != "alice" {
		t.Errorf("searches %+v (%v)", got, err)
	}
	for _, h := range []Hold{{ID: "h1", User: "alice", Reason: "case Falcon", Case: "c1", CreatedAt: t0}, {ID: "h2", User: "bob", Reason: "other matter", CreatedAt: t0}} {
		if err := s.PutHold(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CloseCase(ctx, "c1", AuditEvent{At: t0.Add(time.Hour), Principal: "erin", Action: "case.close", Target: "case:c1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseCase(ctx, "c1", AuditEvent{At: t0.Add(time.Hour), Principal: "erin", Action: "case.close", Target: "case:c1"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("closing twice: %v, want ErrNotFound", err)
	}
	hs, _ := s.Holds(ctx)
	if len(hs) != 1 || hs[0].ID != "h2" {
		t.Errorf("holds after closing %+v, want only the other matter's", hs)
	}
	got, err := s.Case(ctx, "c1")
	if err != nil || got.Status != CaseClosed || !got.ClosedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("case %+v (%v), want closed at t0+1h", got, err)
	}
	if evs, _ := s.AuditEvents(ctx, "case:c1", 0); len(evs) != 3 {
		t.Errorf("case audit %+v, want create, search, close", evs)
	}
}
