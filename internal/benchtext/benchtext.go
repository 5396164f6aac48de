// Package benchtext builds the realistic, varied text Warden's benchmarks
// scan: everyday prompts, e-mail, code, SQL, tables, stack traces and
// several languages, written for the benchmarks (not taken from any
// dataset), in a fixed pseudo-random order so that runs compare. One
// sentence repeated would flatter caches and the model's n-gram hashing.
package benchtext

import (
	_ "embed"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

//go:embed corpus.txt
var corpus string

// Lines are the corpus's lines, for benchmarks that cycle through inputs.
func Lines() []string { return strings.Split(strings.TrimSpace(corpus), "\n") }

// Text returns about n bytes (never more, cut at a rune boundary) of
// corpus lines in an order drawn from seed, joined by spaces within
// paragraphs of a few lines and blank lines between them.
func Text(n int, seed uint64) string {
	lines := Lines()
	r := rand.New(rand.NewPCG(seed, 0x77617264656e))
	var b strings.Builder
	b.Grow(n + 256)
	for b.Len() < n {
		perm := r.Perm(len(lines))
		for i, j := range perm {
			b.WriteString(lines[j])
			if i%4 == 3 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte(' ')
			}
			if b.Len() >= n {
				break
			}
		}
	}
	s := b.String()[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
