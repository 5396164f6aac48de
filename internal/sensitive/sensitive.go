// Package sensitive classifies sensitive information types (SITs) in text,
// in the way compliance teams know them from Microsoft Purview: a primary
// pattern, a validator where the format has a check (Luhn, mod 97, national
// check digits, dates), corroborating keywords within 300 characters, and
// a confidence of 65, 75 or 85 (low, medium, high). Matches carry the type,
// the confidence and the byte span, never the value.
package sensitive

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"
	re2 "github.com/wasilibs/go-re2"
	"go.yaml.in/yaml/v3"

	"github.com/wardenhq/warden/internal/cleantext"
)

// Proximity is how far (in bytes) from a match a keyword still corroborates
// it, Purview's patternsProximity.
const Proximity = 300

// Confidence levels.
const (
	Low    = 65
	Medium = 75
	High   = 85
)

// Type is one sensitive information type.
type Type struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Class string `yaml:"class"` // financial, national_id, health, contact, network, personal, custom
	// Keywords corroborate a match within Proximity; Exclude words within
	// Proximity veto it (test cards, sandboxes).
	Keywords []string  `yaml:"keywords"`
	Exclude  []string  `yaml:"exclude"`
	Patterns []Pattern `yaml:"patterns"`
	Match    []string  `yaml:"match"`
	NoMatch  []string  `yaml:"nomatch"`
}

// Pattern is one primary pattern of a type. Alone is the confidence without
// a keyword nearby (0: the pattern needs one), Keyword the confidence with.
// A pattern with a capture group reports the group's span.
type Pattern struct {
	Regex     string `yaml:"regex"`
	Validator string `yaml:"validator"`
	Alone     int    `yaml:"alone"`
	Keyword   int    `yaml:"keyword"`

	typ      int
	minLen   int            // the byte lengths a match can have: a cheap
	maxLen   int            // test before the anchored pattern runs
	first    *[256]bool     // the bytes a match can start with
	whole    *regexp.Regexp // anchored, to judge a candidate another pattern found
	validate func(string) bool
	sub      int // capture groups inside the pattern
}

// owner is a type a keyword belongs to, as a corroboration or a veto.
type owner struct {
	typ  int
	veto bool
}

// Match is one sensitive value found: its type, class, confidence and span.
type Match struct {
	Type       string
	Class      string
	Confidence int
	Span       [2]int
}

//go:embed types.yaml
var builtin []byte

// Classifier finds sensitive information types. It is safe for concurrent
// use.
type Classifier struct {
	types []*Type
	pats  []*Pattern
	// alone is every pattern that may match without a keyword, in one
	// regular expression: one DFA pass over the text finds candidates.
	alone *re2.Regexp
	// keyed holds, per type, its patterns that need a keyword; they run
	// only in windows around that type's keyword hits.
	keyed    map[int]*re2.Regexp
	ac       *ahocorasick.Automaton
	kwOwner  [][]owner // distinct keyword -> the types it corroborates or vetoes
	bufs     sync.Pool // *[]byte: ASCII-lowered copies of texts
	edm      []*ExactData
	names    *NameModel // person names without a naming phrase; nil: off
	maxMatch int
}

// BuiltinTypes returns the built-in type definitions.
func BuiltinTypes() ([]Type, error) {
	var ts []Type
	if err := yaml.Unmarshal(builtin, &ts); err != nil {
		return nil, fmt.Errorf("parse built-in types: %w", err)
	}
	return ts, nil
}

// Default returns a classifier over the built-in types.
func Default() (*Classifier, error) {
	ts, err := BuiltinTypes()
	if err != nil {
		return nil, err
	}
	return New(ts)
}

// Build returns a classifier over the built-in types, the custom ones and
// the exact-data sets.
func Build(custom []Type, edm ...*ExactData) (*Classifier, error) {
	ts, err := BuiltinTypes()
	if err != nil {
		return nil, err
	}
	for _, t := range custom {
		if t.Class == "" {
			t.Class = "custom"
		}
		ts = append(ts, t)
	}
	return New(ts, edm...)
}

