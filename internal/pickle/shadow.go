package pickle

import (
	"bytes"
	"io"
	"sync/atomic"
)

// A joblib file read by pickle.load instead of joblib.load takes another
// path at the first array: where joblib reads the array's bytes, the plain
// unpickler reads opcodes. A file can hold a payload that only one of the
// two loaders runs, so both are followed: at the first array the machine
// forks a shadow in the plain unpickler's place, which reads the same
// bytes (a tee of the main reader, through a pipe) as opcodes, with a copy
// of the stack and memo. Its imports join the result.

// shadow is the plain unpickler's run from the first joblib array.
type shadow struct {
	m      *machine
	res    Result
	pw     *io.PipeWriter
	done   chan struct{}
	at     int64               // stream offset of the fork
	copies map[*Global]*Global // the main machine's globals, copied for the shadow
}

// fork starts the shadow at the current position, once per stream.
func (m *machine) fork() {
	if m.shadow != nil || m.plain {
		return
	}
	pr, pw := io.Pipe()
	unread := append([]byte(nil), m.r.buf[m.r.pos:m.r.end]...)
	tee := &shadowTee{r: m.r.src, w: pw}
	m.r.src = tee
	s := &machine{r: newCountReader(io.MultiReader(bytes.NewReader(unread), pr)), lim: m.lim,
		globals: map[string]*Global{}, plain: true}
	sh := &shadow{m: s, pw: pw, done: make(chan struct{}), at: m.r.n, copies: map[*Global]*Global{}}
	cp := func(v value) value {
		if v.g != nil {
			c := sh.copies[v.g]
			if c == nil {
				c = &Global{Module: v.g.Module, Name: v.g.Name, Op: v.g.Op, Offset: v.g.Offset, Computed: v.g.Computed}
				sh.copies[v.g] = c
			}
			v.g = c
		}
		return v
	}
	for _, v := range m.stack {
		s.stack = append(s.stack, cp(v))
	}
	s.marks = append(s.marks, m.marks...)
	for i, v := range m.memo {
		s.memo = append(s.memo, cp(v))
		s.memoSet = append(s.memoSet, m.memoSet[i])
	}
	if m.memoMap != nil {
		s.memoMap = map[uint64]value{}
		for k, v := range m.memoMap {
			s.memoMap[k] = cp(v)
		}
	}
	s.memoN, s.ops = m.memoN, m.ops
	s.arena = append(s.arena, m.arena...)
	s.objs = m.objs // read only: the shadow runs plain
	m.shadow = sh
	go func() {
		defer close(sh.done)
		s.run(&sh.res) // one pickle: what pickle.load reads; its error is expected
		tee.finished.Store(true)
		io.Copy(io.Discard, pr)
	}()
}

// shadowTee copies what the main machine reads to the shadow until the
// shadow has finished (at its STOP or its error: for a real joblib file,
// at the first array's pad), then only reads.
type shadowTee struct {
	r        io.Reader
	w        *io.PipeWriter
	finished atomic.Bool
}

func (t *shadowTee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 && !t.finished.Load() {
		t.w.Write(p[:n])
	}
	return n, err
}

// join waits for the shadow (its input ends with the main machine's) and
// adds what it imported to res.
func (m *machine) join(res *Result) {
	sh := m.shadow
	if sh == nil {
		return
	}
	sh.pw.Close()
	<-sh.done
	for orig, c := range sh.copies {
		orig.Called += c.Called
		orig.Built += c.Built
	}
	for _, g := range sh.res.Globals {
		m.setKey(g.Op, []byte(g.Module), []byte(g.Name), g.Computed)
		if old := m.globals[string(m.key)]; old != nil {
			old.Called += g.Called
			old.Built += g.Built
			continue
		}
		g.Offset += sh.at
		m.globals[string(m.key)] = g
		res.Globals = append(res.Globals, g)
	}
	m.shadow = nil
}
