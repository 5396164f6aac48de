package pickle

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func imports(r Result) string {
	var s []string
	for _, g := range r.Globals {
		x := g.Module + "." + g.Name
		if g.Computed {
			x += "(computed)"
		}
		if g.Called > 0 {
			x += "()"
		}
		if g.Built > 0 {
			x += "[built]"
		}
		s = append(s, x)
	}
	return strings.Join(s, " ")
}

func TestScan(t *testing.T) {
	b := func() *Builder { return &Builder{} }
	tests := []struct {
		name     string
		give     []byte
		want     string
		pickles  int
		wantErr  bool
		trailing int64
	}{
		{"protocol 0 GLOBAL and REDUCE", b().Call("os", "system", "id").Stop().B, "os.system()", 1, false, 0},
		{"protocol 4 STACK_GLOBAL", b().Proto(4).Unicode("posix").Unicode("system").StackGlobal().Unicode("id").Tuple1().Reduce().Stop().B, "posix.system()", 1, false, 0},
		{"memo indirection (CTF Safe Pickle)", b().Proto(4).
			Unicode("torch").BinPut(0).Unicode("LongStorage").BinPut(1).Op('0', '0').
			Unicode("os").BinPut(2).Unicode("system").BinPut(3).Op('0', '0').
			BinGet(2).BinGet(3).StackGlobal().Unicode("id").Tuple1().Reduce().Stop().B, "os.system()", 1, false, 0},
		{"STRING opcodes feed STACK_GLOBAL", b().Proto(2).String("subprocess").String("getoutput").StackGlobal().String("id").Tuple1().Reduce().Stop().B, "subprocess.getoutput()", 1, false, 0},
		{"INST", b().Op('(').Unicode("id").Inst("os", "system").Stop().B, "os.system()", 1, false, 0},
		{"computed module", b().Proto(4).Call("builtins", "str", "os").Unicode("system").StackGlobal().Stop().B, "builtins.str() ?.system(computed)", 1, false, 0},
		{"dotted name", b().Proto(4).Unicode("pathlib").Unicode("os.system").StackGlobal().Unicode("id").Tuple1().Reduce().Stop().B, "pathlib.os.system()", 1, false, 0},
		{"BUILD on a global", b().Proto(4).Global("numpy", "prod").Op('}').Unicode("a").Unicode("os").Op('s').Op('b').Stop().B, "numpy.prod[built]", 1, false, 0},
		{"two pickles", append(b().Call("os", "system", "a").Stop().B, b().Call("subprocess", "call", "b").Stop().B...), "os.system() subprocess.call()", 2, false, 0},
		{"trailing garbage", append(b().Call("os", "system", "a").Stop().B, "\xffjunk"...), "os.system()", 1, false, 5},
		{"broken pickle keeps the payload", append(b().Call("os", "system", "a").B, 0xff, 0xfe), "os.system()", 0, true, 0},
		{"no STOP", b().Call("os", "system", "a").B, "os.system()", 0, true, 0},
		{"FRAME straddled by BINBYTES", b().Proto(4).Frame(2).Op('C', 3, 'a', 'b', 'c').Op('0').Call("os", "system", "id").Stop().B, "os.system()", 1, false, 0},
		{"invalid memo key", b().Proto(2).Call("os", "system", "x").BinGet(9).Stop().B, "os.system()", 0, true, 0},
		{"empty", nil, "", 0, false, 0},
	}
	for _, tt := range tests {
		r := Scan(bytes.NewReader(tt.give), Limits{})
		if got := imports(r); got != tt.want || r.Pickles != tt.pickles || (r.Err != nil) != tt.wantErr || r.Trailing != tt.trailing {
			t.Errorf("%s: got %q, %d pickles, err %v, trailing %d; want %q, %d, err %v, trailing %d",
				tt.name, got, r.Pickles, r.Err, r.Trailing, tt.want, tt.pickles, tt.wantErr, tt.trailing)
		}
	}
}

func TestLimits(t *testing.T) {
	// Deep nesting of MARKs and lists.
	deep := bytes.Repeat([]byte("(]"), 2000)
	r := Scan(bytes.NewReader(deep), Limits{MaxStack: 1000})
	if r.Err == nil {
		t.Error("deep stack: no error")
	}
	// A huge declared length does not allocate.
	huge := []byte{0x80, 4, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f}
	r = Scan(bytes.NewReader(huge), Limits{})
	if r.Err == nil {
		t.Error("huge BINBYTES8: no error")
	}
	// Opcode budget.
	many := bytes.Repeat([]byte("N0"), 1000)
	r = Scan(bytes.NewReader(append(many, 'N', '.')), Limits{MaxOps: 100})
	if r.Err == nil {
		t.Error("opcode budget: no error")
	}
}

func ExampleScan() {
	p := (&Builder{}).Proto(2).Call("os", "system", "echo hi").Stop().B
	r := Scan(bytes.NewReader(p), Limits{})
	for _, g := range r.Globals {
		fmt.Println(g.Op, g.Module, g.Name, g.Called)
	}
	// Output: GLOBAL os system 1
}
