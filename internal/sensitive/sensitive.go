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

	"github.com/coregx/ahocorasick"
	re2 "github.com/wasilibs/go-re2"
	"go.yaml.in/yaml/v3"
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
	whole    *regexp.Regexp // anchored, to judge a candidate another pattern found
	validate func(string) bool
	sub      int // capture groups inside the pattern
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
	types    []*Type
	pats     []*Pattern
	union    *re2.Regexp // every pattern, each as one group: one pass finds candidates
	groupOf  []int       // union group index -> pattern index (-1 for inner groups)
	ac       *ahocorasick.Automaton
	kwType   []int  // keyword index -> type index
	kwVeto   []bool // keyword index -> it is an exclusion
	edm      []*ExactData
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
	c := &Classifier{maxMatch: 256}
	for _, d := range edm {
		if d != nil {
			c.edm = append(c.edm, d)
		}
	}
	var alts []string
	var kws []string
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
		for pi := range t.Patterns {
			p := &t.Patterns[pi]
			if err := c.compile(t, p, len(c.types)-1); err != nil {
				return nil, err
			}
			c.pats = append(c.pats, p)
			alts = append(alts, "("+p.Regex+")")
			c.groupOf = append(c.groupOf, len(c.pats)-1)
			for range p.sub {
				c.groupOf = append(c.groupOf, -1)
			}
		}
		for _, k := range t.Keywords {
			kws = append(kws, strings.ToLower(k))
			c.kwType = append(c.kwType, len(c.types)-1)
			c.kwVeto = append(c.kwVeto, false)
		}
		for _, k := range t.Exclude {
			kws = append(kws, strings.ToLower(k))
			c.kwType = append(c.kwType, len(c.types)-1)
			c.kwVeto = append(c.kwVeto, true)
		}
	}
	u, err := re2.Compile(strings.Join(alts, "|"))
	if err != nil {
		return nil, fmt.Errorf("sensitive types: %w", err)
	}
	c.union = u
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

// Types returns the classifier's types.
func (c *Classifier) Types() []*Type { return c.types }

// Find returns the sensitive values in text, in order of position. Where
// several types fit one value (nine digits: a passport, an SSN, a bank
// account), the one with the highest confidence wins.
func (c *Classifier) Find(text string) []Match {
	kw := c.keywordHits(text)
	var out []Match
	for _, m := range c.union.FindAllStringSubmatchIndex(text, c.maxMatch) {
		pi := -1
		for g := 1; 2*g+1 < len(m) && g-1 < len(c.groupOf); g++ {
			if m[2*g] >= 0 && c.groupOf[g-1] >= 0 {
				pi = c.groupOf[g-1]
				break
			}
		}
		if pi < 0 {
			continue
		}
		if best, ok := c.judge(text, m[0], m[1], pi, kw); ok {
			out = append(out, best)
		}
	}
	for _, d := range c.edm {
		out = append(out, d.find(text)...)
	}
	if len(c.edm) > 0 {
		sort.Slice(out, func(i, j int) bool { return out[i].Span[0] < out[j].Span[0] })
	}
	return out
}

// judge scores the candidate text[start:end] that pattern pi found against
// every pattern that matches it whole, and returns the best.
func (c *Classifier) judge(text string, start, end, pi int, kw *hits) (Match, bool) {
	cand := text[start:end]
	var best Match
	try := func(p *Pattern) {
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
	try(c.pats[pi])
	for qi, q := range c.pats {
		if qi != pi && (q.Alone > 0 || kw.any(q.typ)) {
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
	for _, m := range c.ac.FindAllOverlapping(lowerASCII(text)) {
		t := c.kwType[m.PatternID]
		if !wordBounded(text, m.Start, m.End) {
			continue
		}
		if c.kwVeto[m.PatternID] {
			if h.veto == nil {
				h.veto = map[int][]int{}
			}
			h.veto[t] = append(h.veto[t], m.Start)
			continue
		}
		if h.pos == nil {
			h.pos = map[int][]int{}
		}
		h.pos[t] = append(h.pos[t], m.Start)
	}
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

// lowerASCII lowers ASCII letters only, so offsets stay the original's.
func lowerASCII(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return b
}
