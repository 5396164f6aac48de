package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/policy"
)

// TestPolicyVersions: a policy is created at version 1, edited only from
// the version current, deleted with its history kept; the file's seed
// writes a policy once and never brings back one deleted at run time.
func TestPolicyVersions(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	ev := func(a string) AuditEvent {
		return AuditEvent{At: t0, Principal: "olive", Action: a, Target: "policy:p"}
	}
	p := policy.Policy{ID: "p", Subscription: "s", Sensitivity: "high", UpdatedAt: t0}
	got, err := s.PutPolicy(ctx, p, 0, ev("policy.create"))
	if err != nil || got.Version != 1 {
		t.Fatalf("create: %+v %v", got, err)
	}
	if _, err := s.PutPolicy(ctx, p, 0, ev("policy.create")); !errors.Is(err, ErrConflict) {
		t.Errorf("creating again: %v, want ErrConflict", err)
	}
	p.Sensitivity = "low"
	if got, err = s.PutPolicy(ctx, p, 1, ev("policy.update")); err != nil || got.Version != 2 {
		t.Fatalf("edit: %+v %v", got, err)
	}
	if _, err := s.PutPolicy(ctx, p, 1, ev("policy.update")); !errors.Is(err, ErrConflict) {
		t.Errorf("stale edit: %v, want ErrConflict", err)
	}
	if _, err := s.PutPolicy(ctx, policy.Policy{ID: "none", Subscription: "s"}, 3, ev("policy.update")); !errors.Is(err, ErrNotFound) {
		t.Errorf("editing a missing policy: %v, want ErrNotFound", err)
	}
	if cur, err := s.Policy(ctx, "p"); err != nil || cur.Sensitivity != "low" || cur.Version != 2 {
		t.Errorf("current %+v %v", cur, err)
	}
	if err := s.DeletePolicy(ctx, "p", ev("policy.delete")); err != nil {
		t.Fatal(err)
	}
	vs, err := s.PolicyVersions(ctx, "p")
	if err != nil || len(vs) != 3 || !vs[2].Deleted || vs[0].Policy.Sensitivity != "high" {
		t.Errorf("history %+v (%v), want create, edit, deletion", vs, err)
	}
	// The seed: p was deleted at run time and stays deleted; q is new.
	if err := s.SeedPolicies(ctx, []policy.Policy{{ID: "p", Subscription: "s"}, {ID: "q", Subscription: "s"}}, t0); err != nil {
		t.Fatal(err)
	}
	ps, _ := s.Policies(ctx)
	if len(ps) != 1 || ps[0].ID != "q" || ps[0].Source != "config" {
		t.Errorf("after seeding %+v, want q alone, from config", ps)
	}
	if err := s.SeedPolicies(ctx, []policy.Policy{{ID: "q", Subscription: "s", Sensitivity: "high"}}, t0); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.Policy(ctx, "q"); q.Version != 1 || q.Sensitivity != "" {
		t.Errorf("seeding again %+v: want q untouched (the API owns it once written)", q)
	}
}
