package subscription

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

type fakeLoader struct {
	mu   sync.Mutex
	subs []Settings
	err  error
}

func (f *fakeLoader) Subscriptions(context.Context) ([]Settings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Settings(nil), f.subs...), f.err
}

func (f *fakeLoader) set(subs []Settings, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs, f.err = subs, err
}

// TestCacheFollowsStore checks that a change written to the store reaches
// the gateway without a restart, and that a failed reload keeps the last
// good settings.
func TestCacheFollowsStore(t *testing.T) {
	l := &fakeLoader{subs: []Settings{{ID: "a", Plan: true, Mode: ModeDetect}}}
	c, err := NewCache(context.Background(), l, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)

	l.set([]Settings{{ID: "a", Plan: true, Mode: ModeBlock}}, nil)
	c.Invalidate()
	waitFor(t, func() bool { s, _ := c.Get("a"); return s.Mode == ModeBlock })

	l.set(nil, errors.New("database locked"))
	c.Invalidate()
	time.Sleep(50 * time.Millisecond)
	if s, ok := c.Get("a"); !ok || s.Mode != ModeBlock {
		t.Errorf("after a failed reload Get(a) = %+v, %v; want the last good settings", s, ok)
	}
	if _, ok := c.Get("nope"); ok {
		t.Error("Get(nope) found a subscription")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
