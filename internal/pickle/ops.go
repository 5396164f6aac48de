package pickle

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// run executes one pickle up to its STOP.
func (m *machine) run(res *Result) error {
	for {
		off := m.r.n
		op, err := m.r.byte()
		if err != nil {
			if m.ops == 0 {
				return fmt.Errorf("empty pickle")
			}
			return fmt.Errorf("offset %d: stream ends before STOP", off)
		}
		m.ops++
		res.Ops++
		if m.ops > m.lim.MaxOps {
			return fmt.Errorf("offset %d: more than %d opcodes: %w", off, m.lim.MaxOps, ErrLimit)
		}
		if len(m.stack) > m.lim.MaxStack {
			return fmt.Errorf("offset %d: stack deeper than %d: %w", off, m.lim.MaxStack, ErrLimit)
		}
		done, err := m.step(op, off, res)
		if err != nil {
			return fmt.Errorf("offset %d: opcode %q: %w", off, op, err)
		}
		if done {
			return nil
		}
	}
}

func (m *machine) push(v value) { m.stack = append(m.stack, v) }

func (m *machine) pop() (value, error) {
	n := len(m.stack)
	if n == 0 || len(m.marks) > 0 && m.marks[len(m.marks)-1] == n {
		return value{}, fmt.Errorf("stack underflow")
	}
	v := m.stack[n-1]
	m.stack = m.stack[:n-1]
	return v, nil
}

func (m *machine) top() (*value, error) {
	if len(m.stack) == 0 {
		return nil, fmt.Errorf("stack underflow")
	}
	return &m.stack[len(m.stack)-1], nil
}

// popMark pops everything down to the last MARK and returns it.
func (m *machine) popMark() ([]value, error) {
	if len(m.marks) == 0 {
		return nil, fmt.Errorf("no MARK")
	}
	k := m.marks[len(m.marks)-1]
	m.marks = m.marks[:len(m.marks)-1]
	// The values stay in the stack's array until the next push: callers
	// read them before pushing.
	vs := m.stack[k:]
	m.stack = m.stack[:k]
	return vs, nil
}

