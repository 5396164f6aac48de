package redact

import "math"

// Shapes marks the tokens of text that look like keys by their shape alone:
// a run of at least 20 key characters (letters, digits, + / = _ -) that
// mixes upper case, lower case and digits and is not ordinary text (its
// Shannon entropy is at least 3.5 bits a character), or a run of at least
// 32 hex digits with letters and digits. Evidence applies it on top of the
// detectors' own marks: a bare AWS secret key that no rule names (no
// keyword beside it, no prefix) must not reach an alert as it is.
//
// It errs towards masking: a long mixed-case identifier with digits is
// masked too, which costs evidence a word and never leaks a key.
func Shapes(text string) []Mark {
	var out []Mark
	for i := 0; i < len(text); {
		if !keyByte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && keyByte(text[j]) {
			j++
		}
		if keyShaped(text[i:j]) {
			out = append(out, Mark{Start: i, End: j, Kind: "secret", Secret: true})
		}
		i = j
	}
	return out
}

func keyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '+' || c == '/' || c == '=' || c == '_' || c == '-'
}

func keyShaped(tok string) bool {
	if len(tok) < 20 {
		return false
	}
	var upper, lower, digit, hex int
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		case c >= '0' && c <= '9':
			digit++
		}
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' {
			hex++
		}
	}
	if hex == len(tok) && len(tok) >= 32 && digit > 0 && digit < len(tok) {
		return true
	}
	return upper > 0 && lower > 0 && digit > 0 && entropy(tok) >= 3.5
}

func entropy(s string) float64 {
	var n [256]int
	for i := 0; i < len(s); i++ {
		n[s[i]]++
	}
	h := 0.0
	for _, c := range n {
		if c > 0 {
			p := float64(c) / float64(len(s))
			h -= p * math.Log2(p)
		}
	}
	return h
}
