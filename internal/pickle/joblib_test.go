package pickle

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
)

// wrapper appends a joblib NumpyArrayWrapper for typestr and shape with
// dtype flags, ending at its BUILD (what follows is the array).
func wrapper(b *Builder, typestr string, flags byte, shape ...byte) *Builder {
	b.Global("joblib.numpy_pickle", "NumpyArrayWrapper").Op(')', 0x81, '}', '(').Unicode("shape").Op('(')
	for _, d := range shape {
		b.Op('K', d)
	}
	b.Op('t').Unicode("dtype").Global("numpy", "dtype").Unicode(typestr).Op(0x89, 0x88, 0x87, 'R', '(', 'K', 3).
		Unicode("<").Op('N', 'N', 'N', 'J', 0xff, 0xff, 0xff, 0xff, 'J', 0xff, 0xff, 0xff, 0xff, 'K', flags, 't', 'b')
	return b.Unicode("numpy_array_alignment_bytes").Op('K', 16, 'u', 'b')
}

func names(r Result) []string {
	var out []string
	for _, g := range r.Globals {
		out = append(out, g.Module+"."+g.Name)
	}
	return out
}

// TestJoblibArrays: the machine reads past the arrays joblib writes into
// the stream (pad, then bytes by dtype and shape), reads an object array's
// nested pickle, follows the plain unpickler's path from the first array,
// and stops with an error where an array cannot be sized.
func TestJoblibArrays(t *testing.T) {
	start := func() *Builder { return (&Builder{}).Proto(2).Op('}', '(').Unicode("a") }
	for _, c := range []struct {
		name    string
		b       []byte
		want    string // a global that must be found
		wantErr error  // nil: the stream must read to its end
	}{
		{"after f4 array", wrapper(start(), "f4", 0, 2, 3).Op(3, 0xff, 0xff, 0xff).Op(make([]byte, 24)...).
			Unicode("b").Global("os", "system").Op('u', '.').B, "os.system", nil},
		{"after unicode array", wrapper(start(), "U3", 0, 2).Op(0).Op(make([]byte, 24)...).
			Unicode("b").Global("os", "system").Op('u', '.').B, "os.system", nil},
		{"object array", wrapper(start(), "O8", 63, 1).Call("subprocess", "getoutput", "id").Op('.').
			Op('u', '.').B, "subprocess.getoutput", nil},
		{"plain path", wrapper(start(), "f4", 0, 1).Op('0').Op([]byte("cposix\nsystem\n(S'id'\ntR.")...).
			Op(make([]byte, '0'-24+4)...).Op('u', '.').B, "posix.system", nil},
		{"truncated", wrapper(start(), "f8", 0, 100).Op(0, 1, 2).B, "numpy.dtype", errors.New("")},
		{"overflowing shape", wrapper(start(), "f8", 0, 255, 255, 255, 255, 255, 255, 255, 255).B, "numpy.dtype", ErrLimit},
		{"unknown dtype", wrapper(start(), "q9", 0, 1).Op(0, 0).B, "numpy.dtype", errors.New("")},
	} {
		r := Scan(bytes.NewReader(c.b), Limits{})
		got := names(r)
		if len(r.Files) != 0 {
			t.Errorf("%s: files %q, want none", c.name, r.Files)
		}
		if !slices.Contains(got, c.want) {
			t.Errorf("%s: globals %v, want %s among them", c.name, got, c.want)
		}
		switch {
		case c.wantErr == nil && r.Err != nil:
			t.Errorf("%s: error %v, want the stream read to its end", c.name, r.Err)
		case c.wantErr != nil && r.Err == nil:
			t.Errorf("%s: no error, want one", c.name)
		case errors.Is(c.wantErr, ErrLimit) && !errors.Is(r.Err, ErrLimit):
			t.Errorf("%s: error %v, want a limit", c.name, r.Err)
		}
	}
}

// TestJoblibFiles: old joblib's wrappers name the array files loaded
// beside the pickle; a name that is not a literal is reported as "".
func TestJoblibFiles(t *testing.T) {
	w := func(b *Builder, name func(*Builder)) *Builder {
		b.Global("joblib.numpy_pickle", "NDArrayWrapper").Op(')', 0x81, '}', '(').Unicode("filename")
		name(b)
		return b.Op('u', 'b')
	}
	b := (&Builder{}).Proto(2).Op(']', '(')
	w(b, func(b *Builder) { b.Unicode("m.pkl_01.npy") })
	w(b, func(b *Builder) { b.Unicode("../x.npy") })
	w(b, func(b *Builder) { b.Global("builtins", "str").Unicode("y").Tuple1().Reduce() })
	r := Scan(bytes.NewReader(b.Op('e', '.').B), Limits{})
	if want := []string{"m.pkl_01.npy", "../x.npy", ""}; !slices.Equal(r.Files, want) || r.Err != nil {
		t.Errorf("files %q (error %v), want %q", r.Files, r.Err, want)
	}
}

// BenchmarkJoblibArray: a joblib pickle holding a 256 MiB array, scanned
// (the array's bytes read past, the shadow unpickler following), against
// reading the same bytes.
func BenchmarkJoblibArray(b *testing.B) {
	const n = 256 << 20
	head := wrapper((&Builder{}).Proto(2).Op('}', '(').Unicode("a"), "u1", 0, 16, 16, 16, 16, 16, 16, 16)
	p := append(append(head.Op(0).B, make([]byte, n)...), 'u', '.')
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			io.Copy(io.Discard, struct{ io.Reader }{bytes.NewReader(p)})
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		b.ReportAllocs()
		for b.Loop() {
			if r := Scan(bytes.NewReader(p), Limits{}); r.Err != nil || r.Pickles != 1 {
				b.Fatal(r.Err, r.Pickles)
			}
		}
	})
}
