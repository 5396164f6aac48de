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
	"unsafe"
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
// features are its occurrences in text order (duplicates included); the
// vector is scaled to unit length as if every n-gram occurred once, so
// repeats add up; the order of summation is fixed, which keeps training
// exactly reproducible.
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

// mix hashes a packed 4-byte character n-gram (murmur3's finaliser, salted
// so it does not collide with the word hashes by construction).
func mix(h uint32) uint32 {
	h ^= 0x5bd1e995
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
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
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			// ASCII, the hot path: no rune decoding, no Unicode tables.
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				if start < 0 {
					start, cjk = i, false
				} else if cjk {
					flush(i)
					start, cjk = i, false
				}
			} else if start >= 0 {
				flush(i)
			}
			i++
			continue
		}
		r, sz := utf8.DecodeRuneInString(text[i:])
		isWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		switch {
		case !isWord:
			flush(i)
		case start < 0:
			start, cjk = i, isCJK(r)
		case isCJK(r) != cjk:
			flush(i)
			start, cjk = i, isCJK(r)
		}
		i += sz
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
	inv    float64 // 1/length of the last extracted vector
}

// extract returns the features of normalised text: word unigrams, word
// bigrams and character 4-grams of the words joined by single spaces.
func (sc *scratch) extract(text string) []feature {
	sc.fs = sc.fs[:0]
	sc.walk(text, nil)
	return sc.fs
}

// dot returns w . x for the features x of text, unscaled, summed in the
// same order as Linear.raw sums extract's features, so the two give the
// same float32 result without materialising the features.
func (sc *scratch) dot(text string, w []float32) float32 {
	return sc.walk(text, w)
}

// walk visits the features of text in order. With w nil it appends them to
// sc.fs; otherwise it sums their weighted values. Either way it sets
// sc.inv, the scale that makes the vector unit length.
func (sc *scratch) walk(text string, w []float32) float32 {
	var sum float32
	n := 0
	sc.ws = words(text, sc.ws[:0])
	sc.joined = sc.joined[:0]
	isASCII := true
	for i, wd := range sc.ws {
		word := text[wd[0]:wd[1]]
		h := hashKind(kindWord, word) & mask
		if w != nil {
			sum += w[h] * 1
		} else {
			sc.fs = append(sc.fs, feature{h, 1})
		}
		n++
		if i > 0 {
			prev := text[sc.ws[i-1][0]:sc.ws[i-1][1]]
			h := fnvAdd(fnvAdd(hashKind(kindBigram, prev), " "), word) & mask
			if w != nil {
				sum += w[h] * 1
			} else {
				sc.fs = append(sc.fs, feature{h, 1})
			}
			n++
			sc.joined = append(sc.joined, ' ')
		}
		sc.joined = append(sc.joined, word...)
		if isASCII && word[0] >= utf8.RuneSelf {
			isASCII = ascii(sc.joined)
		}
	}
	j := unsafe.String(unsafe.SliceData(sc.joined), len(sc.joined))
	nc := 0
	if isASCII && ascii(sc.joined) {
		// The usual case: a 4-gram is four bytes, hashed as one integer.
		var g uint32
		for i, c := range sc.joined {
			g = g<<8 | uint32(c)
			if i >= 3 {
				h := mix(g) & mask
				if w != nil {
					sum += w[h] * charWeight
				} else {
					sc.fs = append(sc.fs, feature{h, charWeight})
				}
				nc++
			}
		}
	} else {
		sc.runes = sc.runes[:0]
		for i := range j {
			sc.runes = append(sc.runes, i)
		}
		sc.runes = append(sc.runes, len(j))
		for i := 0; i+4 < len(sc.runes); i++ {
			s := j[sc.runes[i]:sc.runes[i+4]]
			var h uint32
			if len(s) == 4 {
				h = mix(uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3]))
			} else {
				h = hashKind(kindChar, s)
			}
			h &= mask
			if w != nil {
				sum += w[h] * charWeight
			} else {
				sc.fs = append(sc.fs, feature{h, charWeight})
			}
			nc++
		}
	}
	// Word and bigram features count 1, character 4-grams charWeight: the
	// squared length is known without a loop, and the features are scaled
	// by the caller (see Linear.raw) rather than one by one.
	sq := float64(n) + float64(nc)*charWeight*charWeight
	sc.inv = 0
	if sq > 0 {
		sc.inv = 1 / math.Sqrt(sq)
	}
	return sum
}
