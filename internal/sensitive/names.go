package sensitive

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// NameModel finds person names without a naming phrase ("by Szabina J
// Gelencsér", "Krisztián Szöllösy listed ..."): a logistic regression over
// hashed features of each capitalised token (the word, its suffixes and
// shape, its neighbours) trained on the shared presidio-synth sentences
// (go run ./cmd/trainnames). Consecutive name tokens make one span.
//
// It runs in two passes: the second sees, besides the token's own features,
// how likely the first pass found its neighbours to be names, so that a
// first name next to a sure surname ("Erin Dale") is found with it.
type NameModel struct {
	w1, w2  []float32 // 1<<nameBits weights each; the last is the bias
	scratch sync.Pool // *nameScratch
}

const (
	nameBits  = 16
	nameMagic = "WDNNAME2"
)

//go:embed names.bin
var namesBin []byte

// LoadNameModel decodes a model written by NameModel.MarshalBinary.
func LoadNameModel(b []byte) (*NameModel, error) {
	n := 1<<nameBits + 1
	if len(b) != len(nameMagic)+8*n || string(b[:len(nameMagic)]) != nameMagic {
		return nil, errors.New("name model: bad size or header")
	}
	m := &NameModel{w1: make([]float32, n), w2: make([]float32, n)}
	for i := range 2 * n {
		v := math.Float32frombits(binary.LittleEndian.Uint32(b[len(nameMagic)+4*i:]))
		if i < n {
			m.w1[i] = v
		} else {
			m.w2[i-n] = v
		}
	}
	return m, nil
}

// MarshalBinary encodes the model.
func (m *NameModel) MarshalBinary() ([]byte, error) {
	b := make([]byte, len(nameMagic)+4*(len(m.w1)+len(m.w2)))
	copy(b, nameMagic)
	for i, v := range append(append([]float32(nil), m.w1...), m.w2...) {
		binary.LittleEndian.PutUint32(b[len(nameMagic)+4*i:], math.Float32bits(v))
	}
	return b, nil
}

// token is a word of the text with its byte span.
type token struct {
	s, e int
	w    string
	nl   bool // a line break or sentence end comes before it
}

// codeLine reports lines with three or more of the brackets and operators
// code is full of: "ctx, cancel := context.WithTimeout(r.Context(), d)".
func codeLine(line string) bool {
	n := 0
	for i := 0; i < len(line); i++ {
		n += int(codeByte[line[i]])
	}
	return n >= 3
}

// codeByte marks the brackets and operators that make a line code.
var codeByte = func() (t [256]uint8) {
	for _, c := range "{}();=<>[]" {
		t[c] = 1
	}
	return t
}()

// tokens splits text into words (letters, digits, apostrophes and hyphens
// inside them), noting where a line or sentence ended before each, into
// out[:0]. Lines of code are skipped.
func tokens(text string, out []token) []token {
	out = out[:0]
	brk := true
	lineEnd, code := -1, false
	for i := 0; i < len(text); {
		if i > lineEnd {
			e := strings.IndexByte(text[i:], '\n')
			if e < 0 {
				lineEnd = len(text)
			} else {
				lineEnd = i + e
			}
			code = codeLine(text[i:lineEnd])
			if code {
				// No names are looked for on a line of code, and its
				// words are no one's neighbours: skip it whole.
				i, brk = lineEnd+1, true
				continue
			}
		}
		c := text[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !wordRune(r) {
			// A full stop after an initial ("Mohmad R. Vizirov") or a title
			// ("Dr. Burke") ends no sentence.
			initial := r == '.' && len(out) > 0 && out[len(out)-1].e == i &&
				(utf8.RuneCountInString(out[len(out)-1].w) == 1 || honorific(out[len(out)-1].w))
			if !initial && (r == '\n' || r == '.' || r == '!' || r == '?' || r == ':' || r == ';' || r == '"' || r == '(') {
				brk = true
			}
			i += size
			continue
		}
		j := i + size
		for j < len(text) {
			c := text[j]
			if c < utf8.RuneSelf {
				if asciiWord(c) || (c == '\'' || c == '-') && j+1 < len(text) && isLetterAt(text, j+1) {
					j++
					continue
				}
				break
			}
			r, size := utf8.DecodeRuneInString(text[j:])
			if !wordRune(r) {
				break
			}
			j += size
		}
		out = append(out, token{s: i, e: j, w: text[i:j], nl: brk})
		brk = false
		i = j
	}
	return out
}

func asciiWord(c byte) bool { return wordByte[c] }

// wordByte marks the ASCII letters and digits: a table read beats three
// range tests in the tokenizer's inner loop.
var wordByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	return t
}()

