// Package cleantext makes raw text safe for regular expressions without
// letting bytes hide anything: bytes that are not valid UTF-8 and NULs are
// removed (an RE2 engine stops at the first invalid byte; a NUL between
// the characters of a key, as UTF-16 text has, splits it), and a map
// leads every offset of the clean text back to the raw text, so a match
// in the clean text covers the raw bytes it came from, removed ones
// inside it included.
package cleantext

import (
	"strings"
	"unicode/utf8"
)

// Text is cleaned text and, when anything was removed, the map back.
type Text struct {
	Clean string
	// orig[i] is the raw offset of Clean's byte i; orig[len(Clean)] is the
	// raw length. Nil when Clean is the raw text itself.
	orig []int32
}

// Of cleans raw. Text that is valid UTF-8 without NULs, the usual case,
// is returned as it is, without a copy.
func Of(raw string) Text {
	// Both checks run at memory speed (word-at-a-time and vectorised);
	// the byte loop below is for text that needs cleaning.
	if strings.IndexByte(raw, 0) < 0 && utf8.ValidString(raw) {
		return Text{Clean: raw}
	}
	i := 0
	for i < len(raw) {
		c := raw[i]
		if c == 0 {
			break
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(raw[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
	}
	if i == len(raw) {
		return Text{Clean: raw}
	}
	b := make([]byte, 0, len(raw))
	orig := make([]int32, 0, len(raw)+1)
	b = append(b, raw[:i]...)
	for j := range i {
		orig = append(orig, int32(j))
	}
	for i < len(raw) {
		c := raw[i]
		if c == 0 {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, c)
			orig = append(orig, int32(i))
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(raw[i:])
		if r == utf8.RuneError && n == 1 {
			i++
			continue
		}
		b = append(b, raw[i:i+n]...)
		for k := range n {
			orig = append(orig, int32(i+k))
		}
		i += n
	}
	orig = append(orig, int32(len(raw)))
	return Text{Clean: string(b), orig: orig}
}

// Raw maps the clean span [start, end) to the raw bytes it came from: from
// the raw offset of its first byte to just past its last, so bytes removed
// inside the span are inside the raw span too.
func (t Text) Raw(start, end int) (int, int) {
	if t.orig == nil {
		return start, end
	}
	if end <= start {
		p := int(t.orig[start])
		return p, p
	}
	// Each clean byte maps to the raw byte it was copied from: the span
	// ends just past the raw copy of its last byte.
	return int(t.orig[start]), int(t.orig[end-1]) + 1
}
