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

// Bounds of the model: bigger tuples and dicts are opaque.
const maxModelItems = 64

// startModel turns the model on at joblib's wrapper, or at numpy.dtype:
// a dtype is often pickled (for a NumPy scalar) before the first array,
// and the wrappers refer to it through the memo.
func (m *machine) startModel(g *Global) {
	switch {
	case g.Computed || m.plain:
	case g.Module == "joblib.numpy_pickle" && g.Name == "NumpyArrayWrapper",
		g.Name == "dtype" && (g.Module == "numpy" || g.Module == "numpy.core.multiarray" || g.Module == "numpy._core.multiarray"):
		m.model = true
	}
}

// tuple models a tuple of vs.
func (m *machine) tuple(vs []value) value {
	if !m.model || len(vs) > maxModelItems {
		return value{}
	}
	return value{k: kTuple, obj: &object{items: append([]value(nil), vs...)}}
}

// dict models an empty dict.
func (m *machine) dict() value {
	if !m.model {
		return value{}
	}
	return value{k: kDict, obj: &object{keys: map[string]value{}}}
}

// setItems stores string-keyed items (key, value pairs) into the dict d.
func (m *machine) setItems(d *value, kv []value) {
	if !m.model || d.k != kDict {
		return
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i].k == kStr && len(d.obj.keys) < maxModelItems {
			d.obj.keys[string(m.bytes(kv[i]))] = kv[i+1]
		}
	}
}

// instance models the result of calling class with args.
func (m *machine) instance(class, args value) value {
	if !m.model || class.k != kGlobal {
		return value{}
	}
	return value{k: kInst, obj: &object{class: class.g, args: args}}
}

// build sets an instance's state; after a NumpyArrayWrapper's, the array
// follows in the stream.
func (m *machine) build(t *value, state value, res *Result) error {
	if !m.model || t.k != kInst {
		return nil
	}
	t.obj.state = state
	if g := t.obj.class; g.Module == "joblib.numpy_pickle" && g.Name == "NumpyArrayWrapper" {
		m.fork()
		return m.joblibArray(state, res)
	}
	return nil
}

// joblibArray reads past the array a NumpyArrayWrapper's state describes,
// reading a nested pickle (an array of objects) as a pickle.
func (m *machine) joblibArray(state value, res *Result) error {
	if state.k != kDict {
		return fmt.Errorf("joblib array: state is not a dict")
	}
	dtype := state.obj.keys["dtype"]
	if dtype.k != kInst || dtype.obj.args.k != kTuple || len(dtype.obj.args.obj.items) == 0 || dtype.obj.args.obj.items[0].k != kStr {
		return fmt.Errorf("joblib array: dtype not read")
	}
	typestr := m.bytes(dtype.obj.args.obj.items[0])
	flags, elsize := int64(0), int64(-1)
	if st := dtype.obj.state; st.k == kTuple && len(st.obj.items) >= 8 {
		flags, elsize = st.obj.items[7].i, st.obj.items[5].i
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
	shape := state.obj.keys["shape"]
	if shape.k != kTuple {
		return fmt.Errorf("joblib array: shape not read")
	}
	n := uint64(size)
	for _, d := range shape.obj.items {
		if d.k != kInt || d.i < 0 {
			return fmt.Errorf("joblib array: shape not read")
		}
		hi, lo := bits.Mul64(n, uint64(d.i))
		if hi != 0 || lo > 1<<50 {
			return fmt.Errorf("joblib array of %v elements: %w", shape.obj.items, ErrLimit)
		}
		n = lo
	}
	if _, ok := state.obj.keys["numpy_array_alignment_bytes"]; ok {
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
