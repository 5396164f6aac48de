package wordvec

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// table builds a vector file as genwordvec writes it.
func table(words []string, vecs [][]int8, scale float32) []byte {
	var b bytes.Buffer
	b.WriteString(magic)
	binary.Write(&b, binary.LittleEndian, uint32(len(words)))   //nolint:errcheck
	binary.Write(&b, binary.LittleEndian, uint32(len(vecs[0]))) //nolint:errcheck
	binary.Write(&b, binary.LittleEndian, scale)                //nolint:errcheck
	for _, w := range words {
		b.WriteByte(byte(len(w)))
		b.WriteString(w)
	}
	for _, v := range vecs {
		for _, c := range v {
			b.WriteByte(byte(c))
		}
	}
	return b.Bytes()
}

func TestPool(t *testing.T) {
	b := table([]string{"the", "ignore", "rules"}, [][]int8{{127, 0}, {0, 127}, {0, -127}}, 1.0/127)
	tab, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	text := "ignore the zzz"
	out := make([]float32, 4)
	got := tab.Pool(text, [][2]int{{0, 6}, {7, 10}, {11, 14}}, out)
	if got != 2 {
		t.Errorf("known words = %d, want 2", got)
	}
	// "the" is the most frequent word, "ignore" the second: by Zipf's law
	// "the" is twice as frequent and weighs about half, so the unit mean
	// is about (1, 2)/sqrt(5).
	if math.Abs(float64(out[0])-0.447) > 0.01 || math.Abs(float64(out[1])-0.894) > 0.01 {
		t.Errorf("mean = %v, want about (0.447, 0.894)", out[:2])
	}
	if out[2] != 1 || out[3] != 1 {
		t.Errorf("max = %v, want (1, 1)", out[2:])
	}
	if n := tab.Pool("zzz", [][2]int{{0, 3}}, out); n != 0 || out[1] != 0 || out[3] != 0 {
		t.Errorf("no known word: %d, %v; want 0 and zeros", n, out)
	}
}

func TestUnmarshalBad(t *testing.T) {
	good := table([]string{"a", "b"}, [][]int8{{1, 2}, {3, 4}}, 0.01)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "not a vector file"},
		{"magic", append([]byte("XXXXX"), good[5:]...), "not a vector file"},
		{"truncated vocabulary", good[:len(magic)+12+2], "truncated"},
		{"short vectors", good[:len(good)-1], "bytes of vectors"},
		{"long vectors", append(append([]byte(nil), good...), 0), "bytes of vectors"},
	} {
		_, err := Unmarshal(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to say %q", tc.name, err, tc.want)
		}
	}
	if _, err := Unmarshal(good); err != nil {
		t.Errorf("good table: %v", err)
	}
}

// FuzzUnmarshal: any bytes give a table or an error, never a panic, and a
// table pools any text.
func FuzzUnmarshal(f *testing.F) {
	f.Add(table([]string{"a", "bc"}, [][]int8{{1, -2}, {3, 4}}, 0.01))
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := Unmarshal(b)
		if err != nil {
			return
		}
		out := make([]float32, 2*tab.Dim)
		tab.Pool("a bc", [][2]int{{0, 1}, {2, 4}}, out)
	})
}