func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isLetterAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

// honorific reports titles that precede a name but are not part of it.
func honorific(w string) bool {
	if len(w) < 2 || len(w) > 5 {
		return false
	}
	var b [5]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	switch string(b[:len(w)]) {
	case "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame", "lord", "lady", "rev":
		return true
	}
	return false
}

// candidate reports whether token i can be part of a name: capitalised,
// not a title, and not code (a method or field after a dot, a call before a
// parenthesis, an identifier in camel case such as ResponseWriter; lines of
// code have no tokens at all).
func candidate(text string, ts []token, i int) bool {
	t := ts[i]
	if !capitalised(t.w) || honorific(t.w) {
		return false
	}
	if t.s > 0 && (text[t.s-1] == '.' || text[t.s-1] == '_') || t.e < len(text) && (text[t.e] == '(' || text[t.e] == '_') {
		return false
	}
	lowerSeen := false
	for j := 1; j < len(t.w); j++ {
		c := t.w[j]
		switch {
		case c >= 'a' && c <= 'z':
			lowerSeen = true
		case c >= 'A' && c <= 'Z' && lowerSeen && !(j == 2 && t.w[:2] == "Mc") && !(j == 3 && t.w[:3] == "Mac"):
			return false
		case c == '\'' || c == '-':
			lowerSeen = false
		}
	}
	return true
}

// capitalised reports a token that starts with an upper-case letter and
// holds no digit: a name candidate ("L01X00T471" is an identifier).
func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) && !strings.ContainsAny(w, "0123456789")
}

// shape writes the token's shape (X upper, x lower, d digit, runs
// collapsed: "McDonald" is XxXx) into buf.
func shape(buf []byte, w string) []byte {
	last := byte(0)
	for _, r := range w {
		c := byte('x')
		switch {
		case r < utf8.RuneSelf && r >= 'A' && r <= 'Z', r >= utf8.RuneSelf && unicode.IsUpper(r):
			c = 'X'
		case r >= '0' && r <= '9':
			c = 'd'
		case r < utf8.RuneSelf && !(r >= 'a' && r <= 'z'):
			c = byte(r)
		}
		if c != last && len(buf) < 16 {
			buf = append(buf, c)
			last = c
		}
	}
	return buf
}

// lower writes w lower-cased into buf, without allocating for ASCII.
func lower(buf []byte, w string) []byte {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return append(buf, strings.ToLower(w)...)
		}
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// suffix returns the last n runes of w.
func suffix(w []byte, n int) []byte {
	i := len(w)
	for k := 0; k < n && i > 0; k++ {
		_, size := utf8.DecodeLastRune(w[:i])
		i -= size
	}
	return w[i:]
}

// fhash is FNV-1a of kind, a zero byte and v, folded to the table size.
func fhash(kind string, v []byte) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(kind); i++ {
		h = (h ^ uint32(kind[i])) * 16777619
	}
	h = (h ^ 0) * 16777619
	for _, c := range v {
		h = (h ^ uint32(c)) * 16777619
	}
	return h & (1<<nameBits - 1)
}

