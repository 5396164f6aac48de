package interaction

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Store keeps records (the store implements it).
type Store interface {
	RecordInteractions(ctx context.Context, rs []Record) error
}

// Writer takes records from the request path without waiting and writes
// them in batches. Its queue is bounded: when the store falls behind,
// records are dropped and counted (Dropped), never allowed to slow or grow
// the gateway; a failed batch is retried a few times first.
type Writer struct {
	store   Store
	queue   chan Record
	log     *slog.Logger
	dropped atomic.Int64
	written atomic.Int64
	// OnDrop, when set, is called for each record dropped (a metric).
	OnDrop func()
	// Sealer seals captured content before it is stored; without one,
	// content is never kept.
	Sealer *Sealer
	// Policies lists the compliance policies in force; nil, none.
	Policies PolicySource

	compiled atomic.Pointer[Policies]
	stale    atomic.Bool
	loadedAt time.Time // Run's goroutine only
}

// PolicySource lists the communication-compliance policies (the store).
type PolicySource interface {
	CompliancePolicies(ctx context.Context) ([]Policy, error)
}

// PoliciesChanged makes the writer reload the policies at once (one was
// added or removed, here or on another replica); otherwise it reloads
// them every 30 seconds.
func (w *Writer) PoliciesChanged() { w.stale.Store(true) }

// WantsText reports whether a policy in force reads the text of the
// subscription's interactions: the gateway then hands the text over with
// the record, to be matched off the request path and kept only if the
// subscription's capture setting says so.
func (w *Writer) WantsText(subscription string) bool {
	return w.compiled.Load().WantsText(subscription)
}

// policies returns the policies in force, reloading them when stale.
func (w *Writer) policies(ctx context.Context) *Policies {
	if w.Policies != nil && (w.stale.Swap(false) || time.Since(w.loadedAt) > 30*time.Second) {
		w.loadedAt = time.Now()
		ps, err := w.Policies.CompliancePolicies(ctx)
		if err != nil {
			w.log.Error("compliance policies not reloaded", "err", err)
			return w.compiled.Load()
		}
		c, err := Compile(ps)
		if err != nil {
			w.log.Error("compliance policies left out", "err", err)
		}
		w.compiled.Store(c)
	}
	return w.compiled.Load()
}

// review matches each record against the compliance policies, then
// replaces its content by its sealed form where the subscription keeps it
// (all interactions, or those with a finding or a policy met), and drops
// it otherwise, or when there is no sealer or sealing fails: text is
// never stored as it is.
func (w *Writer) review(ctx context.Context, batch []Record) {
	ps := w.policies(ctx)
	for i := range batch {
		r := &batch[i]
		r.Reviews = ps.Match(*r, r.Content)
		r.Policies = nil
		for _, h := range r.Reviews {
			r.Policies = append(r.Policies, h.Policy)
		}
		if r.Content == nil {
			continue
		}
		keep := r.Capture == "all" || r.Capture == "findings" && (len(r.FindingTypes) > 0 || len(r.Reviews) > 0)
		if keep && w.Sealer != nil {
			kid, sealed, err := w.Sealer.Seal(r.ID, *r.Content)
			if err == nil {
				r.ContentKey, r.Sealed, r.HasContent = kid, sealed, true
				_, r.Terms = w.Sealer.Terms(*r.Content)
			} else {
				w.log.Error("content not kept: sealing failed", "interaction", r.ID, "err", err)
			}
		}
		r.Content = nil
	}
}

// NewWriter returns a writer with a queue of size records.
func NewWriter(s Store, size int, log *slog.Logger) *Writer {
	return &Writer{store: s, queue: make(chan Record, size), log: log}
}

// Record queues r; it never blocks.
func (w *Writer) Record(r Record) {
	select {
	case w.queue <- r:
	default:
		w.drop(1)
	}
}

func (w *Writer) drop(n int) {
	w.dropped.Add(int64(n))
	for range n {
		if w.OnDrop != nil {
			w.OnDrop()
		}
	}
}

// Dropped and Written count records since start.
func (w *Writer) Dropped() int64 { return w.dropped.Load() }
func (w *Writer) Written() int64 { return w.written.Load() }

// Run writes batches of up to 500 records, at least every 200 ms, until
// ctx ends, then writes what is queued.
func (w *Writer) Run(ctx context.Context) {
	const most = 500
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	batch := make([]Record, 0, most)
	w.policies(ctx)
	flush := func(ctx context.Context) {
		if len(batch) == 0 {
			return
		}
		w.review(ctx, batch)
		var err error
		for attempt := range 4 {
			if err = w.store.RecordInteractions(ctx, batch); err == nil {
				w.written.Add(int64(len(batch)))
				break
			}
			if ctx.Err() != nil {
				break
			}
			time.Sleep(time.Duration(50<<attempt) * time.Millisecond)
		}
		if err != nil {
			w.drop(len(batch))
			w.log.Error("interaction records dropped", "count", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case r := <-w.queue:
			batch = append(batch, r)
			if len(batch) >= most {
				flush(ctx)
			}
		case <-t.C:
			w.policies(ctx)
			flush(ctx)
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			for {
				select {
				case r := <-w.queue:
					batch = append(batch, r)
					if len(batch) >= most {
						flush(fctx)
					}
				default:
					flush(fctx)
					return
				}
			}
		}
	}
}