// New compiles types and exact-data sets into a classifier.
func New(types []Type, edm ...*ExactData) (*Classifier, error) {
	c := &Classifier{maxMatch: 256, keyed: map[int]*re2.Regexp{}}
	for _, t := range types {
		if t.ID == "person_name" {
			m, err := LoadNameModel(namesBin)
			if err != nil {
				return nil, err
			}
			c.names = m
		}
	}
	for _, d := range edm {
		if d != nil {
			c.edm = append(c.edm, d)
		}
	}
	var alone []string
	var kws []string
	kwIndex := map[string]int{}
	addKeyword := func(k string, o owner) {
		k = strings.ToLower(k)
		i, ok := kwIndex[k]
		if !ok {
			i = len(kws)
			kwIndex[k] = i
			kws = append(kws, k)
			c.kwOwner = append(c.kwOwner, nil)
		}
		c.kwOwner[i] = append(c.kwOwner[i], o)
	}
	seen := map[string]bool{}
	for ti := range types {
		t := &types[ti]
		if t.ID == "" || seen[t.ID] {
			return nil, fmt.Errorf("sensitive type %q: missing or duplicate id", t.ID)
		}
		seen[t.ID] = true
		if len(t.Patterns) == 0 {
			return nil, fmt.Errorf("sensitive type %s: no patterns", t.ID)
		}
		c.types = append(c.types, t)
		ix := len(c.types) - 1
		var keyed []string
		for pi := range t.Patterns {
			p := &t.Patterns[pi]
			if err := c.compile(t, p, ix); err != nil {
				return nil, err
			}
			c.pats = append(c.pats, p)
			if p.Alone > 0 {
				alone = append(alone, "(?:"+p.Regex+")")
			} else {
				if len(t.Keywords) == 0 {
					return nil, fmt.Errorf("sensitive type %s: a pattern needs a keyword but the type has none", t.ID)
				}
				keyed = append(keyed, "(?:"+p.Regex+")")
			}
		}
		if len(keyed) > 0 {
			re, err := re2.Compile(strings.Join(keyed, "|"))
			if err != nil {
				return nil, fmt.Errorf("sensitive type %s: %w", t.ID, err)
			}
			c.keyed[ix] = re
		}
		for _, k := range t.Keywords {
			addKeyword(k, owner{ix, false})
		}
		for _, k := range t.Exclude {
			addKeyword(k, owner{ix, true})
		}
	}
	if len(alone) > 0 {
		u, err := re2.Compile(strings.Join(alone, "|"))
		if err != nil {
			return nil, fmt.Errorf("sensitive types: %w", err)
		}
		c.alone = u
	}
	var err error
	if len(kws) > 0 {
		if c.ac, err = ahocorasick.NewBuilder().AddStrings(kws).Build(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Classifier) compile(t *Type, p *Pattern, ti int) error {
	w, err := regexp.Compile(`^(?:` + p.Regex + `)$`)
	if err != nil {
		return fmt.Errorf("sensitive type %s: pattern: %w", t.ID, err)
	}
	p.whole, p.typ, p.sub = w, ti, w.NumSubexp()
	p.minLen, p.maxLen = byteLengths(p.Regex)
	p.first = firstBytes(p.Regex)
	if p.Alone < 0 || p.Alone > 100 || p.Keyword <= 0 || p.Keyword > 100 || p.Alone > p.Keyword {
		return fmt.Errorf("sensitive type %s: confidences alone %d and keyword %d must satisfy 0 <= alone <= keyword <= 100, keyword > 0", t.ID, p.Alone, p.Keyword)
	}
	if p.Validator != "" {
		v, ok := validators[p.Validator]
		if !ok {
			return fmt.Errorf("sensitive type %s: unknown validator %q (known: %s)", t.ID, p.Validator, strings.Join(ValidatorNames(), ", "))
		}
		p.validate = v
	}
	return nil
}

// ValidatorNames lists the validators a custom type may name.
func ValidatorNames() []string {
	var ns []string
	for n := range validators {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// NoNameModel turns off the person-name model (names are then found only
// after a naming phrase such as "my name is"): about half the cost of the
// sensitive types on text with many capitalised words. Call it before use.
func (c *Classifier) NoNameModel() { c.names = nil }

// Types returns the classifier's types.
func (c *Classifier) Types() []*Type { return c.types }

// Find returns the sensitive values in text, in order of position. Where
// several types fit one value (nine digits: a passport, an SSN, a bank
// account), the one with the highest confidence wins.
func (c *Classifier) Find(text string) []Match {
	// Bytes that are not UTF-8 and NULs are taken out before any pattern
	// runs (they would stop it or split a value); spans cover the raw bytes.
	tx := cleantext.Of(text)
	ms := c.find(tx.Clean)
	for i := range ms {
		ms[i].Span[0], ms[i].Span[1] = tx.Raw(ms[i].Span[0], ms[i].Span[1])
	}
	return ms
}

// find is Find on clean text.
func (c *Classifier) find(text string) []Match {
	kw := c.keywordHits(text)
	var cands [][2]int
	if c.alone != nil {
		for _, m := range c.alone.FindAllStringIndex(text, c.maxMatch) {
			cands = append(cands, [2]int{m[0], m[1]})
		}
	}
	for t, re := range c.keyed {
		for _, w := range windows(text, kw.pos[t]) {
			for _, m := range re.FindAllStringIndex(text[w[0]:w[1]], c.maxMatch) {
				cands = append(cands, [2]int{w[0] + m[0], w[0] + m[1]})
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i][0] != cands[j][0] {
			return cands[i][0] < cands[j][0]
		}
		return cands[i][1] > cands[j][1]
	})
	var out []Match
	for i, cd := range cands {
		if i > 0 && cd == cands[i-1] {
			continue
		}
		m, ok := c.judge(text, cd[0], cd[1], kw)
		if !ok {
			continue
		}
		// Candidates of different patterns can overlap; the more
		// confident match keeps the place.
		if n := len(out); n > 0 && m.Span[0] < out[n-1].Span[1] {
			if m.Confidence > out[n-1].Confidence {
				out[n-1] = m
			}
			continue
		}
		out = append(out, m)
	}
	extra := len(c.edm) > 0 || c.names != nil
	for _, d := range c.edm {
		out = append(out, d.find(text)...)
	}
	if c.names != nil {
		out = append(out, c.names.find(text)...)
	}
	if extra {
		out = dedupe(out)
	}
	return out
}

// dedupe sorts matches by position and keeps, of overlapping ones, the most
// confident.
func dedupe(ms []Match) []Match {
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Span[0] < ms[j].Span[0] })
	out := ms[:0]
	for _, m := range ms {
		if n := len(out); n > 0 && m.Span[0] < out[n-1].Span[1] {
			if m.Confidence > out[n-1].Confidence {
				out[n-1] = m
			}
			continue
		}
		out = append(out, m)
	}
	return out
}

// windows returns the ranges of text within Proximity of the keyword
// positions ps, merged and cut on rune boundaries.
func windows(text string, ps []int) [][2]int {
	var out [][2]int
	for _, p := range ps {
		lo, hi := max(p-Proximity, 0), min(p+Proximity, len(text))
		for lo > 0 && lo < len(text) && !utf8.RuneStart(text[lo]) {
			lo--
		}
		for hi < len(text) && !utf8.RuneStart(text[hi]) {
			hi++
		}
		if n := len(out); n > 0 && lo <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], hi)
			continue
		}
		out = append(out, [2]int{lo, hi})
	}
	return out
}

