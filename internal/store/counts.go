package store

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Counts are shared counts (AddCount) kept off the request path: Add
// answers at once from what this replica last learned of the shared total
// plus what it has added since, and Run writes the additions every flush
// interval in the background, learning the new totals (every replica's)
// in the same statements. A request never waits on the database to be
// counted; a total is at most one interval behind the other replicas.
type Counts struct {
	st       *Store
	every    time.Duration
	mu       sync.Mutex
	pending  map[countKey]int // added since the last flush began
	inflight map[countKey]int // being written by the current flush
	shared   map[countKey]int // totals as of the last flush
}

type countKey struct {
	key   string
	start int64 // unix nanoseconds of the window's start
}

// NewCounts returns batched shared counts over the store's
// behaviour_counts, flushed every interval.
func (s *Store) NewCounts(every time.Duration) *Counts {
	return &Counts{st: s, every: every, pending: map[countKey]int{}, shared: map[countKey]int{}}
}

// Add adds n to key's count in the window starting at start and returns
// its estimated total, and the previous window's (starting at prev).
func (c *Counts) Add(key string, start, prev time.Time, n int) (cur, before int) {
	k, p := countKey{key, start.UnixNano()}, countKey{key, prev.UnixNano()}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending[k] += n
	return c.shared[k] + c.inflight[k] + c.pending[k], c.shared[p] + c.inflight[p] + c.pending[p]
}

// Run flushes every interval until ctx ends, and once more at the end.
func (c *Counts) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(c.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			c.flush(fctx) //nolint:errcheck // best effort at shutdown
			cancel()
			return
		case <-t.C:
			if err := c.flush(ctx); err != nil && ctx.Err() == nil {
				log.Warn("behaviour counts not shared", "err", err)
			}
		}
	}
}

// flush writes the pending additions; what fails is kept for the next
// flush. Totals older than an hour are forgotten.
func (c *Counts) flush(ctx context.Context) error {
	c.mu.Lock()
	pending := c.pending
	c.pending, c.inflight = map[countKey]int{}, pending
	c.mu.Unlock()
	var firstErr error
	learned := map[countKey]int{}
	failed := map[countKey]int{}
	keys := make([]countKey, 0, len(pending))
	for k := range pending {
		keys = append(keys, k)
	}
	// Many keys (every active user has a few) go in one statement per
	// chunk: one round trip, not one per key.
	const chunk = 500
	for len(keys) > 0 {
		part := keys[:min(chunk, len(keys))]
		keys = keys[len(part):]
		if err := c.upsert(ctx, part, pending, learned); err != nil {
			for _, k := range part {
				failed[k] = pending[k]
			}
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	cutoff := time.Now().Add(-time.Hour).UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight = nil
	for k, n := range failed {
		c.pending[k] += n
	}
	for k, total := range learned {
		c.shared[k] = total
	}
	for k := range c.shared {
		if k.start < cutoff {
			delete(c.shared, k)
		}
	}
	return firstErr
}

// upsert adds the pending counts of keys in one statement and records the
// totals it returns.
func (c *Counts) upsert(ctx context.Context, keys []countKey, pending, learned map[countKey]int) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO behaviour_counts (key, window_start, n) VALUES `)
	args := make([]any, 0, 3*len(keys))
	starts := make(map[string]int64, len(keys))
	for i, k := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?)")
		st := ts(time.Unix(0, k.start))
		starts[st] = k.start
		args = append(args, k.key, st, pending[k])
	}
	q.WriteString(` ON CONFLICT (key, window_start) DO UPDATE SET n = behaviour_counts.n + excluded.n RETURNING key, window_start, n`)
	rows, err := c.st.db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key, st string
		var n int
		if err := rows.Scan(&key, &st, &n); err != nil {
			return err
		}
		learned[countKey{key, starts[st]}] = n
	}
	return rows.Err()
}
