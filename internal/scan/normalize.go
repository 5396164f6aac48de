package scan

import (
	"sort"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// Normalized is text folded so that detectors can match it with simple
// patterns, with a map from every byte of the folded text back to the byte
// offset of the original text it came from, so that evidence points at what
// the user actually sent.
type Normalized struct {
	Text string
	// segs maps folded offsets to original ones piecewise: within a
	// segment the two advance together. Plain ASCII text with single
	// spaces is one segment, so the map costs almost nothing on typical
	// prompts.
	segs []segment
	olen int
	buf  []byte // backs Text; reused by reset
	// Hidden counts the invisible characters (zero-width, bidi controls,
	// variation selectors) that were removed: hiding text is itself a
	// signal.
	Hidden int
	// Tagged counts Unicode tag characters (U+E0020-U+E007E), which render
	// as nothing but map one to one onto ASCII: "ASCII smuggling". They are
	// decoded in place, so the smuggled text is scanned like any other;
	// TagSpan is the original range from the first to the last of them.
	Tagged  int
	TagSpan Span
	// Confusables counts letters of other scripts folded to the Latin
	// letters they imitate inside Latin words.
	Confusables int
}

type segment struct {
	n, o int32 // folded start, original start
	// one is set when every folded byte of the segment maps to the same
	// original offset (a rune folded to several bytes).
	one bool
}

// off returns the original offset of folded byte i (i may be len(Text)).
func (n *Normalized) off(i int) int {
	if i >= len(n.Text) {
		return n.olen
	}
	k := sort.Search(len(n.segs), func(k int) bool { return int(n.segs[k].n) > i }) - 1
	s := n.segs[k]
	if s.one {
		return int(s.o)
	}
	return int(s.o) + i - int(s.n)
}

// Original maps a span of the normalised text back to the original text.
func (n *Normalized) Original(start, end int) Span {
	start = max(start, 0)
	end = min(end, len(n.Text))
	if end <= start {
		o := n.off(min(start, len(n.Text)))
		return Span{o, o}
	}
	// The end maps to the end of the original rune the last byte came from:
	// the start of the next folded byte from a different original rune.
	last := n.off(end - 1)
	e := end
	for e < len(n.Text) && n.off(e) == last {
		e++
	}
	return Span{n.off(start), n.off(e)}
}

// normalizer builds a Normalized.
type normalizer struct {
	out  []byte
	segs []segment
	// lin is set while the current segment maps linearly, with delta the
	// original minus the folded offset.
	lin   bool
	delta int
}

// byte1 appends one folded byte from original offset o.
func (z *normalizer) byte1(o int, c byte) {
	if !z.lin || o-len(z.out) != z.delta {
		z.segs = append(z.segs, segment{n: int32(len(z.out)), o: int32(o)})
		z.lin, z.delta = true, o-len(z.out)
	}
	z.out = append(z.out, c)
}

// bytes appends the folded bytes of one rune from original offset o.
func (z *normalizer) bytes(o int, b []byte) {
	if len(b) == 1 {
		z.byte1(o, b[0])
		return
	}
	z.segs = append(z.segs, segment{n: int32(len(z.out)), o: int32(o), one: true})
	z.lin = false
	z.out = append(z.out, b...)
}

// Normalize lowercases text, folds compatibility forms (NFKC: fullwidth and
// mathematical letters become plain ones), drops invisible format characters
// and collapses runs of white space to one space.
func Normalize(s string) *Normalized {
	n := &Normalized{}
	n.reset(s)
	return n
}

// reset normalises s into n, reusing n's buffers.
func (n *Normalized) reset(s string) {
	z := normalizer{out: n.buf[:0], segs: n.segs[:0]}
	if cap(z.out) < len(s) {
		z.out = make([]byte, 0, len(s))
	}
	n.olen, n.Hidden, n.Tagged, n.TagSpan, n.Confusables = len(s), 0, 0, Span{}, 0
	space := false
	var rb [utf8.UTFMax]byte
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case asciiSpace(c):
				if !space && len(z.out) > 0 {
					z.byte1(i, ' ')
				}
				space = true
			case 'A' <= c && c <= 'Z':
				z.byte1(i, c+'a'-'A')
				space = false
			default:
				// The common case, inlined: extend the current segment.
				if z.lin && i-len(z.out) == z.delta {
					z.out = append(z.out, c)
				} else {
					z.byte1(i, c)
				}
				space = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= 0xE0020 && r <= 0xE007E:
			if n.Tagged == 0 {
				n.TagSpan[0] = i
			}
			n.Tagged++
			n.TagSpan[1] = i + size
			c := byte(r - 0xE0000)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c == ' ' && (space || len(z.out) == 0) {
				break
			}
			z.byte1(i, c)
			space = c == ' '
		case invisible(r):
			n.Hidden++
		case unicode.IsSpace(r):
			if !space && len(z.out) > 0 {
				z.byte1(i, ' ')
			}
			space = true
		case lookalike(r) != 0 && mixedWord(s, i, size):
			// A lookalike letter inside a Latin word: fold it, and count
			// it, since mixing scripts inside a word is a way to hide.
			z.byte1(i, lookalike(r))
			n.Confusables++
			space = false
		case stableRune(r):
			// Common scripts with no case and no compatibility forms: the
			// bytes are already the folded bytes.
			z.bytes(i, []byte(s[i:i+size]))
			space = false
		default:
			folded := s[i : i+size]
			if !norm.NFKC.IsNormalString(folded) {
				folded = norm.NFKC.String(folded)
			}
			for _, fr := range folded {
				k := utf8.EncodeRune(rb[:], unicode.ToLower(fr))
				z.bytes(i, rb[:k])
			}
			space = false
		}
		i += size
	}
	if len(z.segs) == 0 {
		z.segs = append(z.segs, segment{})
	}
	n.Text = unsafe.String(unsafe.SliceData(z.out), len(z.out))
	n.buf, n.segs = z.out, z.segs
}

// stableRune reports runes that NFKC and lowercasing leave alone and that
// need no table lookup: CJK unified ideographs, hiragana, katakana (not the
// halfwidth forms) and hangul syllables.
func stableRune(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0xAC00 && r <= 0xD7A3 || r >= 0x3041 && r <= 0x3096 || r >= 0x30A1 && r <= 0x30FA
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
