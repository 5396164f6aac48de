// Package suffix is a character language model of ordinary text in many
// languages, and the judgement built on it: where a prompt ends in a span
// of improbable token salad (an adversarial suffix found by optimisation,
// GCG and its kin), words and fragments no one writes in that order. The
// model is trained by cmd/train on the benign rows of the shared datasets
// and embedded; it knows nothing of attacks.
package suffix

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"math"
)

// Characters are folded into classes before the model sees them: letters
// without case, digits as one class, each ASCII punctuation mark its own,
// anything beyond ASCII one class (a word in Greek or Chinese is "a word
// in another script", whatever its letters). Case is judged apart.
const (
	classes   = 64
	clsSpace  = 0
	clsDigit  = 1
	clsOther  = 2 // non-ASCII
	clsLetter = 3 // a-z: 3..28
	clsPunct  = 29
)

var punct = []byte(".,!?'\"-:;()[]{}/\\*#@%&_+=<>|~^$`")

var classOf = func() [256]byte {
	var t [256]byte
	for i := range t {
		c := byte(i)
		switch {
		case c >= 'a' && c <= 'z':
			t[i] = clsLetter + c - 'a'
		case c >= 'A' && c <= 'Z':
			t[i] = clsLetter + c - 'A'
		case c >= '0' && c <= '9':
			t[i] = clsDigit
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			t[i] = clsSpace
		case c >= 0x80:
			t[i] = clsOther
		default:
			t[i] = clsPunct + 32 // rare ASCII punctuation shares one class
			if j := bytes.IndexByte(punct, c); j >= 0 {
				t[i] = clsPunct + byte(j)
			}
		}
	}
	return t
}()

// Model holds quantised surprisals: cost[a][b][c] is -log2 P(c | a b) in
// sixteenths of a bit, add-one smoothed.
type Model struct {
	cost []uint8 // classes^3
}

const scale = 16

// trigrams calls yield with the index of each character's trigram in t
// (classes of the two before it and its own), read after a space, a rune
// beyond ASCII counting once, and then the closing space's.
func trigrams(t string, yield func(int)) {
	a, b := byte(clsSpace), byte(clsSpace)
	prevOther := false
	for i := 0; i < len(t); i++ {
		c := classOf[t[i]]
		if c == clsOther {
			// A multi-byte rune is one character.
			if prevOther && t[i]&0xC0 == 0x80 {
				continue
			}
			prevOther = true
		} else {
			prevOther = false
		}
		yield((int(a)*classes+int(b))*classes + int(c))
		a, b = b, c
	}
	yield((int(a)*classes+int(b))*classes + clsSpace)
}

// Train counts trigrams of class sequences over texts (each padded with
// spaces) and returns the model. Deterministic.
func Train(texts []string) *Model {
	counts := make([]uint32, classes*classes*classes)
	for _, t := range texts {
		trigrams(t, func(i int) { counts[i]++ })
	}
	m := &Model{cost: make([]uint8, len(counts))}
	for ab := 0; ab < classes*classes; ab++ {
		var total float64
		for c := 0; c < classes; c++ {
			total += float64(counts[ab*classes+c]) + 1
		}
		for c := 0; c < classes; c++ {
			bits := -math.Log2((float64(counts[ab*classes+c]) + 1) / total)
			m.cost[ab*classes+c] = uint8(min(255, math.Round(bits*scale)))
		}
	}
	return m
}

// Surprisal returns the mean bits per character of token, read after a
// space (a new word), counting runes beyond ASCII once.
func (m *Model) Surprisal(token string) float64 {
	var sum, n int
	trigrams(token, func(i int) { sum += int(m.cost[i]); n++ })
	return float64(sum) / float64(n) / scale
}

// Marshal encodes the model: "WDSF1", then the costs.
func (m *Model) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("WDSF1")
	binary.Write(&b, binary.LittleEndian, uint32(classes)) //nolint:errcheck // bytes.Buffer
	b.Write(m.cost)
	return b.Bytes()
}

// Unmarshal decodes a model written by Marshal.
func Unmarshal(b []byte) (*Model, error) {
	if len(b) != 9+classes*classes*classes || string(b[:5]) != "WDSF1" || binary.LittleEndian.Uint32(b[5:9]) != classes {
		return nil, errors.New("suffix: not a model of this version")
	}
	return &Model{cost: append([]byte(nil), b[9:]...)}, nil
}

//go:embed lm.bin
var embedded []byte

// Default returns the embedded model.
func Default() (*Model, error) { return Unmarshal(embedded) }
