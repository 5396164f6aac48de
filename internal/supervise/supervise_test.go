package supervise

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestStopWaits checks that Stop returns only after every loop has seen
// the cancellation and returned, and not before.
func TestStopWaits(t *testing.T) {
	g := New(context.Background(), nil)
	started := make(chan struct{}, 3)
	finished := make(chan string, 3)
	for _, name := range []string{"cache", "export", "export"} {
		g.Go(name, func(ctx context.Context) {
			started <- struct{}{}
			<-ctx.Done()
			time.Sleep(10 * time.Millisecond) // cleanup after the signal
			finished <- name
		})
	}
	for range 3 {
		<-started
	}
	if got, want := g.Running(), map[string]int{"cache": 1, "export": 2}; len(got) != 2 || got["cache"] != want["cache"] || got["export"] != want["export"] {
		t.Errorf("Running() = %v, want %v", got, want)
	}
	g.Stop()
	if got := len(finished); got != 3 {
		t.Errorf("after Stop, %d loops finished, want 3", got)
	}
	if got := g.Running(); len(got) != 0 {
		t.Errorf("after Stop, Running() = %v, want none", got)
	}
	g.Stop() // a second Stop is harmless
}

// TestParentCancelDoesNotStop checks that loops outlive the context they
// were started from: a server cancels that on a signal, then drains
// requests that still need the loops, then calls Stop.
func TestParentCancelDoesNotStop(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	g := New(parent, nil)
	done := make(chan struct{})
	g.Go("loop", func(ctx context.Context) { <-ctx.Done(); close(done) })
	cancel()
	select {
	case <-done:
		t.Fatal("loop stopped when the parent context was cancelled, want it to run until Stop")
	case <-time.After(20 * time.Millisecond):
	}
	g.Stop()
	<-done
}
