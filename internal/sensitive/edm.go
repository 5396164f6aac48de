package sensitive

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// ExactData is exact-data matching: a team gives Warden keyed hashes of its
// own sensitive values (employee ids, customer numbers, names) and Warden
// flags text that holds one of them, without ever holding the values. A
// value is hashed as HMAC-SHA256(key, Canonical(value)); text is cut into
// tokens and pairs and triples of adjacent tokens, each hashed the same way.
type ExactData struct {
	Type  string // the type findings carry, e.g. "employee_id"
	key   []byte
	known map[[32]byte]struct{}
}

// Canonical is the form a value is hashed in: lowercased, runs of white
// space made one space, trimmed.
func Canonical(v string) string {
	return strings.Join(strings.Fields(strings.ToLower(v)), " ")
}

// HashValue returns the hex hash of one value under key, as the hash file
// holds it.
func HashValue(key []byte, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(Canonical(v)))
	return hex.EncodeToString(m.Sum(nil))
}

// LoadExactData reads a hash file (one hex HMAC-SHA256 a line; blank lines
// and lines starting with # are skipped) for type typ under key. A line that
// is not a hash is an error naming the line.
func LoadExactData(typ string, key []byte, r io.Reader) (*ExactData, error) {
	if len(key) < 16 {
		return nil, fmt.Errorf("exact data %s: key must be at least 16 bytes", typ)
	}
	d := &ExactData{Type: typ, key: key, known: map[[32]byte]struct{}{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		b, err := hex.DecodeString(line)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("exact data %s: line %d: not a hex SHA-256 hash", typ, n)
		}
		d.known[[32]byte(b)] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("exact data %s: %w", typ, err)
	}
	return d, nil
}

// Len returns how many hashes are loaded.
func (d *ExactData) Len() int { return len(d.known) }

// edmTokenRune reports runes that stay inside a token: letters, digits and
// the joiners ids use.
func edmTokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.@+'", r)
}

// find returns the spans of known values: single tokens and runs of two or
// three adjacent tokens (full names), at high confidence: an exact match of
// a registered value is not a guess.
func (d *ExactData) find(text string) []Match {
	type tok struct{ s, e int }
	var toks []tok
	start := -1
	for i, r := range text {
		if edmTokenRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, tok{start, i})
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, tok{start, len(text)})
	}
	var out []Match
	m := hmac.New(sha256.New, d.key)
	var sum [32]byte
	for i := range toks {
		for n := 1; n <= 3 && i+n <= len(toks); n++ {
			s, e := toks[i].s, toks[i+n-1].e
			// Trailing dots and the like end sentences, not values.
			for e > s && strings.ContainsRune(".'-", rune(text[e-1])) {
				e--
			}
			if e-s < 3 {
				continue
			}
			m.Reset()
			m.Write([]byte(Canonical(text[s:e])))
			m.Sum(sum[:0])
			if _, ok := d.known[sum]; ok {
				out = append(out, Match{Type: d.Type, Class: "exact_data", Confidence: High, Span: [2]int{s, e}})
			}
		}
	}
	return out
}
