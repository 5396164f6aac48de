// Package traffic counts what the gateway did, minute by minute and per
// subscription: requests, how many were scanned and blocked, and how long
// detection took (a fixed-bucket histogram, so minutes from several
// replicas add up and percentiles can be read back). The console's
// dashboard reads it; no prompt is involved.
package traffic

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Bounds are the latency buckets' upper bounds in milliseconds; the last
// bucket holds everything slower.
var Bounds = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500}

// Buckets is len(Bounds)+1.
const Buckets = 10

// Minute is one subscription's traffic in one minute.
type Minute struct {
	At           time.Time      `json:"at"` // the minute's start, UTC
	Subscription string         `json:"subscription"`
	Requests     int64          `json:"requests"`
	Scanned      int64          `json:"scanned"`
	Blocked      int64          `json:"blocked"`
	Latency      [Buckets]int64 `json:"latency"` // scanned requests by detection time
}

// Store adds minutes to what is kept (adding, not replacing: replicas
// write the same minutes).
type Store interface {
	AddTraffic(ctx context.Context, ms []Minute) error
}

// Counter gathers minutes in memory and flushes them to the store.
type Counter struct {
	mu  sync.Mutex
	cur map[minuteKey]*Minute // (minute, subscription)
	st  Store
	log *slog.Logger
	now func() time.Time
}

// minuteKey is a minute (Unix seconds) and a subscription: a key built
// without formatting anything, since every request makes one.
type minuteKey struct {
	at  int64
	sub string
}

// NewCounter returns a counter writing to st.
func NewCounter(st Store, log *slog.Logger) *Counter {
	return &Counter{cur: map[minuteKey]*Minute{}, st: st, log: log, now: time.Now}
}

// Observe counts one request: scanned or not, blocked or not, and the
// time detection took (for scanned ones).
func (c *Counter) Observe(subscription string, scanned, blocked bool, detection time.Duration) {
	at := c.now().UTC().Truncate(time.Minute)
	k := minuteKey{at.Unix(), subscription}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.cur[k]
	if m == nil {
		m = &Minute{At: at, Subscription: subscription}
		c.cur[k] = m
	}
	m.Requests++
	if !scanned {
		return
	}
	m.Scanned++
	if blocked {
		m.Blocked++
	}
	ms := float64(detection.Microseconds()) / 1000
	i := 0
	for i < len(Bounds) && ms > Bounds[i] {
		i++
	}
	m.Latency[i]++
}

// Flush writes what was gathered; minutes that could not be written are
// kept for the next flush (bounded: an hour of them).
func (c *Counter) Flush(ctx context.Context) {
	c.mu.Lock()
	ms := make([]Minute, 0, len(c.cur))
	for _, m := range c.cur {
		ms = append(ms, *m)
	}
	c.cur = map[minuteKey]*Minute{}
	c.mu.Unlock()
	if len(ms) == 0 {
		return
	}
	if err := c.st.AddTraffic(ctx, ms); err != nil {
		c.log.Error("traffic counts not written", "minutes", len(ms), "err", err)
		cutoff := c.now().Add(-time.Hour)
		c.mu.Lock()
		for _, m := range ms {
			if m.At.Before(cutoff) {
				continue
			}
			k := minuteKey{m.At.Unix(), m.Subscription}
			if cur := c.cur[k]; cur != nil {
				cur.Requests += m.Requests
				cur.Scanned += m.Scanned
				cur.Blocked += m.Blocked
				for i := range cur.Latency {
					cur.Latency[i] += m.Latency[i]
				}
			} else {
				mm := m
				c.cur[k] = &mm
			}
		}
		c.mu.Unlock()
	}
}

// Run flushes every two seconds (the dashboard is that fresh) until ctx
// ends, then once more.
func (c *Counter) Run(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			c.Flush(fctx)
			cancel()
			return
		case <-t.C:
			c.Flush(ctx)
		}
	}
}

// Percentile is the upper bound (ms) of the bucket holding the q-th
// quantile of a histogram; the last bucket reports its lower bound, with
// over set.
func Percentile(h [Buckets]int64, q float64) (ms float64, over bool) {
	var total int64
	for _, n := range h {
		total += n
	}
	if total == 0 {
		return 0, false
	}
	rank := int64(q*float64(total) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen int64
	for i, n := range h {
		seen += n
		if seen >= rank {
			if i == len(Bounds) {
				return Bounds[len(Bounds)-1], true
			}
			return Bounds[i], false
		}
	}
	return Bounds[len(Bounds)-1], true
}
