package pickle

import (
	"bytes"
	"fmt"
	"math/bits"
)

// joblib writes NumPy arrays into the pickle stream itself: the pickle of
// a joblib.numpy_pickle.NumpyArrayWrapper ends with BUILD, and joblib's
// unpickler then reads the array from the stream right there: its raw
// bytes (after an alignment pad), or, for arrays holding objects, a whole
// nested pickle. To read past an array, and to read that nested pickle,
// the machine keeps a small model of the values joblib's wrapper state
// needs (ints, tuples, string-keyed dicts, instances), but only once the
// pickle has imported the wrapper or numpy.dtype: every other pickle runs
// as before.

// object is a tuple, dict or instance in the joblib model.
type object struct {
	items []value          // a tuple's items
	keys  map[string]value // a dict's string keys
	class *Global          // an instance's class
	args  value            // an instance's constructor arguments (REDUCE)
	state value            // an instance's BUILD state
}

// Bounds of the model: bigger tuples and dicts are opaque, and so is
// everything past maxObjects objects in one pickle.
const (
	maxModelItems = 64
	maxObjects    = 1 << 20
)

// newObj keeps o and returns it as a value of kind k.
func (m *machine) newObj(k kind, o *object) value {
	if len(m.objs) >= maxObjects {
		return value{}
	}
	m.objs = append(m.objs, o)
	return value{k: k, off: uint32(len(m.objs) - 1)}
}

// obj is the object a kTuple, kDict or kInst value stands for.
func (m *machine) obj(v value) *object { return m.objs[v.off] }

// startModel turns the model on at joblib's wrapper, or at numpy.dtype:
// a dtype is often pickled (for a NumPy scalar) before the first array,
// and the wrappers refer to it through the memo.
func (m *machine) startModel(g *Global) {
	switch {
	case g.Computed || m.plain:
	case g.Module == "joblib.numpy_pickle" && g.Name == "NumpyArrayWrapper", externalWrapper(g),
		g.Name == "dtype" && (g.Module == "numpy" || g.Module == "numpy.core.multiarray" || g.Module == "numpy._core.multiarray"):
		m.model = true
	}
}

// tuple models a tuple of vs.
func (m *machine) tuple(vs []value) value {
	if !m.model || len(vs) > maxModelItems {
		return value{}
	}
	return m.newObj(kTuple, &object{items: append([]value(nil), vs...)})
}

// dict models an empty dict.
func (m *machine) dict() value {
	if !m.model {
		return value{}
	}
	return m.newObj(kDict, &object{keys: map[string]value{}})
}

// setItems stores string-keyed items (key, value pairs) into the dict d.
func (m *machine) setItems(d *value, kv []value) {
	if !m.model || d.k != kDict {
		return
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if o := m.obj(*d); kv[i].k == kStr && len(o.keys) < maxModelItems {
			o.keys[string(m.bytes(kv[i]))] = kv[i+1]
		}
	}
}

// instance models the result of calling class with args.
func (m *machine) instance(class, args value) value {
	if !m.model || class.k != kGlobal {
		return value{}
	}
	return m.newObj(kInst, &object{class: class.g, args: args})
}

// build sets an instance's state; after a NumpyArrayWrapper's, the array
// follows in the stream.
func (m *machine) build(t *value, state value, res *Result) error {
	if !m.model || t.k != kInst {
		return nil
	}
	m.obj(*t).state = state
	g := m.obj(*t).class
	switch {
	case g.Module == "joblib.numpy_pickle" && g.Name == "NumpyArrayWrapper":
		m.fork()
		return m.joblibArray(state, res)
	case externalWrapper(g) && len(res.Files) < 1024:
		name := ""
		if state.k == kDict {
			if f := m.obj(state).keys["filename"]; f.k == kStr {
				name = string(m.bytes(f))
			}
		}
		res.Files = append(res.Files, name)
	}
	return nil
}

// externalWrapper is joblib's wrapper (before 0.10) for an array kept in a
// file beside the pickle, which joblib.load opens with np.load.
func externalWrapper(g *Global) bool {
	return (g.Module == "joblib.numpy_pickle" || g.Module == "joblib.numpy_pickle_compat") &&
		(g.Name == "NDArrayWrapper" || g.Name == "ZNDArrayWrapper")
}

// joblibArray reads past the array a NumpyArrayWrapper's state describes,
// reading a nested pickle (an array of objects) as a pickle.
func (m *machine) joblibArray(state value, res *Result) error {
	if state.k != kDict {
		return fmt.Errorf("joblib array: state is not a dict")
	}
	st := m.obj(state)
	dtype := st.keys["dtype"]
	if dtype.k != kInst {
		return fmt.Errorf("joblib array: dtype not read")
	}
	dt := m.obj(dtype)
	if dt.args.k != kTuple || len(m.obj(dt.args).items) == 0 || m.obj(dt.args).items[0].k != kStr {
		return fmt.Errorf("joblib array: dtype not read")
	}
	typestr := m.bytes(m.obj(dt.args).items[0])
	flags, elsize := int64(0), int64(-1)
	if dt.state.k == kTuple && len(m.obj(dt.state).items) >= 8 {
		items := m.obj(dt.state).items
		flags, elsize = items[7].int(), items[5].int()
	}
	if bytes.HasPrefix(typestr, []byte("O")) || flags&1 != 0 {
		// joblib pickles arrays that hold objects with pickle.dump: a
		// whole pickle, read with the stream's limits and globals.
		sub := &machine{r: m.r, lim: m.lim, globals: m.globals, plain: true}
		sub.reset()
		if err := sub.run(res); err != nil {
			return fmt.Errorf("joblib object array: %w", err)
		}
		return nil
	}
	size, ok := itemSize(typestr, elsize)
	if !ok {
		return fmt.Errorf("joblib array: dtype %q not understood", typestr)
	}
	shape := st.keys["shape"]
	if shape.k != kTuple {
		return fmt.Errorf("joblib array: shape not read")
	}
	n := uint64(size)
	for _, d := range m.obj(shape).items {
		if d.k != kInt || d.int() < 0 {
			return fmt.Errorf("joblib array: shape not read")
		}
		hi, lo := bits.Mul64(n, uint64(d.int()))
		if hi != 0 || lo > 1<<50 {
			return fmt.Errorf("joblib array of more than 2^50 bytes: %w", ErrLimit)
		}
		n = lo
	}
	if _, ok := st.keys["numpy_array_alignment_bytes"]; ok {
		// One byte gives the pad's length, then the pad.
		pad, err := m.r.byte()
		if err != nil {
			return err
		}
		if err := m.r.skip(int64(pad)); err != nil {
			return err
		}
	}
	return m.r.skip(int64(n))
}

// itemSize is the bytes per element of a NumPy type string ("f8", "U5":
// five UCS-4 characters, "V24"); elsize is the dtype state's own count
// for flexible types.
func itemSize(typestr []byte, elsize int64) (int64, bool) {
	if len(typestr) < 1 {
		return 0, false
	}
	kind, digits := typestr[0], typestr[1:]
	if i := bytes.IndexByte(digits, '['); i >= 0 {
		digits = digits[:i] // datetime units: "M8[ns]"
	}
	n := int64(0)
	for _, c := range digits {
		if c < '0' || c > '9' || n > 1<<40 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if n == 0 && elsize > 0 {
		n = elsize
	}
	switch kind {
	case 'U':
		return n * 4, n > 0
	case 'b', 'i', 'u', 'f', 'c', 'S', 'a', 'V', 'M', 'm', '?':
		return n, n > 0 || kind == 'V'
	}
	return 0, false
}
