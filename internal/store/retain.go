package store

import (
	"context"
	"log/slog"
	"time"
)

// Retainer applies retention now and every Every (default an hour) until
// its context ends: the loop that keeps the store within its configured
// bounds.
type Retainer struct {
	Store     *Store
	Retention Retention
	// Sinks are the export sinks' outbox positions: an event is purged only
	// once each of them delivered it.
	Sinks []string
	Every time.Duration
	Now   func() time.Time
	Log   *slog.Logger
	// Lifecycle are the interaction records' policies (legal holds
	// override them), applied on the same schedule.
	Lifecycle []LifecyclePolicy
}

// Run purges until ctx ends; a failed purge is logged and tried again at
// the next tick.
func (r *Retainer) Run(ctx context.Context) {
	every, now := r.Every, r.Now
	if every <= 0 {
		every = time.Hour
	}
	if now == nil {
		now = time.Now
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		p, err := r.Store.Purge(ctx, now(), r.Retention, r.Sinks)
		switch {
		case err != nil && ctx.Err() == nil:
			r.Log.Warn("retention", "err", err)
		case p != (Purged{}):
			r.Log.Info("retention", "alerts", p.Alerts, "incidents", p.Incidents, "settings_changes", p.Changes, "export_events", p.Events)
		}
		if len(r.Lifecycle) > 0 {
			lr, err := r.Store.ApplyLifecycle(ctx, now(), r.Lifecycle)
			switch {
			case err != nil && ctx.Err() == nil:
				r.Log.Warn("interaction lifecycle", "err", err)
			case lr.Interactions+lr.Contents > 0:
				r.Log.Info("interaction lifecycle", "interactions", lr.Interactions, "contents", lr.Contents, "held", lr.Held)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
