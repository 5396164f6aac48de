package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSharedCounts adds to one count from three stores at once (replicas)
// and claims its alert from all of them: the totals are distinct and
// complete, and exactly one claim wins; the next window's claim is refused
// while the previous one holds.
func TestSharedCounts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var stores []*Store
	for range 3 {
		s, err := openTest(t, ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	w0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	w1 := w0.Add(time.Minute)
	var mu sync.Mutex
	totals := map[int]bool{}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				cur, _, err := s.AddCount(ctx, "dup|k", w0, w0.Add(-time.Minute), 1)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				totals[cur] = true
				mu.Unlock()
				if cur >= 50 {
					ok, err := s.ClaimAlert(ctx, "dup|k", w0, w0.Add(-time.Minute))
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						wins.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(totals) != 60 || !totals[60] {
		t.Errorf("saw %d distinct totals (want 60, up to 60)", len(totals))
	}
	if got := wins.Load(); got != 1 {
		t.Errorf("%d claims won, want exactly 1", got)
	}
	cur, before, err := stores[0].AddCount(ctx, "dup|k", w1, w0, 1)
	if err != nil || cur != 1 || before != 60 {
		t.Errorf("next window: cur %d before %d (%v), want 1 and 60", cur, before, err)
	}
	if ok, err := stores[1].ClaimAlert(ctx, "dup|k", w1, w0); ok || err != nil {
		t.Errorf("next window's claim = %v, %v; want refused while the previous window's holds", ok, err)
	}
}
