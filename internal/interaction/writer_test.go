package interaction

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type memStore struct {
	mu    sync.Mutex
	rs    []Record
	fails int // batches to refuse first
}

func (m *memStore) RecordInteractions(_ context.Context, rs []Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fails > 0 {
		m.fails--
		return errors.New("store busy")
	}
	m.rs = append(m.rs, rs...)
	return nil
}

func (m *memStore) n() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rs)
}

// TestWriter: records reach the store in batches, a refused batch is
// retried, what is queued at shutdown is written, and a full queue drops
// (and counts) instead of blocking the caller.
func TestWriter(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st := &memStore{fails: 2}
	w := NewWriter(st, 1000, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	for i := range 700 {
		w.Record(Record{ID: string(rune('a' + i%26))})
	}
	deadline := time.Now().Add(5 * time.Second)
	for st.n() < 700 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := st.n(); got != 700 || w.Dropped() != 0 {
		t.Fatalf("stored %d of 700, dropped %d; want all, a refused batch retried", got, w.Dropped())
	}
	for range 50 {
		w.Record(Record{ID: "late"})
	}
	cancel()
	<-done
	if got := st.n(); got != 750 {
		t.Errorf("after shutdown stored %d, want 750: what was queued is written", got)
	}

	// No Run: the queue fills, and Record still returns at once.
	full := NewWriter(st, 10, log)
	drops := 0
	full.OnDrop = func() { drops++ }
	start := time.Now()
	for range 25 {
		full.Record(Record{})
	}
	if time.Since(start) > time.Second || full.Dropped() != 15 || drops != 15 {
		t.Errorf("full queue: dropped %d (callback %d), want 15, without blocking", full.Dropped(), drops)
	}
}

// TestCollect walks the cursor to the end, or stops at most and says so.
func TestCollect(t *testing.T) {
	pages := [][]Record{{{ID: "a"}, {ID: "b"}}, {{ID: "c"}, {ID: "d"}}, {{ID: "e"}}}
	list := func(_ context.Context, f Filter) ([]Record, string, error) {
		i := 0
		if f.Cursor != "" {
			i = int(f.Cursor[0] - '0')
		}
		next := ""
		if i+1 < len(pages) {
			next = string(rune('0' + i + 1))
		}
		return pages[i], next, nil
	}
	rs, more, err := Collect(context.Background(), list, Filter{}, 100)
	if err != nil || len(rs) != 5 || more {
		t.Errorf("all: %d records, more %v, %v; want 5, false", len(rs), more, err)
	}
	rs, more, _ = Collect(context.Background(), list, Filter{}, 3)
	if len(rs) != 4 || !more {
		t.Errorf("at most 3: %d records, more %v; want the two pages that reach 3, and more", len(rs), more)
	}
}
