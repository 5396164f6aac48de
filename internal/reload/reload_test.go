package reload

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestLoop(t *testing.T) {
	l := New()
	ctx, cancel := context.WithCancel(context.Background())
	var calls, failures atomic.Int32
	done := make(chan struct{})
	go func() {
		l.Run(ctx, time.Hour, func(context.Context) error {
			if calls.Add(1) == 2 {
				return errors.New("store down")
			}
			return nil
		}, func(error) { failures.Add(1) })
		close(done)
	}()
	for i := 1; i <= 3; i++ {
		l.Kick()
		deadline := time.Now().Add(5 * time.Second)
		for calls.Load() < int32(i) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	if calls.Load() != 3 || failures.Load() != 1 {
		t.Errorf("calls %d, failures %d; want 3 reloads (one per kick, the hour never came) and 1 failure", calls.Load(), failures.Load())
	}
	cancel()
	<-done
}
