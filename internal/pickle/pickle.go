// Package pickle reads Python pickle streams statically, the way an
// unpickler would, without executing anything: a stack machine over every
// opcode of protocols 0 to 5 (memo, marks and frames as CPython's C
// unpickler treats them) that records what a load would import and call.
// It is the heart of model scanning: what matters in a pickle is which
// globals it reaches for, and whether their names are literal.
package pickle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits bound the work on hostile input. Zero fields take the defaults.
type Limits struct {
	MaxOps     int   // opcodes per stream (default 50 million)
	MaxStack   int   // stack depth (default 1 million)
	MaxMemo    int   // memo entries (default 1 million)
	MaxString  int64 // bytes kept of one string or bytes argument (default 1 MiB); longer ones are skipped, not read into memory
	MaxPickles int   // pickles read one after another in one stream (default 64)
}

func (l Limits) withDefaults() Limits {
	if l.MaxOps == 0 {
		l.MaxOps = 50_000_000
	}
	if l.MaxStack == 0 {
		l.MaxStack = 1_000_000
	}
	if l.MaxMemo == 0 {
		l.MaxMemo = 1_000_000
	}
	if l.MaxString == 0 {
		l.MaxString = 1 << 20
	}
	if l.MaxPickles == 0 {
		l.MaxPickles = 64
	}
	return l
}

// Global is one import a load would perform.
type Global struct {
	Module, Name string
	Op           string // GLOBAL, INST, STACK_GLOBAL
	Offset       int64  // of the opcode in the stream
	// Computed is true when the module or name is not a literal string in
	// the stream (the result of a call, a memo slot holding something
	// else): the scanner cannot know what would be imported.
	Computed bool
	// Called counts REDUCE, OBJ, INST, NEWOBJ and NEWOBJ_EX applied to it;
	// Built counts BUILD applied to the global itself (not to an instance
	// of it): setting attributes on a module or function.
	Called, Built int
}

// Result is what one stream holds.
type Result struct {
	Globals []*Global
	// Pickles is how many pickles ended with STOP; Protocol is the highest
	// PROTO seen.
	Pickles  int
	Protocol int
	Ops      int
	// Err is why reading stopped before the end of the stream, if it did:
	// globals found before it are kept (a broken pickle still runs its
	// payload up to the break).
	Err error
	// Trailing is how many bytes followed the last STOP and were not a
	// pickle.
	Trailing int64
	// Files are the array files an old joblib pickle loads from beside it
	// (NDArrayWrapper's filename, with allow_pickle); "" where the name is
	// not a literal string.
	Files []string
}

// ErrLimit is wrapped by errors that hit a limit.
var ErrLimit = errors.New("limit reached")

// kinds of values on the machine's stack.
type kind uint8

const (
	kOther kind = iota
	kStr
	kMark
	kGlobal
	// The joblib model (joblib.go): kept only once a pickle imports
	// joblib's array wrapper.
	kInt
	kTuple
	kDict
	kInst
)

// value is a stack or memo entry. Strings live in the machine's arena
// (off, n): most strings of a model's pickle are names and keys that are
// never needed as Go strings, and allocating each was most of the cost.
type value struct {
	k      kind
	off, n uint32
	g      *Global
}

// A kInt keeps its value in off and n; a kTuple, kDict or kInst is
// m.objs[off]. The value stays three words: the stack and memo of a big
// pickle are arrays of them.
func intValue(i int64) value { return value{k: kInt, off: uint32(i), n: uint32(uint64(i) >> 32)} }

func (v value) int() int64 { return int64(uint64(v.n)<<32 | uint64(v.off)) }

// maxArena bounds the bytes of strings kept per pickle. Past it, strings
// are kept as opaque values, and an import built from one is reported as
// computed: padding cannot hide a name, only make it flagged.
const maxArena = 64 << 20

// Scan reads every pickle in r one after another (a stream may hold
// several, as PyTorch's legacy format does) until the end or until bytes
// that are not a pickle. It never fails: what it could not read is in
// Result.Err.
func Scan(r io.Reader, lim Limits) Result {
	lim = lim.withDefaults()
	m := &machine{r: newCountReader(r), lim: lim, globals: map[string]*Global{}}
	var res Result
	for n := 0; n < lim.MaxPickles; n++ {
		start := m.r.n
		if _, err := m.r.peek(); err != nil {
			break // clean end of stream
		}
		m.reset()
		err := m.run(&res)
		if err == nil {
			res.Pickles++
			continue
		}
		if n > 0 && m.ops <= 1 {
			// Bytes after the last pickle that do not start another one.
			read := m.r.n - start
			res.Trailing = read + m.r.rest()
			break
		}
		res.Err = err
		break
	}
	m.join(&res)
	return res
}