// fhashS is fhash of a string value.
func fhashS(kind, v string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(kind); i++ {
		h = (h ^ uint32(kind[i])) * 16777619
	}
	h = (h ^ 0) * 16777619
	for i := 0; i < len(v); i++ {
		h = (h ^ uint32(v[i])) * 16777619
	}
	return h & (1<<nameBits - 1)
}

// The neighbour feature kinds, by position (-2, -1, +1, +2), spelled out so
// that computing them allocates nothing.
var (
	nbrKind = [4]string{"n0", "n1", "n3", "n4"}
	nbrBrk  = [4]string{"n0brk", "n1brk", "n3brk", "n4brk"}
	nbrCap  = [4]string{"n0cap", "n1cap", "n3cap", "n4cap"}
)

// nameFeatures returns the hashed feature indexes of token i, appended to
// out[:0].
func nameFeatures(ts []token, i int, out []uint32) []uint32 {
	var wb, sb [64]byte
	t := ts[i]
	w := lower(wb[:0], t.w)
	script := "ascii"
	for j := 0; j < len(t.w); j++ {
		if t.w[j] >= utf8.RuneSelf {
			script = "non-ascii"
			break
		}
	}
	out = append(out[:0], fhash("w", w), fhash("s2", suffix(w, 2)), fhash("s3", suffix(w, 3)),
		fhash("shape", shape(sb[:0], t.w)), fhashS("script", script))
	if t.nl {
		out = append(out, fhash("start", nil))
	}
	for n, d := range [4]int{-2, -1, 1, 2} {
		j := i + d
		if j < 0 || j >= len(ts) {
			out = append(out, fhashS(nbrKind[n], "<edge>"))
			continue
		}
		if d == 1 && ts[j].nl || d == -1 && t.nl {
			out = append(out, fhash(nbrBrk[n], nil))
		}
		if capitalised(ts[j].w) {
			out = append(out, fhash(nbrCap[n], nil))
		} else {
			out = append(out, fhash(nbrKind[n], lower(wb[:0], ts[j].w)))
		}
	}
	return out
}

// prob is a weight vector's probability for a token's features.
func prob(w []float32, fs []uint32) float64 {
	return 1 / (1 + math.Exp(-logit(w, fs)))
}

// logit is a weight vector's log-odds for a token's features.
func logit(w []float32, fs []uint32) float64 {
	z := float64(w[len(w)-1])
	for _, f := range fs {
		z += float64(w[f])
	}
	return z
}

// probAbove is prob where it matters and a stand-in below floor: callers
// compare probabilities under floor only with floor itself, so the
// exponential is spent only on tokens above it. The stand-in is positive
// (the token is still a candidate) and below floor.
func probAbove(w []float32, fs []uint32, floor float64) float64 {
	z := logit(w, fs)
	if z < math.Log(floor/(1-floor)) {
		return floor / 2
	}
	return 1 / (1 + math.Exp(-z))
}

// neighbourFeatures appends the second pass's features of token i: how
// likely the first pass (p1) found the adjacent capitalised tokens to be
// names.
func neighbourFeatures(ts []token, text string, p1 []float64, i int, fs []uint32) []uint32 {
	h := func(v string) uint32 { return fhashS("nbr", v) }
	for _, d := range []int{-1, 1} {
		j := i + d
		if j < 0 || j >= len(ts) || p1[j] == 0 {
			continue
		}
		a, b := min(i, j), max(i, j)
		if ts[b].nl || strings.Trim(text[ts[a].e:ts[b].s], " .") != "" {
			continue
		}
		bucket := "lo"
		switch {
		case p1[j] >= 0.5:
			bucket = "hi"
		case p1[j] >= 0.2:
			bucket = "mid"
		}
		if d > 0 {
			fs = append(fs, h("r"+bucket))
		} else {
			fs = append(fs, h("l"+bucket))
		}
	}
	return fs
}

