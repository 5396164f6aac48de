package detect

import "regexp/syntax"

// Most credential patterns end at the secret, or one delimiter after it,
// so a stream that holds the trailing run of non-space text (Secrets.Hold)
// holds every value until it can be judged whole. A few patterns need more
// text after the secret (an XML attribute's closing `" />`): the value is
// complete, a space has arrived, and the match still cannot be made. For
// those rules the stream holds from the rule's keyword instead, as far as
// a match can reach.

// trailing returns how many bytes a match of pattern must have after its
// secret group (0 for the first group that matched, as secretGroup reads
// it), and the longest a match can be (-1: unbounded).
func trailing(pattern string, group int) (after, longest int) {
	t, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return 0, -1
	}
	t = t.Simplify()
	if group == 0 {
		group = 1
	}
	after, _ = minAfter(t, group)
	return after, maxLen(t)
}

// minAfter returns the fewest bytes t must match after capture group g,
// and whether g is inside t at all.
func minAfter(t *syntax.Regexp, g int) (int, bool) {
	switch t.Op {
	case syntax.OpCapture:
		if t.Cap == g {
			return 0, true
		}
		return minAfter(t.Sub[0], g)
	case syntax.OpConcat:
		for i, s := range t.Sub {
			if n, ok := minAfter(s, g); ok {
				for _, r := range t.Sub[i+1:] {
					n += minLen(r)
				}
				return n, true
			}
		}
	case syntax.OpAlternate:
		best, found := 0, false
		for _, s := range t.Sub {
			if n, ok := minAfter(s, g); ok && (!found || n < best) {
				best, found = n, true
			}
		}
		return best, found
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		return minAfter(t.Sub[0], g)
	}
	return 0, false
}

func minLen(t *syntax.Regexp) int {
	switch t.Op {
	case syntax.OpLiteral:
		return len(string(t.Rune))
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(t.Sub[0])
	case syntax.OpRepeat:
		return t.Min * minLen(t.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range t.Sub {
			n += minLen(s)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, s := range t.Sub {
			if m := minLen(s); n < 0 || m < n {
				n = m
			}
		}
		return max(n, 0)
	}
	return 0 // empty, anchors, star, quest
}

// maxLen returns the longest t can match in bytes (a rune counts 4), or
// -1 when it is unbounded.
func maxLen(t *syntax.Regexp) int {
	switch t.Op {
	case syntax.OpLiteral:
		return len(string(t.Rune))
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 4
	case syntax.OpCapture, syntax.OpQuest:
		return maxLen(t.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return -1
	case syntax.OpRepeat:
		m := maxLen(t.Sub[0])
		if t.Max < 0 || m < 0 {
			return -1
		}
		return t.Max * m
	case syntax.OpConcat:
		n := 0
		for _, s := range t.Sub {
			m := maxLen(s)
			if m < 0 {
				return -1
			}
			n += m
		}
		return n
	case syntax.OpAlternate:
		n := 0
		for _, s := range t.Sub {
			m := maxLen(s)
			if m < 0 {
				return -1
			}
			n = max(n, m)
		}
		return n
	}
	return 0
}
