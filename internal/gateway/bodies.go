package gateway

import (
	"errors"
	"io"
	"sync/atomic"
)

// bodyBudget bounds the bytes of request bodies held in memory at once.
// Bytes are counted as they arrive and released when the request is done
// with them (release), so a flood of large or slow bodies is refused with
// a 503 rather than allowed to grow the process without bound.
type bodyBudget struct {
	max  int64
	used atomic.Int64
}

var errBodiesFull = errors.New("request body budget exhausted")

// chunk is how much a body buffer grows by at most at once.
const chunk = 32 << 10

// read reads r to its end, growing the buffer as bytes arrive (never to a
// declared length ahead of them) and charging each growth to the budget.
// The bytes charged stay charged until release.
func (b *bodyBudget) read(r io.Reader, declared int64) ([]byte, error) {
	size := int64(chunk)
	if declared >= 0 && declared < size {
		size = declared + 1 // room to see the end
	}
	if err := b.take(size); err != nil {
		return nil, err
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			// Both buffers exist while the bytes are copied: charge the
			// new one before, release the old one after.
			next := int64(cap(buf)) + int64(min(max(cap(buf), chunk), 4<<20))
			if err := b.take(next); err != nil {
				b.give(int64(cap(buf)))
				return nil, err
			}
			nb := make([]byte, len(buf), next)
			copy(nb, buf)
			b.give(int64(cap(buf)))
			buf = nb
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			b.give(int64(cap(buf)))
			return nil, err
		}
	}
}

// take charges n bytes, or fails when the budget would be exceeded.
func (b *bodyBudget) take(n int64) error {
	if b.max <= 0 {
		return nil
	}
	if b.used.Add(n) > b.max {
		b.used.Add(-n)
		return errBodiesFull
	}
	return nil
}

// give returns n bytes to the budget.
func (b *bodyBudget) give(n int64) {
	if b.max > 0 {
		b.used.Add(-n)
	}
}

// release returns a body's bytes to the budget once the request is done
// with it.
func (b *bodyBudget) release(body []byte) { b.give(int64(cap(body))) }
