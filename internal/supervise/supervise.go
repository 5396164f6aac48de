// Package supervise runs a process's background loops (cache refreshes,
// feed downloads, export dispatchers, retention, registry scans) under one
// owner that stops them together and waits for every one to return, so that
// shutdown leaves no goroutine behind writing to a closed store.
package supervise

import (
	"context"
	"log/slog"
	"sync"
)

// Group is a set of loops sharing one context. The zero value is not
// usable; call New.
type Group struct {
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger
	wg     sync.WaitGroup

	mu      sync.Mutex
	running map[string]int
}

// New returns a group whose loops run until Stop (not until the parent
// context ends: a server drains requests first, then stops its loops).
// The parent's values are kept.
func New(parent context.Context, log *slog.Logger) *Group {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	return &Group{ctx: ctx, cancel: cancel, log: log, running: map[string]int{}}
}

// Go runs fn in a goroutine with the group's context; name says what it
// maintains, for Running and the log.
func (g *Group) Go(name string, fn func(ctx context.Context)) {
	g.mu.Lock()
	g.running[name]++
	g.mu.Unlock()
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer func() {
			g.mu.Lock()
			if g.running[name]--; g.running[name] == 0 {
				delete(g.running, name)
			}
			g.mu.Unlock()
		}()
		fn(g.ctx)
		if g.ctx.Err() == nil && g.log != nil {
			g.log.Warn("background loop ended before shutdown", "loop", name)
		}
	}()
}

// Running returns how many loops of each name are running.
func (g *Group) Running() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]int, len(g.running))
	for k, v := range g.running {
		out[k] = v
	}
	return out
}

// Stop cancels every loop and waits for all of them to return. It may be
// called more than once.
func (g *Group) Stop() {
	g.cancel()
	g.wg.Wait()
}
