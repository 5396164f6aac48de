package store

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/signin"
	"github.com/wardenhq/warden/internal/traffic"
)

// TestAccountsAndSessions: accounts are stored with their hash and read
// back (lists without it); sessions by key, expired ones dropped when a
// new one is stored.
func TestAccountsAndSessions(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	if err := s.PutAccount(ctx, signin.Account{Name: "ana", Role: "reader", Subscriptions: []string{"a", "b"}, Hash: "$argon2id$x", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	a, ok, err := s.Account(ctx, "ana")
	if err != nil || !ok || a.Hash != "$argon2id$x" || len(a.Subscriptions) != 2 {
		t.Errorf("account %+v %v %v", a, ok, err)
	}
	if _, ok, err := s.Account(ctx, "nobody"); ok || err != nil {
		t.Errorf("missing account: %v %v", ok, err)
	}
	as, _ := s.Accounts(ctx)
	if len(as) != 1 || as[0].Hash != "" {
		t.Errorf("list %+v, want ana without her hash", as)
	}
	s.now = func() time.Time { return t0 }
	if err := s.PutSession(ctx, "k-old", signin.Session{Name: "ana", Expires: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return t0.Add(time.Hour) }
	if err := s.PutSession(ctx, "k-new", signin.Session{Name: "ana", Role: "reader", Expires: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Session(ctx, "k-old"); ok {
		t.Error("an expired session survived a new one")
	}
	if got, ok, err := s.Session(ctx, "k-new"); !ok || err != nil || got.Role != "reader" {
		t.Errorf("session %+v %v %v", got, ok, err)
	}
	if err := s.DeleteSession(ctx, "k-new"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Session(ctx, "k-new"); ok {
		t.Error("a deleted session is still there")
	}
}

// TestTrafficAddsUp: two replicas' counts of one minute add up.
func TestTrafficAddsUp(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := time.Date(2026, 12, 5, 12, 1, 0, 0, time.UTC)
	one := traffic.Minute{At: m, Subscription: "a", Requests: 3, Scanned: 2, Blocked: 1}
	one.Latency[4] = 2
	for range 2 {
		if err := s.AddTraffic(ctx, []traffic.Minute{one}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Traffic(ctx, m.Add(-time.Hour), m.Add(time.Hour), nil)
	if err != nil || len(got) != 1 || got[0].Requests != 6 || got[0].Blocked != 2 || got[0].Latency[4] != 4 || !got[0].At.Equal(m) {
		t.Errorf("traffic %+v (%v), want the two adds summed", got, err)
	}
	if got, _ := s.Traffic(ctx, m.Add(-time.Hour), m.Add(time.Hour), []string{"b"}); len(got) != 0 {
		t.Errorf("another subscription's traffic: %+v", got)
	}
}
