package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

// TestReviewQueue: policy hits recorded with their interaction land in
// the queue once, users pseudonymised (one stable pseudonym each), paged
// by cursor; acting on an item changes its status and is audited in the
// same transaction; policies are added and deleted with audit events.
func TestReviewQueue(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	p := interaction.Policy{ID: "pol-1", Name: "merger", Keywords: []string{"falcon"}, CreatedBy: "olive", CreatedAt: t0}
	if err := s.PutCompliancePolicy(ctx, p, AuditEvent{At: t0, Principal: "olive", Action: "policy.create", Target: "policy:pol-1"}); err != nil {
		t.Fatal(err)
	}
	ps, err := s.CompliancePolicies(ctx)
	if err != nil || len(ps) != 1 || !slices.Equal(ps[0].Keywords, []string{"falcon"}) {
		t.Fatalf("policies %+v (%v), want the one added", ps, err)
	}
	var rs []interaction.Record
	for i := range 7 {
		user := []string{"alice", "bob"}[i%2]
		r := interaction.Record{ID: fmt.Sprintf("req-%d", i), At: t0.Add(time.Duration(i) * time.Second), Subscription: "s1",
			Application: "chat", User: user, UserContext: true, Verdict: "allow"}
		if i != 6 {
			r.Reviews = []interaction.Hit{{Policy: "pol-1", Reasons: []string{"keyword falcon"}}}
			r.Policies = []string{"pol-1"}
		}
		rs = append(rs, r)
	}
	if err := s.RecordInteractions(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordInteractions(ctx, rs[:3]); err != nil { // a retried batch
		t.Fatal(err)
	}
	var all []ReviewItem
	cursor := ""
	for {
		page, next, err := s.ReviewItems(ctx, ReviewFilter{Limit: 4, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(all) != 6 {
		t.Fatalf("%d items, want 6: one per interaction and policy met, a retried batch adding none", len(all))
	}
	pseud := map[string]bool{}
	for _, it := range all {
		if it.User != "" || !strings.HasPrefix(it.Pseudonym, "user-") || it.Status != ReviewPending || !slices.Equal(it.Reasons, []string{"keyword falcon"}) {
			t.Errorf("item %+v: want pending, pseudonymised (no user), with its reason", it)
		}
		pseud[it.Pseudonym] = true
	}
	if len(pseud) != 2 {
		t.Errorf("pseudonyms %v, want one per user (2)", pseud)
	}
	one, err := s.ReviewItem(ctx, all[0].ID)
	if err != nil || one.User == "" || one.Pseudonym != all[0].Pseudonym {
		t.Errorf("ReviewItem %+v (%v): want the item with its user, for the API to decide who sees it", one, err)
	}
	e := AuditEvent{At: t0.Add(time.Hour), Principal: "rita", Action: "review.escalate", Target: "review:" + one.ID, Detail: "needs HR"}
	if err := s.ActOnReview(ctx, one.ID, ReviewEscalated, e); err != nil {
		t.Fatal(err)
	}
	if err := s.ActOnReview(ctx, "nope", ReviewResolved, e); !errors.Is(err, ErrNotFound) {
		t.Errorf("acting on a missing item: %v, want ErrNotFound", err)
	}
	esc, _, _ := s.ReviewItems(ctx, ReviewFilter{Status: ReviewEscalated})
	if len(esc) != 1 || esc[0].ID != one.ID {
		t.Errorf("escalated items %+v, want the one escalated", esc)
	}
	evs, err := s.AuditEvents(ctx, "review:"+one.ID, 0)
	if err != nil || len(evs) != 1 || evs[0].Principal != "rita" || evs[0].Detail != "needs HR" {
		t.Errorf("audit of the item %+v (%v), want rita's escalation with her note", evs, err)
	}
	if err := s.DeleteCompliancePolicy(ctx, "pol-1", AuditEvent{At: t0, Principal: "olive", Action: "policy.delete", Target: "policy:pol-1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCompliancePolicy(ctx, "pol-1", AuditEvent{At: t0, Principal: "olive", Action: "policy.delete", Target: "policy:pol-1"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if evs, _ := s.AuditEvents(ctx, "policy:pol-1", 0); len(evs) != 2 {
		t.Errorf("policy audit %+v, want its creation and deletion", evs)
	}
	if left, _, _ := s.ReviewItems(ctx, ReviewFilter{}); len(left) != 6 {
		t.Errorf("after the policy is deleted %d items, want its 6 kept for review", len(left))
	}
}
