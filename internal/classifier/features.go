// Package classifier is Warden's statistical prompt-attack model: a
// logistic regression over hashed word and character n-grams of normalised
// text, trained by the project on the shared datasets (cmd/train), with its
// weights embedded in the binary. It scores text window by window, so an
// instruction buried in a long document is found and located, and it
// explains each score by the n-grams that pushed it up.
package classifier

import (
	"math"
	"unicode"
	"unicode/utf8"
)

// Bits sets the size of the hashed feature space (2^Bits weights).
const Bits = 18

const mask = 1<<Bits - 1

// Kinds of n-gram, hashed apart, with their weight in a window's vector.
const (
	kindWord   = 'w'
	kindBigram = 'b'
	kindChar   = 'c'
	charWeight = 0.5
)

// feature is one n-gram occurrence: its bucket and its value. A window's
// features are its occurrences in text order (duplicates included), scaled
// so the vector has unit length if every n-gram occurred once: repeats add
// up, and the order of summation is fixed, which keeps training exactly
// reproducible.
type feature struct {
	idx uint32
	val float32
}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnvAdd(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

func hashKind(kind byte, s string) uint32 {
	return fnvAdd((fnvOffset^uint32(kind))*fnvPrime, s)
}

// words appends the word spans of normalised text to out: runs of letters,
// digits and combining marks. Runs of CJK ideographs, kana and hangul become
// overlapping character bigrams, since those scripts do not separate words.
func words(text string, out [][2]int) [][2]int {
	start := -1
	cjk := false
	flush := func(end int) {
		if start < 0 {
			return
		}
		if !cjk {
			out = append(out, [2]int{start, end})
			start = -1
			return
		}
		prev := -1
		for i := start; i < end; {
			_, sz := utf8.DecodeRuneInString(text[i:])
			if prev >= 0 {
				out = append(out, [2]int{prev, i + sz})
			}
			prev = i
			i += sz
		}
		if prev == start {
			out = append(out, [2]int{start, end})
		}
		start = -1
	}
	for i, r := range text {
		isWord := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') ||
			r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
		switch {
		case !isWord:
			flush(i)
		case start < 0:
			start, cjk = i, r >= utf8.RuneSelf && isCJK(r)
		case (r >= utf8.RuneSelf && isCJK(r)) != cjk:
			flush(i)
			start, cjk = i, r >= utf8.RuneSelf && isCJK(r)
		}
	}
	flush(len(text))
	return out
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// scratch holds reusable buffers for feature extraction.
type scratch struct {
	ws     [][2]int
	joined []byte
	runes  []int
	fs     []feature
}

// extract returns the features of normalised text: word unigrams, word
// bigrams and character 4-grams of the words joined by single spaces.
func (sc *scratch) extract(text string) []feature {
	sc.ws = words(text, sc.ws[:0])
	sc.fs = sc.fs[:0]
	sc.joined = sc.joined[:0]
	for i, w := range sc.ws {
		word := text[w[0]:w[1]]
		sc.fs = append(sc.fs, feature{hashKind(kindWord, word) & mask, 1})
		if i > 0 {
			prev := text[sc.ws[i-1][0]:sc.ws[i-1][1]]
			h := fnvAdd(fnvAdd(hashKind(kindBigram, prev), " "), word)
			sc.fs = append(sc.fs, feature{h & mask, 1})
			sc.joined = append(sc.joined, ' ')
		}
		sc.joined = append(sc.joined, word...)
	}
	sc.runes = sc.runes[:0]
	for i := range string(sc.joined) {
		sc.runes = append(sc.runes, i)
	}
	sc.runes = append(sc.runes, len(sc.joined))
	j := string(sc.joined)
	for i := 0; i+4 < len(sc.runes); i++ {
		sc.fs = append(sc.fs, feature{hashKind(kindChar, j[sc.runes[i]:sc.runes[i+4]]) & mask, charWeight})
	}
	var sq float64
	for _, f := range sc.fs {
		sq += float64(f.val) * float64(f.val)
	}
	if sq > 0 {
		inv := float32(1 / math.Sqrt(sq))
		for i := range sc.fs {
			sc.fs[i].val *= inv
		}
	}
	return sc.fs
}
