package intel

import (
	"context"
	"fmt"
	"time"
)

// Shared keeps feeds for replicas that share a store: one replica, elected,
// fetches each feed from its source on schedule (Refresh) and keeps the
// validated bytes; the others load them from there (Follow) instead of
// each downloading the same list.
type Shared interface {
	PutFeed(ctx context.Context, name string, body []byte, at time.Time) error
	// Feed returns a kept feed and when it was fetched; ok is false when
	// none is kept yet.
	Feed(ctx context.Context, name string) (body []byte, at time.Time, ok bool, err error)
}

// WithShared makes the feeds shared through s. Call it before New's
// result is used; New itself loads from the source, so that a replica
// never starts without its feeds.
func (in *Intel) WithShared(s Shared) *Intel {
	in.shared = s
	return in
}

// Refresh fetches each feed from its source on its schedule and keeps it
// for the other replicas, until ctx ends: run it on the elected replica.
// Without a shared store it is Run.
func (in *Intel) Refresh(ctx context.Context) { in.Run(ctx) }

// Follow loads, every poll, each feed the elected replica fetched since
// this replica's version, until ctx ends: run it on every replica.
func (in *Intel) Follow(ctx context.Context, poll time.Duration) {
	if in.shared == nil {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, f := range in.feeds {
				if err := in.follow(ctx, f); err != nil && ctx.Err() == nil {
					in.errors.WithLabelValues(f.Name).Inc()
					in.log.Warn("threat intelligence feed kept its last version", "feed", f.Name, "err", err)
				}
			}
		}
	}
}

// follow loads f from the shared store if it is newer than the version in
// use.
func (in *Intel) follow(ctx context.Context, f Feed) error {
	b, at, ok, err := in.shared.Feed(ctx, f.Name)
	if err != nil || !ok {
		return err
	}
	if v, ok := in.fetched.Load(f.Name); ok && !at.After(v.(time.Time)) {
		return nil
	}
	if err := in.apply(f, b); err != nil {
		return fmt.Errorf("feed %s as kept: %w", f.Name, err)
	}
	in.fetched.Store(f.Name, at)
	now := time.Now()
	in.last.Store(f.Name, now)
	in.loaded.WithLabelValues(f.Name).Set(float64(now.Unix()))
	return nil
}
