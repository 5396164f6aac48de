package scan

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalized is text folded so that detectors can match it with simple
// patterns, with a map from every byte of the folded text back to the byte
// offset of the original text it came from, so that evidence points at what
// the user actually sent.
type Normalized struct {
	Text string
	// off[i] is the original offset of Text[i]; off[len(Text)] is the
	// original length.
	off []int32
	// Hidden counts the invisible characters (zero-width, bidi controls,
	// variation selectors, tag characters) that were removed: hiding text is
	// itself a signal.
	Hidden int
}

// Original maps a span of the normalised text back to the original text.
func (n *Normalized) Original(start, end int) Span {
	if start < 0 {
		start = 0
	}
	if end > len(n.Text) {
		end = len(n.Text)
	}
	if end <= start {
		o := int(n.off[start])
		return Span{o, o}
	}
	// The end maps to the end of the original rune the last byte came from:
	// the start of the next folded byte from a different original rune.
	last := n.off[end-1]
	e := end
	for e < len(n.Text) && n.off[e] == last {
		e++
	}
	return Span{int(n.off[start]), int(n.off[e])}
}

// Normalize lowercases text, folds compatibility forms (NFKC: fullwidth and
// mathematical letters become plain ones), drops invisible format characters
// and collapses runs of white space to one space.
func Normalize(s string) *Normalized {
	n := &Normalized{}
	var b strings.Builder
	b.Grow(len(s))
	off := make([]int32, 0, len(s)+1)
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace(c) {
				if !space && b.Len() > 0 {
					b.WriteByte(' ')
					off = append(off, int32(i))
				}
				space = true
			} else {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				b.WriteByte(c)
				off = append(off, int32(i))
				space = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case invisible(r):
			n.Hidden++
		case unicode.IsSpace(r):
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				off = append(off, int32(i))
			}
			space = true
		default:
			folded := s[i : i+size]
			if !norm.NFKC.IsNormalString(folded) {
				folded = norm.NFKC.String(folded)
			}
			for _, fr := range folded {
				lr := unicode.ToLower(fr)
				start := b.Len()
				b.WriteRune(lr)
				for j := start; j < b.Len(); j++ {
					off = append(off, int32(i))
				}
			}
			space = false
		}
		i += size
	}
	off = append(off, int32(len(s)))
	n.Text = b.String()
	n.off = off
	return n
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// invisible reports characters that render as nothing: zero-width and other
// format characters (Cf, which includes bidi controls and the tag block),
// variation selectors.
func invisible(r rune) bool {
	if unicode.Is(unicode.Cf, r) {
		return true
	}
	return (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0xE0100 && r <= 0xE01EF)
}
