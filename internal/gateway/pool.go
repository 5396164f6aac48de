package gateway

import "sync"

// bufferPool recycles the 32 KiB copy buffers of the reverse proxy and of
// stream bodies; allocating and zeroing one per response was a measurable
// share of the cost of a request.
type bufferPool struct{ p sync.Pool }

const bufferSize = 32 << 10

var buffers = &bufferPool{}

// Get implements httputil.BufferPool.
func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, bufferSize)
}

// Put implements httputil.BufferPool.
func (b *bufferPool) Put(buf []byte) {
	if cap(buf) == bufferSize {
		buf = buf[:bufferSize]
		b.p.Put(&buf)
	}
}

// smallBuffers recycles the per-stream event buffers (pending output and
// the SSE decoder's), which otherwise grow afresh for every stream.
var smallBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func getSmall() *[]byte { return smallBuffers.Get().(*[]byte) }

func putSmall(b *[]byte) {
	if cap(*b) <= 64<<10 {
		*b = (*b)[:0]
		smallBuffers.Put(b)
	}
}