// judge scores the candidate text[start:end] against every pattern that
// matches it whole, and returns the best.
func (c *Classifier) judge(text string, start, end int, kw *hits) (Match, bool) {
	cand := text[start:end]
	var best Match
	try := func(p *Pattern) {
		if n := end - start; n < p.minLen || n > p.maxLen || !p.first[text[start]] {
			return
		}
		t := c.types[p.typ]
		if p.Alone == 0 && !kw.any(p.typ) {
			return
		}
		s, e := start, end
		if p.sub > 0 {
			sm := p.whole.FindStringSubmatchIndex(cand)
			if sm == nil {
				return
			}
			if sm[2] >= 0 {
				s, e = start+sm[2], start+sm[3]
			}
		} else if !p.whole.MatchString(cand) {
			return
		}
		if p.validate != nil && !p.validate(text[s:e]) {
			return
		}
		if kw.vetoNear(p.typ, s, e) {
			return
		}
		conf := p.Alone
		if kw.near(p.typ, s, e) {
			conf = p.Keyword
		}
		if conf > best.Confidence {
			best = Match{Type: t.ID, Class: t.Class, Confidence: conf, Span: [2]int{s, e}}
		}
	}
	for _, q := range c.pats {
		if q.Alone > 0 || kw.any(q.typ) {
			try(q)
		}
	}
	return best, best.Confidence > 0
}

// hits are the keyword positions per type in one text.
type hits struct {
	pos  map[int][]int // type -> keyword positions
	veto map[int][]int
}

func (c *Classifier) keywordHits(text string) *hits {
	h := &hits{}
	if c.ac == nil {
		return h
	}
	bp, _ := c.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	lower := lowerASCII(*bp, text)
	for _, m := range c.ac.FindAllOverlapping(lower) {
		if !wordBounded(text, m.Start, m.End) {
			continue
		}
		for _, o := range c.kwOwner[m.PatternID] {
			if o.veto {
				if h.veto == nil {
					h.veto = map[int][]int{}
				}
				h.veto[o.typ] = append(h.veto[o.typ], m.Start)
				continue
			}
			if h.pos == nil {
				h.pos = map[int][]int{}
			}
			h.pos[o.typ] = append(h.pos[o.typ], m.Start)
		}
	}
	*bp = lower
	c.bufs.Put(bp)
	return h
}

func (h *hits) any(t int) bool { return len(h.pos[t]) > 0 }

func (h *hits) near(t, s, e int) bool { return within(h.pos[t], s, e) }

func (h *hits) vetoNear(t, s, e int) bool { return within(h.veto[t], s, e) }

func within(ps []int, s, e int) bool {
	for _, p := range ps {
		if p >= s-Proximity && p <= e+Proximity {
			return true
		}
	}
	return false
}

// wordBounded reports whether text[s:e] does not sit inside a longer ASCII
// word: "cc" in "account" or "pan" in "company" corroborates nothing.
func wordBounded(text string, s, e int) bool {
	isWord := func(b byte) bool {
		return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
	}
	if s > 0 && isWord(text[s-1]) && isWord(text[s]) {
		return false
	}
	if e < len(text) && isWord(text[e]) && isWord(text[e-1]) {
		return false
	}
	return true
}

// lowerASCII lowers ASCII letters only, so offsets stay the original's,
// into buf.
func lowerASCII(buf []byte, s string) []byte {
	b := append(buf[:0], s...)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return b
}
