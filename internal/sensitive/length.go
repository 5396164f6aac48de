package sensitive

import (
	"math"
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// byteLengths returns the shortest and longest byte length a pattern can
// match (max is math.MaxInt when unbounded), so that a candidate can skip
// patterns it cannot be before running them. Assertions (\b, ^) take no
// bytes. On a parse error it claims nothing: 0 and unbounded.
func byteLengths(pattern string) (lo, hi int) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return 0, math.MaxInt
	}
	return lengths(re.Simplify())
}

func lengths(re *syntax.Regexp) (int, int) {
	switch re.Op {
	case syntax.OpLiteral:
		lo := 0
		for _, r := range re.Rune {
			lo += utf8.RuneLen(r)
		}
		if re.Flags&syntax.FoldCase != 0 {
			return lo, lo * 2 // a folded rune may take more bytes than its literal
		}
		return lo, lo
	case syntax.OpCharClass:
		lo, hi := 4, 1
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo = min(lo, utf8.RuneLen(re.Rune[i]))
			hi = max(hi, utf8.RuneLen(min(re.Rune[i+1], utf8.MaxRune)))
		}
		if lo > hi {
			lo = hi
		}
		return lo, hi
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, 4
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, 0
	case syntax.OpCapture:
		return lengths(re.Sub[0])
	case syntax.OpStar:
		return 0, math.MaxInt
	case syntax.OpPlus:
		lo, _ := lengths(re.Sub[0])
		return lo, math.MaxInt
	case syntax.OpQuest:
		_, hi := lengths(re.Sub[0])
		return 0, hi
	case syntax.OpRepeat:
		lo, hi := lengths(re.Sub[0])
		if re.Max < 0 {
			return lo * re.Min, math.MaxInt
		}
		return lo * re.Min, mulCap(hi, re.Max)
	case syntax.OpConcat:
		lo, hi := 0, 0
		for _, s := range re.Sub {
			l, h := lengths(s)
			lo += l
			hi = addCap(hi, h)
		}
		return lo, hi
	case syntax.OpAlternate:
		lo, hi := math.MaxInt, 0
		for _, s := range re.Sub {
			l, h := lengths(s)
			lo, hi = min(lo, l), max(hi, h)
		}
		return lo, hi
	}
	return 0, math.MaxInt
}

func addCap(a, b int) int {
	if a == math.MaxInt || b == math.MaxInt {
		return math.MaxInt
	}
	return a + b
}

func mulCap(a, n int) int {
	if a == math.MaxInt || n > 0 && a > math.MaxInt/n {
		return math.MaxInt
	}
	return a * n
}

// firstBytes returns the bytes a match of pattern can start with (all of
// them when it cannot tell), the second cheap test before a candidate runs
// a pattern: an e-mail address need not try the patterns that start with
// a digit.
func firstBytes(pattern string) *[256]bool {
	var all [256]bool
	for i := range all {
		all[i] = true
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return &all
	}
	set, empty := first(re.Simplify())
	if empty {
		return &all
	}
	return &set
}

// first returns the possible first bytes of re and whether re can match
// the empty string (then what follows it may come first too).
func first(re *syntax.Regexp) (set [256]bool, empty bool) {
	addRune := func(r rune) {
		if r < utf8.RuneSelf {
			set[r] = true
			return
		}
		var b [4]byte
		utf8.EncodeRune(b[:], r)
		set[b[0]] = true
	}
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return set, true
		}
		r := re.Rune[0]
		addRune(r)
		if re.Flags&syntax.FoldCase != 0 {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				addRune(f)
			}
		}
		return set, false
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
				set[r] = true
			}
			if hi >= utf8.RuneSelf {
				for b := 0xC0; b < 0x100; b++ {
					set[b] = true
				}
			}
		}
		return set, false
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return set, true
	case syntax.OpCapture, syntax.OpPlus:
		return first(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		s, _ := first(re.Sub[0])
		return s, true
	case syntax.OpRepeat:
		s, e := first(re.Sub[0])
		return s, e || re.Min == 0
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			s, e := first(sub)
			for i, ok := range s {
				set[i] = set[i] || ok
			}
			if !e {
				return set, false
			}
		}
		return set, true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			s, e := first(sub)
			for i, ok := range s {
				set[i] = set[i] || ok
			}
			empty = empty || e
		}
		return set, empty
	}
	for i := range set {
		set[i] = true
	}
	return set, true
}
