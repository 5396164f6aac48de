package gateway

import (
	"sync"
	"time"
)

// idleWatch ends streams whose upstream has gone quiet. One goroutine checks
// every open stream's last activity a few times per timeout, instead of a
// timer per stream reset on every read: at thousands of events a second
// those resets kept the scheduler busy for nothing.
type idleWatch struct {
	timeout time.Duration
	mu      sync.Mutex
	streams map[*streamBody]struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func newIdleWatch(timeout time.Duration) *idleWatch {
	w := &idleWatch{timeout: timeout, streams: map[*streamBody]struct{}{}, stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *idleWatch) add(s *streamBody) {
	s.lastRead.Store(time.Now().UnixNano())
	w.mu.Lock()
	w.streams[s] = struct{}{}
	w.mu.Unlock()
}

func (w *idleWatch) remove(s *streamBody) {
	w.mu.Lock()
	delete(w.streams, s)
	w.mu.Unlock()
}

func (w *idleWatch) run() {
	defer close(w.done)
	every := max(w.timeout/8, 5*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case now := <-t.C:
			limit := now.Add(-w.timeout).UnixNano()
			w.mu.Lock()
			for s := range w.streams {
				if s.lastRead.Load() < limit && s.idled.CompareAndSwap(false, true) {
					s.ex.cancel()
				}
			}
			w.mu.Unlock()
		}
	}
}

func (w *idleWatch) close() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}
