package store

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSharedCounts adds to one count from three stores at once (replicas),
// each through its batched Counts: after a flush every replica's estimate
// is the whole total, nothing counted twice or lost; exactly one claim of
// the alert wins, and the next window's is refused while the previous
// one's holds.
func TestSharedCounts(t *testing.T) {
	ctx := context.Background()
	stores := openReplicas(t, 3)
	var counts []*Counts
	for _, s := range stores {
		counts = append(counts, s.NewCounts(time.Hour))
	}
	// Windows near now: totals over an hour old are forgotten.
	w0 := time.Now().UTC().Truncate(time.Minute)
	w1, prev := w0.Add(time.Minute), w0.Add(-time.Minute)
	var wg sync.WaitGroup
	for _, c := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				c.Add("dup|k", w0, prev, 1)
			}
			if err := c.flush(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, c := range counts {
		c.Add("dup|k", w0, prev, 0)
		c.flush(ctx) //nolint:errcheck // learn the others' totals
	}
	for i, c := range counts {
		if cur, _ := c.Add("dup|k", w0, prev, 0); cur != 60 {
			t.Errorf("replica %d estimates %d, want 60 (20 from each of three)", i, cur)
		}
	}
	if cur, before := counts[0].Add("dup|k", w1, w0, 1); cur != 1 || before != 60 {
		t.Errorf("next window: %d, before %d; want 1 and 60", cur, before)
	}
	var wins atomic.Int32
	for _, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimAlert(ctx, "dup|k", w0, prev)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if got := wins.Load(); got != 1 {
		t.Errorf("%d claims won, want exactly 1", got)
	}
	if ok, err := stores[1].ClaimAlert(ctx, "dup|k", w1, w0); ok || err != nil {
		t.Errorf("next window's claim = %v, %v; want refused while the previous window's holds", ok, err)
	}
}

// TestLearn: a value is new once across stores, and the learning period
// starts at the first value anyone learned.
func TestLearn(t *testing.T) {
	ctx := context.Background()
	rs := openReplicas(t, 2)
	a, b := rs[0], rs[1]
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		s       *Store
		value   string
		at      time.Time
		wantNew bool
	}{
		{a, "10.0.0.0/24", t0, true},
		{b, "10.0.0.0/24", t0.Add(time.Hour), false},
		{b, "172.16.0.0/24", t0.Add(2 * time.Hour), true},
		{a, "172.16.0.0/24", t0.Add(3 * time.Hour), false},
	}
	for i, tt := range tests {
		isNew, since, err := tt.s.Learn(ctx, "acc|s|alice|net", tt.value, tt.at)
		if err != nil || isNew != tt.wantNew || !since.Equal(t0) {
			t.Errorf("%d: Learn(%s) = %v, since %v, %v; want new %v since %v", i, tt.value, isNew, since, err, tt.wantNew, t0)
		}
	}
	vs, err := b.Values(ctx, "acc|s|alice|net")
	if err != nil || strings.Join(vs, ",") != "10.0.0.0/24,172.16.0.0/24" {
		t.Errorf("Values = %v, %v; want both networks", vs, err)
	}
}