func (m *machine) u(n int) (uint64, error) {
	b := m.num[:]
	clear(b)
	if err := m.r.full(b[:n]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// data reads a length-prefixed argument: kept as a string up to
// MaxString, skipped beyond (a tensor's bytes need not be held).
func (m *machine) data(n uint64, str bool) (value, error) {
	if n > 1<<62 {
		return value{}, fmt.Errorf("length %d: %w", n, ErrLimit)
	}
	if int64(n) > m.lim.MaxString || !str {
		return value{}, m.r.skip(int64(n))
	}
	if cap(m.line) < int(n) {
		m.line = make([]byte, n)
	}
	b := m.line[:n]
	if err := m.r.full(b); err != nil {
		return value{}, err
	}
	return m.keep(b), nil
}

// global records an import (once per module, name and opcode: a model's
// pickle imports the same tensor builder thousands of times) and returns
// it as a value.
func (m *machine) global(mod, name []byte, op string, off int64, computed bool, res *Result) value {
	m.setKey(op, mod, name, computed)
	g := m.globals[string(m.key)]
	if g == nil {
		g = &Global{Module: string(mod), Name: string(name), Op: op, Offset: off, Computed: computed}
		m.globals[string(m.key)] = g
		res.Globals = append(res.Globals, g)
	}
	m.startModel(g)
	return value{k: kGlobal, g: g}
}

// setKey makes m.key the globals map's key for an import.
func (m *machine) setKey(op string, mod, name []byte, computed bool) {
	m.key = append(append(append(append(append(m.key[:0], op...), 0), mod...), 0), name...)
	if computed {
		m.key = append(m.key, 0, 1)
	}
}

// call notes a call of v (REDUCE, OBJ, NEWOBJ...) with args and pushes
// its result.
func (m *machine) call(v, args value) {
	if v.k == kGlobal {
		v.g.Called++
	}
	m.push(m.instance(v, args))
}

func (m *machine) memoPut(k uint64) error {
	v, err := m.top()
	if err != nil {
		return err
	}
	if k < uint64(m.lim.MaxMemo) {
		if k >= uint64(len(m.memo)) {
			n := max(2*len(m.memo), int(k)+1, 64)
			n = min(n, m.lim.MaxMemo)
			m.memo = append(m.memo, make([]value, n-len(m.memo))...)
			m.memoSet = append(m.memoSet, make([]bool, n-len(m.memoSet))...)
		}
		if !m.memoSet[k] {
			m.memoN++
		}
		m.memo[k], m.memoSet[k] = *v, true
		return nil
	}
	if m.memoMap == nil {
		m.memoMap = map[uint64]value{}
	}
	if _, ok := m.memoMap[k]; !ok {
		if m.memoN >= m.lim.MaxMemo {
			return fmt.Errorf("more than %d memo entries: %w", m.lim.MaxMemo, ErrLimit)
		}
		m.memoN++
	}
	m.memoMap[k] = *v
	return nil
}

func (m *machine) memoGet(k uint64) error {
	if k < uint64(len(m.memo)) && m.memoSet[k] {
		m.push(m.memo[k])
		return nil
	}
	v, ok := m.memoMap[k]
	if !ok {
		return fmt.Errorf("memo key %d not set", k)
	}
	m.push(v)
	return nil
}

// pyString decodes a protocol-0 STRING argument: a quoted Python literal.
func pyString(b []byte) (string, error) {
	s := string(b)
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		if u, err := strconv.Unquote(`"` + strings.ReplaceAll(s[1:len(s)-1], `"`, `\"`) + `"`); err == nil {
			return u, nil
		}
		return s[1 : len(s)-1], nil
	}
	return "", fmt.Errorf("STRING argument not quoted")
}

// twoLines reads the module and name lines of GLOBAL and INST, into
// buffers valid until the next call.
func (m *machine) twoLines(max int) ([]byte, []byte, error) {
	var err error
	if m.line, err = m.r.line(m.line, max); err != nil {
		return nil, nil, err
	}
	if m.line2, err = m.r.line(m.line2, max); err != nil {
		return nil, nil, err
	}
	return m.line, m.line2, nil
}

// step executes one opcode; done is true at STOP.
func (m *machine) step(op byte, off int64, res *Result) (done bool, err error) {
	maxLine := int(min(m.lim.MaxString, 1<<20))
	switch op {
	case '.': // STOP
		if _, err := m.pop(); err != nil {
			return false, err
		}
		return true, nil
	case '(': // MARK
		m.marks = append(m.marks, len(m.stack))
	case '0': // POP
		if len(m.marks) > 0 && m.marks[len(m.marks)-1] == len(m.stack) {
			m.marks = m.marks[:len(m.marks)-1] // POP of a MARK, as CPython does
			return false, nil
		}
		_, err = m.pop()
	case '1': // POP_MARK
		_, err = m.popMark()
	case '2': // DUP
		var v *value
		if v, err = m.top(); err == nil {
			m.push(*v)
		}
	case 'F', 'I', 'L': // FLOAT, INT, LONG (text)
		m.line, err = m.r.line(m.line, maxLine)
		v := value{}
		if op == 'I' && m.model {
			if i, perr := strconv.ParseInt(strings.TrimSpace(string(m.line)), 10, 64); perr == nil {
				v = intValue(i)
			}
		}
		m.push(v)
	case 'J': // BININT
		var n uint64
		n, err = m.u(4)
		m.push(intValue(int64(int32(uint32(n)))))
	case 'K': // BININT1
		var n uint64
		n, err = m.u(1)
		m.push(intValue(int64(n)))
	case 'M': // BININT2
		var n uint64
		n, err = m.u(2)
		m.push(intValue(int64(n)))
	case 'G': // BINFLOAT
		_, err = m.u(8)
		m.push(value{})
	case 'N', 0x88, 0x89: // NONE, NEWTRUE, NEWFALSE
		m.push(value{})
	case 'P': // PERSID
		m.line, err = m.r.line(m.line, maxLine)
		m.push(value{})
	case 'Q': // BINPERSID
		_, err = m.pop()
		m.push(value{})
	case 'S': // STRING
		if m.line, err = m.r.line(m.line, maxLine); err == nil {
			var s string
			if s, err = pyString(m.line); err == nil {
				m.push(m.keep([]byte(s)))
			}
		}
	case 'V': // UNICODE (raw-unicode-escape)
		if m.line, err = m.r.line(m.line, maxLine); err == nil {
			m.push(m.keep(m.line))
		}
	case 'T', 'X', 'B': // BINSTRING, BINUNICODE, BINBYTES: 4-byte length
		var n uint64
		if n, err = m.u(4); err == nil {
			var v value
			v, err = m.data(n, op != 'B')
			m.push(v)
		}
	case 'U', 'C', 0x8c: // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
		var n uint64
		if n, err = m.u(1); err == nil {
			var v value
			v, err = m.data(n, op != 'C')
			m.push(v)
		}
	case 0x8d, 0x8e, 0x96: // BINUNICODE8, BINBYTES8, BYTEARRAY8
		var n uint64
		if n, err = m.u(8); err == nil {
			var v value
			v, err = m.data(n, op == 0x8d)
			m.push(v)
		}
	case 0x8a: // LONG1
		var n uint64
		v := value{}
		if n, err = m.u(1); err == nil && n <= 8 {
			var x uint64
			if x, err = m.u(int(n)); n > 0 && n < 8 && x>>(8*n-1)&1 == 1 {
				x |= ^uint64(0) << (8 * n) // sign-extend
			}
			v = intValue(int64(x))
		} else if err == nil {
			err = m.r.skip(int64(n))
		}
		m.push(v)
	case 0x8b: // LONG4
		var n uint64
		if n, err = m.u(4); err == nil {
			if n > 1<<31 {
				return false, fmt.Errorf("LONG4 length %d: %w", n, ErrLimit)
			}
			err = m.r.skip(int64(n))
		}
		m.push(value{})
	case 'a': // APPEND
		if _, err = m.pop(); err == nil {
			_, err = m.top()
		}
	case 'e', 0x90: // APPENDS, ADDITEMS
		if _, err = m.popMark(); err == nil {
			_, err = m.top()
		}
	case 's': // SETITEM
		var k, v value
		if v, err = m.pop(); err == nil {
			if k, err = m.pop(); err == nil {
				var d *value
				if d, err = m.top(); err == nil {
					m.setItems(d, []value{k, v})
				}
			}
		}
	case 'u': // SETITEMS
		var kv []value
		if kv, err = m.popMark(); err == nil {
			var d *value
			if d, err = m.top(); err == nil {
				m.setItems(d, kv)
			}
		}
	case 'd': // DICT (from MARK)
		var vs []value
		if vs, err = m.popMark(); err == nil {
			d := m.dict()
			m.setItems(&d, vs)
			m.push(d)
		}
	case 'l', 0x91: // LIST, FROZENSET (from MARK)
		if _, err = m.popMark(); err == nil {
			m.push(value{})
		}
	case 't': // TUPLE (from MARK)
		var vs []value
		if vs, err = m.popMark(); err == nil {
			m.push(m.tuple(vs))
		}
	case ']', 0x8f: // EMPTY_LIST, EMPTY_SET
		m.push(value{})
	case '}': // EMPTY_DICT
		m.push(m.dict())
	case ')': // EMPTY_TUPLE
		m.push(m.tuple(nil))
	case 0x85, 0x86, 0x87: // TUPLE1, TUPLE2, TUPLE3
		var vs [3]value
		n := int(op - 0x84)
		for i := n - 1; i >= 0; i-- {
			if vs[i], err = m.pop(); err != nil {
				return false, err
			}
		}
		m.push(m.tuple(vs[:n]))
	case 'b': // BUILD
		var state value
		if state, err = m.pop(); err == nil {
			var t *value
			if t, err = m.top(); err == nil && t.k == kGlobal {
				t.g.Built++
			} else if err == nil {
				err = m.build(t, state, res)
			}
		}
	case 'c': // GLOBAL
		var mod, name []byte
		if mod, name, err = m.twoLines(maxLine); err == nil {
			m.push(m.global(mod, name, "GLOBAL", off, false, res))
		}
	case 'i': // INST: GLOBAL and a call on the values since MARK
		var mod, name []byte
		if mod, name, err = m.twoLines(maxLine); err == nil {
			{
				g := m.global(mod, name, "INST", off, false, res)
				var vs []value
				if vs, err = m.popMark(); err == nil {
					m.call(g, m.tuple(vs))
				}
			}
		}
	case 0x93: // STACK_GLOBAL
		var name, mod value
		if name, err = m.pop(); err == nil {
			if mod, err = m.pop(); err == nil {
				computed := mod.k != kStr || name.k != kStr
				mn, nn := []byte("?"), []byte("?")
				if mod.k == kStr {
					mn = m.bytes(mod)
				}
				if name.k == kStr {
					nn = m.bytes(name)
				}
				m.push(m.global(mn, nn, "STACK_GLOBAL", off, computed, res))
			}
		}
	case 'R': // REDUCE
		var f, args value
		if args, err = m.pop(); err == nil {
			if f, err = m.pop(); err == nil {
				m.call(f, args)
			}
		}
	case 'o': // OBJ: class and args since MARK
		var vs []value
		if vs, err = m.popMark(); err == nil {
			if len(vs) == 0 {
				return false, fmt.Errorf("OBJ without a class")
			}
			m.call(vs[0], m.tuple(vs[1:]))
		}
	case 0x81: // NEWOBJ
		var c, args value
		if args, err = m.pop(); err == nil {
			if c, err = m.pop(); err == nil {
				m.call(c, args)
			}
		}
	case 0x92: // NEWOBJ_EX
		var c, args value
		if _, err = m.pop(); err == nil {
			if args, err = m.pop(); err == nil {
				if c, err = m.pop(); err == nil {
					m.call(c, args)
				}
			}
		}
	case 'g': // GET
		if m.line, err = m.r.line(m.line, maxLine); err == nil {
			var k uint64
			if k, err = strconv.ParseUint(strings.TrimSpace(string(m.line)), 10, 64); err == nil {
				err = m.memoGet(k)
			}
		}
	case 'h': // BINGET
		var k uint64
		if k, err = m.u(1); err == nil {
			err = m.memoGet(k)
		}
	case 'j': // LONG_BINGET
		var k uint64
		if k, err = m.u(4); err == nil {
			err = m.memoGet(k)
		}
	case 'p': // PUT
		if m.line, err = m.r.line(m.line, maxLine); err == nil {
			var k uint64
			if k, err = strconv.ParseUint(strings.TrimSpace(string(m.line)), 10, 64); err == nil {
				err = m.memoPut(k)
			}
		}
	case 'q': // BINPUT
		var k uint64
		if k, err = m.u(1); err == nil {
			err = m.memoPut(k)
		}
	case 'r': // LONG_BINPUT
		var k uint64
		if k, err = m.u(4); err == nil {
			err = m.memoPut(k)
		}
	case 0x94: // MEMOIZE
		err = m.memoPut(uint64(m.memoN))
	case 0x80: // PROTO
		var v uint64
		if v, err = m.u(1); err == nil {
			if v > 5 {
				return false, fmt.Errorf("unsupported protocol %d", v)
			}
			res.Protocol = max(res.Protocol, int(v))
		}
	case 0x95: // FRAME: the C unpickler reads on through frame ends, and so does this machine
		_, err = m.u(8)
	case 0x82, 0x83, 0x84: // EXT1, EXT2, EXT4: an extension-registry import
		n := map[byte]int{0x82: 1, 0x83: 2, 0x84: 4}[op]
		var code uint64
		if code, err = m.u(n); err == nil {
			m.push(m.global([]byte("copyreg"), fmt.Appendf(nil, "extension %d", code), "EXT", off, true, res))
		}
	case 0x97: // NEXT_BUFFER: an out-of-band buffer
		m.push(value{})
	case 0x98: // READONLY_BUFFER
		_, err = m.top()
	default:
		return false, fmt.Errorf("invalid opcode")
	}
	return false, err
}
