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
}

// seal replaces each record's content by its sealed form (or drops it
// when there is no sealer or sealing fails: text is never stored as it
// is).
func (w *Writer) seal(batch []Record) {
	for i := range batch {
		r := &batch[i]
		if r.Content == nil {
			continue
		}
		if w.Sealer != nil {
			kid, sealed, err := w.Sealer.Seal(r.ID, *r.Content)
			if err == nil {
				r.ContentKey, r.Sealed, r.HasContent = kid, sealed, true
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
	flush := func(ctx context.Context) {
		if len(batch) == 0 {
			return
		}
		w.seal(batch)
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
