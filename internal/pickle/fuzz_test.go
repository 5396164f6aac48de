package pickle

import (
	"bytes"
	"testing"
)

// FuzzScan checks that no input panics the machine or makes it work
// without bound: every input finishes within the limits.
func FuzzScan(f *testing.F) {
	f.Add((&Builder{}).Proto(4).Call("os", "system", "id").Stop().B)
	f.Add((&Builder{}).Op('(').Unicode("x").Inst("a", "b").Stop().B)
	f.Add([]byte("cos\nsystem\n(S'id'\ntR."))
	f.Add(wrapper((&Builder{}).Proto(2).Op('}', '(').Unicode("a"), "f4", 0, 2).Op(0).Op(make([]byte, 8)...).Op('u', '.').B)
	f.Add(wrapper((&Builder{}).Proto(2).Op('}', '(').Unicode("a"), "O8", 63, 1).Call("os", "system", "id").Op('.', 'u', '.').B)
	f.Fuzz(func(t *testing.T, b []byte) {
		r := Scan(bytes.NewReader(b), Limits{MaxOps: 100_000, MaxStack: 10_000, MaxMemo: 10_000, MaxString: 1 << 16})
		if r.Ops > 100_000*64+64 {
			t.Fatalf("%d opcodes", r.Ops)
		}
	})
}

// benchPickle is a pickle of the kind a model's data.pkl holds, grown to
// size: tensors rebuilt from storages, names, shapes, memoised.
func benchPickle(size int) []byte {
	b := (&Builder{}).Proto(2).Op('}', 'q', 0, '(')
	for i := 0; len(b.B) < size; i++ {
		b.Unicode("layer.weight").Global("torch._utils", "_rebuild_tensor_v2").Op('(', '(').
			Unicode("storage").Global("torch", "FloatStorage").Unicode("0").Unicode("cpu").Op('J', 0, 1, 0, 0, 't', 'Q').
			Op('K', 0, 'K', 4, 'K', 4, 0x86, 'K', 4, 'K', 1, 0x86, 0x89).Global("collections", "OrderedDict").Op(')', 'R', 't', 'R')
		if i%7 == 0 {
			b.Op('q', byte(i%250+1))
		}
	}
	return b.Op('u', '.').B
}

// BenchmarkScan is the pickle machine's throughput.
func BenchmarkScan(b *testing.B) {
	p := benchPickle(8 << 20)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		r := Scan(bytes.NewReader(p), Limits{})
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}
