// Package wordvec reads pretrained English word vectors: GloVe (public
// domain), converted from an npm package by genwordvec into a compact file
// of the most frequent words, quantised to int8. Words that mean the same
// thing get near vectors, so a model on pooled vectors can recognise an
// attack phrased in words its training rows never used.
//
// It serves the classifier's experiment with a network on word vectors
// (internal/classifier, TestWordVectorsVsLR). The binary does not embed the
// vectors: measured on grouped cross-validation of the whole pipeline, that
// network added nothing at the false-positive rates Warden runs at (see
// docs/model-card.md), so it is not shipped.
package wordvec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

const magic = "WDWV1"

// Table maps words to vectors.
type Table struct {
	Dim   int
	scale float32
	index map[string]int32
	vecs  []int8
	// weight is each word's weight in a pooled vector: smooth inverse
	// frequency (a/(a+p(w)), p from the word's frequency rank by Zipf's
	// law), so "the" and "of" barely count and rare words count fully.
	weight []float32
}

// Load reads a table written by genwordvec.
func Load(path string) (*Table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Unmarshal(b)
}

// Unmarshal decodes a table written by genwordvec.
func Unmarshal(b []byte) (*Table, error) {
	if len(b) < len(magic)+12 || string(b[:len(magic)]) != magic {
		return nil, errors.New("wordvec: not a vector file")
	}
	p := b[len(magic):]
	n := int(binary.LittleEndian.Uint32(p))
	dim := int(binary.LittleEndian.Uint32(p[4:]))
	scale := math.Float32frombits(binary.LittleEndian.Uint32(p[8:]))
	p = p[12:]
	if n <= 0 || dim <= 0 || dim > 1024 || n > len(p) {
		return nil, fmt.Errorf("wordvec: bad header (%d words, %d dimensions)", n, dim)
	}
	t := &Table{Dim: dim, scale: scale, index: make(map[string]int32, n), weight: make([]float32, n)}
	// Zipf: p(rank r) = 1/(r*H), H the harmonic number of the vocabulary.
	h := math.Log(float64(n)) + 0.5772
	const a = 1e-3
	for i := 0; i < n; i++ {
		if len(p) < 1 || len(p) < 1+int(p[0]) {
			return nil, errors.New("wordvec: truncated vocabulary")
		}
		l := int(p[0])
		t.index[string(p[1:1+l])] = int32(i)
		p = p[1+l:]
		freq := 1 / (float64(i+1) * h)
		t.weight[i] = float32(a / (a + freq))
	}
	if len(p) != n*dim {
		return nil, fmt.Errorf("wordvec: %d bytes of vectors, want %d", len(p), n*dim)
	}
	t.vecs = make([]int8, n*dim)
	for i, c := range p {
		t.vecs[i] = int8(c)
	}
	return t, nil
}

// Words is the size of the vocabulary.
func (t *Table) Words() int { return len(t.weight) }

// Vector writes word's vector into v (length Dim) and returns its pooling
// weight; false if the word has none.
func (t *Table) Vector(word string, v []float32) (float32, bool) {
	id, ok := t.index[word]
	if !ok {
		return 0, false
	}
	for k, c := range t.vecs[int(id)*t.Dim : int(id)*t.Dim+t.Dim] {
		v[k] = float32(c) * t.scale
	}
	return t.weight[id], true
}

// Pool writes into out (length 2*Dim) the pooled vectors of the words of
// text at spans: the weighted mean of their unit vectors, scaled to unit
// length, then the largest value of each dimension over the words. It
// returns how many words had a vector; with none, out is all zeros.
func (t *Table) Pool(text string, spans [][2]int, out []float32) int {
	d := t.Dim
	mean, peak := out[:d], out[d:2*d]
	clear(mean)
	for i := range peak {
		peak[i] = -128
	}
	known := 0
	for _, s := range spans {
		id, ok := t.index[text[s[0]:s[1]]]
		if !ok {
			continue
		}
		known++
		v := t.vecs[int(id)*d : int(id)*d+d]
		w := t.weight[id]
		for k, c := range v {
			mean[k] += w * float32(c)
			if float32(c) > peak[k] {
				peak[k] = float32(c)
			}
		}
	}
	if known == 0 {
		clear(out[:2*d])
		return 0
	}
	var sq float32
	for _, x := range mean {
		sq += x * x
	}
	if sq > 0 {
		inv := 1 / float32(math.Sqrt(float64(sq)))
		for k := range mean {
			mean[k] *= inv
		}
	}
	for k := range peak {
		peak[k] *= t.scale
	}
	return known
}
