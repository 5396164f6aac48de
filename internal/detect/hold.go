package detect

import (
	"bytes"
	"strings"

	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/sensitive"
)

// Hold-back for streams (scan.Holder). Both detectors judge only text that
// is complete: a key is found once its last character and the boundary
// after it have arrived, a card number once its last digit has. Until then
// the stream must not release a character that could be part of one.

var (
	_ scan.Holder = (*Secrets)(nil)
	_ scan.Holder = (*Sensitive)(nil)
)

func responseRole(r scan.Role) bool { return r == scan.RoleAssistant || r == scan.RoleToolCall }

// Hold implements scan.Holder. A credential is one run of non-space
// characters (a key, a token, a connection string, a JSON-escaped PEM), so
// the trailing run is held until a space ends it; a PEM block spans lines,
// so from its BEGIN line until its END line has arrived.
func (d *Secrets) Hold(role scan.Role, text string, from int) int {
	if !responseRole(role) {
		return len(text)
	}
	for {
		b := strings.Index(text[from:], "-----BEGIN")
		if b < 0 {
			break
		}
		b += from
		e := strings.Index(text[b:], "-----END")
		if e < 0 {
			return b
		}
		// The END line is complete once its closing dashes are there.
		e += b + len("-----END")
		c := strings.Index(text[e:], "-----")
		if c < 0 {
			return b
		}
		from = e + c + len("-----")
	}
	hold := trailingRun(text, from)
	if d.tails != nil {
		// A rule that needs text after the secret holds from its keyword
		// for as far as its match can reach.
		lo := max(from, len(text)-d.maxReach)
		bp, _ := d.bufs.Get().(*[]byte)
		if bp == nil {
			bp = new([]byte)
		}
		*bp = asciiLower(*bp, text[lo:])
		for _, m := range d.tails.FindAllOverlapping(*bp) {
			if p := lo + m.Start; len(text)-p < d.tailReach[m.PatternID] {
				hold = min(hold, trailingRun(text[:p], from))
				break
			}
		}
		// A keyword still arriving ("<add " of "<add key=") holds too.
		for _, k := range d.tailKw {
			for j := min(len(k)-1, len(*bp)); j > 0; j-- {
				if bytes.HasSuffix(*bp, k[:j]) {
					hold = min(hold, trailingRun(text[:len(text)-j], from))
					break
				}
			}
		}
		d.bufs.Put(bp)
	}
	return max(from, hold)
}

// trailingRun returns where the trailing run of non-space bytes starts,
// or floor if the run reaches back past it (held text is never read again:
// a long run costs each event only what it grew by).
func trailingRun(text string, floor int) int {
	i := len(text)
	for i > floor && !isSpace(text[i-1]) {
		i--
	}
	return i
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v'
}

// Hold implements scan.Holder. Sensitive values span separators ("4539 3010
// 1967 3114", "DE89 3704 0044", "752-52-8258"), and a keyword that comes
// after a value, within sensitive.Proximity, can still raise it to a
// blocking confidence. So the tail is held from the first value-like
// group (digits with single separators, or short upper-case groups beside
// them) that has enough digits to be a value and ends within Proximity of
// the end, or else from the trailing group of the text.
func (d *Sensitive) Hold(role scan.Role, text string, from int) int {
	if !responseRole(role) {
		return len(text)
	}
	lo := max(from, len(text)-sensitive.Proximity-maxValueLen)
	// Start on a group boundary so a group is never read from its middle.
	for lo > from && !isSpace(text[lo-1]) {
		lo--
	}
	hold := len(text)
	for _, g := range valueGroups(text[lo:]) {
		start, end, digits := lo+g[0], lo+g[1], g[2]
		// A group at the end may still grow, and so may one a space
		// before it whose last token can join another ("4539 " becomes
		// "4539 3010 ...", "AB " becomes "AB 12 34 56 C").
		growing := end == len(text) || end == len(text)-1 && text[end] == ' ' && groupable(text[lo+g[3]:end])
		if growing || digits >= minValueDigits && len(text)-end <= sensitive.Proximity {
			hold = start
			break
		}
	}
	return max(from, hold)
}

const (
	// minValueDigits is the fewest digits of a blocking sensitive value
	// (a 6-digit health or national id; cards, accounts and ids have more).
	minValueDigits = 6
	// maxValueLen bounds a value group: the longest IBAN with spaces is 42.
	maxValueLen = 64
)

// valueGroups splits text into groups of value tokens: a token is a run of
// letters, digits and the punctuation ids use (- . / ( ) +); tokens join a
// group across one space when both hold a digit or are short upper-case
// codes ("GB82 WEST 1234"). Each group is [start, end, digits, start of
// its last token].
func valueGroups(text string) [][4]int {
	var out [][4]int
	i := 0
	for i < len(text) {
		for i < len(text) && !valueByte(text[i]) {
			i++
		}
		if i >= len(text) {
			break
		}
		start, digits, last := i, 0, i
		for {
			last = i
			j := i
			d := 0
			for j < len(text) && valueByte(text[j]) {
				if text[j] >= '0' && text[j] <= '9' {
					d++
				}
				j++
			}
			tok := text[i:j]
			digits += d
			i = j
			// Join the next token across a single space?
			if j+1 < len(text) && text[j] == ' ' && valueByte(text[j+1]) && groupable(tok) {
				k := j + 1
				for k < len(text) && valueByte(text[k]) {
					k++
				}
				if groupable(text[j+1 : k]) {
					i = j + 1
					continue
				}
			}
			break
		}
		out = append(out, [4]int{start, i, digits, last})
	}
	return out
}

func valueByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' ||
		c == '-' || c == '.' || c == '/' || c == '(' || c == ')' || c == '+'
}

// groupable reports whether a token can be part of a multi-token value: it
// holds a digit, or it is a short upper-case code.
func groupable(tok string) bool {
	upper := len(tok) <= 4
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c >= '0' && c <= '9' {
			return true
		}
		if c < 'A' || c > 'Z' {
			upper = false
		}
	}
	return upper
}