// nameScratch is the per-call working memory of the name model.
type nameScratch struct {
	ts     []token
	p1, p2 []float64
	fs     []uint32 // the first pass's features of every candidate, flat
	at     []int    // candidate token -> start of its features in fs (-1: none)
	tmp    []uint32
}

// probs returns both passes' probabilities for every token (0 for tokens
// that are not capitalised words), into sc.
func (m *NameModel) probs(text string, sc *nameScratch) []float64 {
	ts := sc.ts
	sc.p1 = resize(sc.p1, len(ts))
	sc.p2 = resize(sc.p2, len(ts))
	sc.at = sc.at[:0]
	sc.fs = sc.fs[:0]
	for i := range ts {
		if !candidate(text, ts, i) {
			sc.at = append(sc.at, -1)
			continue
		}
		sc.tmp = nameFeatures(ts, i, sc.tmp)
		sc.at = append(sc.at, len(sc.fs))
		sc.fs = append(sc.fs, uint32(len(sc.tmp)))
		sc.fs = append(sc.fs, sc.tmp...)
		sc.p1[i] = probAbove(m.w1, sc.tmp, 0.2) // neighbourFeatures buckets at 0.2 and 0.5
	}
	for i := range ts {
		a := sc.at[i]
		if a < 0 {
			continue
		}
		n := int(sc.fs[a])
		sc.tmp = append(sc.tmp[:0], sc.fs[a+1:a+1+n]...)
		sc.tmp = neighbourFeatures(ts, text, sc.p1, i, sc.tmp)
		sc.p2[i] = probAbove(m.w2, sc.tmp, nameGrow) // find compares at nameGrow and above
	}
	return sc.p2
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// find returns name spans with their confidence level. Runs of adjacent
// capitalised tokens (an initial's full stop does not break a run) are
// candidates; a run holds a name when one token scores 0.5 or more, and the
// name is that token with its neighbours that score at least 0.25: a first
// name alone is often less sure than the surname beside it.
func (m *NameModel) find(text string) []Match {
	sc, _ := m.scratch.Get().(*nameScratch)
	if sc == nil {
		sc = &nameScratch{}
	}
	defer m.scratch.Put(sc)
	sc.ts = tokens(text, sc.ts)
	ts := sc.ts
	var out []Match
	ps := m.probs(text, sc)
	adjacent := func(a, b int) bool {
		gap := strings.TrimSpace(text[ts[a].e:ts[b].s])
		return !ts[b].nl && (gap == "" || gap == ".")
	}
	for i := 0; i < len(ts); {
		if ps[i] == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(ts) && ps[j] > 0 && adjacent(j-1, j) {
			j++
		}
		// ts[i:j] is a run; find its best token and grow around it.
		best := i
		for k := i; k < j; k++ {
			if ps[k] > ps[best] {
				best = k
			}
		}
		if ps[best] >= nameSeed {
			lo, hi := best, best+1
			for lo > i && ps[lo-1] >= nameGrow {
				lo--
			}
			for hi < j && ps[hi] >= nameGrow {
				hi++
			}
			sum := 0.0
			for k := lo; k < hi; k++ {
				sum += ps[k]
			}
			if c := nameLevel(max(sum/float64(hi-lo), ps[best])); c > 0 && !notPerson(text, ts[lo].s, ts[hi-1].e) {
				out = append(out, Match{Type: "person_name", Class: "personal", Confidence: c, Span: [2]int{ts[lo].s, ts[hi-1].e}})
			}
		}
		i = j
	}
	return out
}

// nameLevel maps the model's probability to a confidence level.
func nameLevel(p float64) int {
	switch {
	case p >= 0.8:
		return High
	case p >= 0.6:
		return Medium
	case p >= nameSeed:
		return Low
	}
	return 0
}

// The probabilities from which a token seeds a name, and from which a
// neighbour joins it (chosen by grouped cross-validation on presidio-synth).
var nameSeed, nameGrow = 0.6, 0.1
