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
