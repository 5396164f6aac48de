// Package reload runs a function that refreshes state from the store on a
// schedule and, when asked, at once: the settings cache and the suppression
// rules reload this way, so a change made through one process's API applies
// there immediately and in every other process within the interval.
package reload

import (
	"context"
	"time"
)

// Loop calls a reload function every interval and whenever Kick is called.
type Loop struct {
	kick chan struct{}
}

// New returns a loop.
func New() *Loop { return &Loop{kick: make(chan struct{}, 1)} }

// Kick asks Run to reload now; it never blocks, and kicks made while a
// reload is pending fold into it.
func (l *Loop) Kick() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Run calls fn every interval and after each Kick until ctx is done. A
// failed reload is passed to failed (unless ctx is done) and the state it
// would have replaced stays.
func (l *Loop) Run(ctx context.Context, every time.Duration, fn func(context.Context) error, failed func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-l.kick:
		}
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			failed(err)
		}
	}
}
