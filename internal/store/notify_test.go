package store

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/subscription"
)

// TestListenSeesOtherReplica checks that a settings change one replica
// writes reaches another's listener within a second (PostgreSQL), and
// that Listen on SQLite just waits for its context.
func TestListenSeesOtherReplica(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rs := openReplicas(t, 2)
	a, b := rs[0], rs[1]
	changed := make(chan struct{}, 16)
	done := make(chan struct{})
	go func() {
		b.Listen(ctx, ChannelSettings, func() { changed <- struct{}{} }, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	if os.Getenv("WARDEN_TEST_STORE") != "postgres" {
		cancel()
		<-done
		return
	}
	select {
	case <-changed: // the call after connecting
	case <-time.After(5 * time.Second):
		t.Fatal("the listener did not connect")
	}
	start := time.Now()
	if err := a.PutSubscription(ctx, subscription.Settings{ID: "s", Plan: true, Mode: subscription.ModeBlock, UpdatedAt: start}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
		if d := time.Since(start); d > time.Second {
			t.Errorf("change seen after %s, want within a second", d)
		}
	case <-time.After(time.Second):
		t.Error("a settings change on one replica did not reach the other within a second")
	}
	cancel()
	<-done
}
