package pickle

import (
	"encoding/binary"
	"strconv"
)

// Builder writes pickle opcodes, for tests and for generating the scanner's
// test files: each method appends one opcode with its argument.
type Builder struct{ B []byte }

// Op appends raw opcode bytes.
func (b *Builder) Op(ops ...byte) *Builder { b.B = append(b.B, ops...); return b }

// Proto appends PROTO v.
func (b *Builder) Proto(v byte) *Builder { return b.Op(0x80, v) }

// Global appends GLOBAL module name (protocol 0 text form).
func (b *Builder) Global(mod, name string) *Builder {
	b.B = append(b.B, 'c')
	b.B = append(b.B, mod+"\n"+name+"\n"...)
	return b
}

// Inst appends INST module name.
func (b *Builder) Inst(mod, name string) *Builder {
	b.B = append(b.B, 'i')
	b.B = append(b.B, mod+"\n"+name+"\n"...)
	return b
}

// Unicode appends SHORT_BINUNICODE s (BINUNICODE when longer than 255).
func (b *Builder) Unicode(s string) *Builder {
	if len(s) < 256 {
		b.B = append(b.B, 0x8c, byte(len(s)))
	} else {
		b.B = append(b.B, 'X')
		b.B = binary.LittleEndian.AppendUint32(b.B, uint32(len(s)))
	}
	b.B = append(b.B, s...)
	return b
}

// String appends a protocol-0 STRING 's'.
func (b *Builder) String(s string) *Builder {
	b.B = append(b.B, 'S')
	b.B = append(b.B, strconv.Quote(s)...)
	b.B = append(b.B, '\n')
	return b
}

// BinPut appends BINPUT k; BinGet appends BINGET k.
func (b *Builder) BinPut(k byte) *Builder { return b.Op('q', k) }

// BinGet appends BINGET k.
func (b *Builder) BinGet(k byte) *Builder { return b.Op('h', k) }

// StackGlobal appends STACK_GLOBAL.
func (b *Builder) StackGlobal() *Builder { return b.Op(0x93) }

// Tuple1 appends TUPLE1; Reduce appends REDUCE; Stop appends STOP.
func (b *Builder) Tuple1() *Builder { return b.Op(0x85) }

// Reduce appends REDUCE.
func (b *Builder) Reduce() *Builder { return b.Op('R') }

// Stop appends STOP.
func (b *Builder) Stop() *Builder { return b.Op('.') }

// Frame appends FRAME n.
func (b *Builder) Frame(n uint64) *Builder {
	b.B = append(b.B, 0x95)
	b.B = binary.LittleEndian.AppendUint64(b.B, n)
	return b
}

// Call appends the common payload shape: GLOBAL mod name, one string
// argument, REDUCE (mod.name(arg)).
func (b *Builder) Call(mod, name, arg string) *Builder {
	return b.Global(mod, name).Unicode(arg).Tuple1().Reduce()
}
