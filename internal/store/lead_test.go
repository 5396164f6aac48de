package store

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// TestLeadOneAtATime runs one job on two replicas: only one runs it at a
// time, and when the leader stops (a replica shutting down or dying) the
// other takes over within seconds. On SQLite both run it: one process per
// store.
func TestLeadOneAtATime(t *testing.T) {
	ctx := context.Background()
	rs := openReplicas(t, 2)
	a, b := rs[0], rs[1]
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var running, most atomic.Int32
	started := make(chan string, 4)
	job := func(who string) func(context.Context) {
		return func(ctx context.Context) {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			started <- who
			<-ctx.Done()
			running.Add(-1)
		}
	}
	actx, stopA := context.WithCancel(ctx)
	bctx, stopB := context.WithCancel(ctx)
	aDone, bDone := make(chan struct{}), make(chan struct{})
	go func() { a.Lead(actx, "job", job("a"), log); close(aDone) }()
	first := <-started
	go func() { b.Lead(bctx, "job", job("b"), log); close(bDone) }()
	if os.Getenv("WARDEN_TEST_STORE") != "postgres" {
		<-started
		stopA()
		stopB()
		<-aDone
		<-bDone
		return
	}
	if first != "a" {
		t.Fatalf("first leader %s, want a", first)
	}
	select {
	case who := <-started:
		t.Fatalf("%s started while a led", who)
	case <-time.After(2500 * time.Millisecond):
	}
	stopA()
	<-aDone
	select {
	case who := <-started:
		if who != "b" {
			t.Errorf("took over: %s, want b", who)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("b did not take over within 5 s of a stopping")
	}
	stopB()
	<-bDone
	if m := most.Load(); m != 1 {
		t.Errorf("%d ran the job at once, want 1", m)
	}
}