// countReader is a buffered reader that counts what it consumed. It is
// the machine's own rather than bufio's because reading one opcode byte is
// the hottest path of the machine: here it is an index and a compare.
type countReader struct {
	src      io.Reader
	buf      []byte
	pos, end int
	n        int64
	err      error
}

func newCountReader(r io.Reader) *countReader {
	return &countReader{src: r, buf: make([]byte, 64<<10)}
}

// fill reads more into the buffer, keeping the unread bytes.
func (c *countReader) fill() bool {
	if c.err != nil {
		return false
	}
	if c.pos > 0 {
		copy(c.buf, c.buf[c.pos:c.end])
		c.end -= c.pos
		c.pos = 0
	}
	for c.end < len(c.buf) {
		k, err := c.src.Read(c.buf[c.end:])
		c.end += k
		if err != nil {
			c.err = err
			break
		}
		if k > 0 {
			break
		}
	}
	return c.end > c.pos
}

func (c *countReader) peek() (byte, error) {
	if c.pos == c.end && !c.fill() {
		return 0, c.eof()
	}
	return c.buf[c.pos], nil
}

func (c *countReader) eof() error {
	if c.err == nil || c.err == io.EOF {
		return io.EOF
	}
	return c.err
}

func (c *countReader) byte() (byte, error) {
	if c.pos == c.end && !c.fill() {
		return 0, c.eof()
	}
	b := c.buf[c.pos]
	c.pos++
	c.n++
	return b, nil
}

func (c *countReader) full(p []byte) error {
	for len(p) > 0 {
		if c.pos == c.end && !c.fill() {
			return io.ErrUnexpectedEOF
		}
		k := copy(p, c.buf[c.pos:c.end])
		c.pos += k
		c.n += int64(k)
		p = p[k:]
	}
	return nil
}

func (c *countReader) skip(n int64) error {
	for n > 0 {
		if c.pos == c.end && !c.fill() {
			return io.ErrUnexpectedEOF
		}
		k := min(int64(c.end-c.pos), n)
		c.pos += int(k)
		c.n += k
		n -= k
	}
	return nil
}

// rest discards and counts everything left.
func (c *countReader) rest() int64 {
	var total int64
	for c.pos < c.end || c.fill() {
		k := c.end - c.pos
		total += int64(k)
		c.pos, c.n = c.end, c.n+int64(k)
	}
	return total
}

// line reads up to and including '\n' (protocol 0 arguments), bounded,
// into buf.
func (c *countReader) line(buf []byte, max int) ([]byte, error) {
	b := buf[:0]
	for {
		if c.pos == c.end && !c.fill() {
			return b, io.ErrUnexpectedEOF
		}
		chunk := c.buf[c.pos:c.end]
		i := bytes.IndexByte(chunk, '\n')
		if i >= 0 {
			chunk = chunk[:i+1]
		}
		if len(b)+len(chunk) > max+1 {
			return b, fmt.Errorf("text argument longer than %d bytes: %w", max, ErrLimit)
		}
		b = append(b, chunk...)
		c.pos += len(chunk)
		c.n += int64(len(chunk))
		if i >= 0 {
			return b[:len(b)-1], nil
		}
	}
}

type machine struct {
	r       *countReader
	lim     Limits
	stack   []value
	marks   []int
	memo    []value // by key, for keys below len; set marks the keys in use
	memoSet []bool
	memoMap map[uint64]value // keys beyond the slice
	memoN   int
	ops     int
	arena   []byte
	line    []byte
	line2   []byte
	key     []byte
	num     [8]byte            // little-endian arguments, kept here so reading them allocates nothing
	globals map[string]*Global // by opcode, module, name and computedness
	model   bool               // the joblib model is on (joblib.go)
	objs    []*object          // the model's tuples, dicts and instances
	plain   bool               // reads as pickle.load does: no joblib arrays
	shadow  *shadow            // the plain unpickler's run, from the first joblib array
}

func (m *machine) reset() {
	m.stack = m.stack[:0]
	m.marks = m.marks[:0]
	clear(m.memoSet)
	m.memoMap = nil
	m.memoN = 0
	m.ops = 0
	m.arena = m.arena[:0]
	m.model = false
	m.objs = nil
}

// bytes returns a string value's text, valid until the next pickle.
func (m *machine) bytes(v value) []byte { return m.arena[v.off : v.off+v.n] }

// keep stores b in the arena and returns it as a string value, or as an
// opaque value past the arena's bound.
func (m *machine) keep(b []byte) value {
	if len(m.arena)+len(b) > maxArena {
		return value{}
	}
	off := len(m.arena)
	m.arena = append(m.arena, b...)
	return value{k: kStr, off: uint32(off), n: uint32(len(b))}
}
