// Package detect holds Warden's concrete detectors. Each one implements
// scan.Detector; Catalog lists them by name so configuration can choose.
package detect

import (
	"context"
	_ "embed"
	"fmt"
	regexp "github.com/wasilibs/go-re2"
	"iter"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/coregx/ahocorasick"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"

	"github.com/wardenhq/warden/internal/scan"
)

// Rule is one signature: a pattern over normalised text, gated by keywords,
// with the examples it must and must not match.
type Rule struct {
	ID          string   `yaml:"id"`
	Family      string   `yaml:"family"`
	Description string   `yaml:"description"`
	Keywords    []string `yaml:"keywords"`
	Pattern     string   `yaml:"pattern"`
	Confidence  float64  `yaml:"confidence"`
	// Category, when "credential_theft", files a match under credential
	// theft (type credential_extraction) wherever it is found, instead of
	// jailbreak or data poisoning: asking the model or its tools for keys
	// is an attempt on the credentials whatever else it is.
	Category string `yaml:"category"`
	// Roles limits the rule to parts of these roles; empty means user
	// turns, documents and tool results.
	Roles []string `yaml:"roles"`
	// UnlessBefore, when it matches the text just before a match, cancels
	// it: "never reveal your system prompt" in an application's own
	// instructions quotes an attack, it does not make one.
	UnlessBefore string   `yaml:"unless_before"`
	Match        []string `yaml:"match"`
	NoMatch      []string `yaml:"nomatch"`

	re     *regexp.Regexp
	unless *regexp.Regexp
	roles  map[scan.Role]bool
}

//go:embed rules.yaml
var defaultRules []byte

var boundedRepeat = regexp.MustCompile(`\{0,\d+\}`)

// unbound turns the bounded repetitions {0,n} of a pattern into *. A
// pattern only ever runs in a window of a few hundred bytes around a
// keyword, which bounds it anyway, and each {0,n} in an RE2 program is n
// copies of its atom: the bounded forms made every byte dozens of times
// dearer.
func unbound(p string) string { return boundedRepeat.ReplaceAllString(p, "*") }

// ParseRules reads rules from YAML and compiles them.
func ParseRules(b []byte) ([]*Rule, error) {
	var rs []*Rule
	if err := yaml.Unmarshal(b, &rs); err != nil {
		return nil, fmt.Errorf("parse rules: %w", err)
	}
	seen := map[string]bool{}
	for _, r := range rs {
		if r.ID == "" || seen[r.ID] {
			return nil, fmt.Errorf("rule %q: missing or duplicate id", r.ID)
		}
		seen[r.ID] = true
		// Text is matched after NFKC; so is the pattern, or a letter that NFKC
		// decomposes (Bengali য়, Devanagari फ़) would never match.
		r.Pattern = norm.NFKC.String(r.Pattern)
		re, err := regexp.Compile(unbound(r.Pattern))
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		if len(r.Keywords) == 0 {
			return nil, fmt.Errorf("rule %s: no keywords", r.ID)
		}
		if r.Category != "" && r.Category != string(scan.CategoryCredentialTheft) {
			return nil, fmt.Errorf("rule %s: category must be empty or credential_theft", r.ID)
		}
		if r.Confidence <= 0 || r.Confidence > 1 {
			return nil, fmt.Errorf("rule %s: confidence must be in (0, 1]", r.ID)
		}
		r.re = re
		if r.UnlessBefore != "" {
			if r.unless, err = regexp.Compile(r.UnlessBefore); err != nil {
				return nil, fmt.Errorf("rule %s: unless_before: %w", r.ID, err)
			}
		}
		r.roles = map[scan.Role]bool{}
		for _, role := range r.Roles {
			r.roles[scan.Role(role)] = true
		}
		if len(r.roles) == 0 {
			r.roles = map[scan.Role]bool{scan.RoleUser: true, scan.RoleDocument: true, scan.RoleTool: true}
		}
	}
	return rs, nil
}

// Signatures runs signature rules: one Aho-Corasick pass over the normalised
// text finds which rules' keywords occur, and only those rules' patterns
// run. In a user turn a match is a jailbreak attempt; in a document or tool
// result it is an indirect injection (data poisoning).
type Signatures struct {
	rules []*Rule
	ac    *ahocorasick.Automaton
	owner []int     // keyword index -> rule index
	hits  sync.Pool // *[][]int: per rule, keyword positions in the part being scanned
}

// Bounds on the work per part: a pattern runs only in a window around each
// keyword hit (a bounded repetition in an RE2 pattern makes every byte
// costly, so scanning a whole document per rule was the detector's main
// cost), over at most maxKeywordHits windows, and stops after maxMatches.
const (
	maxKeywordHits = 8
	maxMatches     = 1
	windowBefore   = 120
	windowAfter    = 240
	unlessWindow   = 60
)

// find returns up to maxMatches matches of r in text, looking around the
// keyword positions hits.
func (r *Rule) find(text string, hits []int) [][2]int {
	var out [][2]int
	lastEnd := 0
	for _, h := range hits {
		lo := max(h-windowBefore, 0)
		hi := min(h+windowAfter, len(text))
		for lo > 0 && lo < len(text) && !utf8.RuneStart(text[lo]) {
			lo++
		}
		for hi < len(text) && !utf8.RuneStart(text[hi]) {
			hi++
		}
		if lo >= hi {
			continue
		}
		// Windows overlap; a match already reported is not reported twice.
		for _, loc := range r.re.FindAllStringIndex(text[lo:hi], maxMatches) {
			if r.unless != nil {
				from := max(lo+loc[0]-unlessWindow, 0)
				for from > 0 && !utf8.RuneStart(text[from]) {
					from++
				}
				if r.unless.MatchString(text[from : lo+loc[0]]) {
					continue
				}
			}
			if lo+loc[0] >= lastEnd {
				out = append(out, [2]int{lo + loc[0], lo + loc[1]})
				lastEnd = lo + loc[1]
			}
		}
		if len(out) >= maxMatches {
			return out[:maxMatches]
		}
	}
	return out
}

var _ scan.Detector = (*Signatures)(nil)

// NewSignatures builds the detector over rules.
func NewSignatures(rules []*Rule) (*Signatures, error) {
	d := &Signatures{rules: rules}
	var kws []string
	for i, r := range rules {
		for _, k := range r.Keywords {
			n := scan.Normalize(k).Text
			if n == "" {
				return nil, fmt.Errorf("rule %s: keyword %q is empty after normalisation", r.ID, k)
			}
			kws = append(kws, n)
			d.owner = append(d.owner, i)
		}
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(kws).Build()
	if err != nil {
		return nil, fmt.Errorf("build keyword automaton: %w", err)
	}
	d.ac = ac
	d.hits.New = func() any { h := make([][]int, len(rules)); return &h }
	return d, nil
}

// DefaultSignatures returns the detector over the built-in rules.
func DefaultSignatures() (*Signatures, error) {
	rs, err := ParseRules(defaultRules)
	if err != nil {
		return nil, err
	}
	return NewSignatures(rs)
}

// Rules returns the detector's rules.
func (d *Signatures) Rules() []*Rule { return d.rules }

// Name implements scan.Detector.
func (*Signatures) Name() string { return "signatures" }

// attackRoles are the roles prompt-attack detectors judge: what users send
// and what applications pass to the model as data.
var attackRoles = []scan.Role{scan.RoleUser, scan.RoleDocument, scan.RoleTool, scan.RoleSystem}

// Roles implements scan.RoleFilter.
func (*Signatures) Roles() []scan.Role { return attackRoles }

// Detect implements scan.Detector.
func (d *Signatures) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	hp := d.hits.Get().(*[][]int)
	defer d.hits.Put(hp)
	hits := *hp
	var out []scan.Finding
	for ap := range attackParts(in) {
		i, p, cat, typ := ap.i, ap.p, ap.cat, ap.typ
		n := p.Normalized()
		d.keywordHits(n.Text, hits)
		role := p.Role
		if role == scan.RoleSystem {
			role = scan.RoleUser // judged as the instructions of whoever wrote them
		}
		for ri, r := range d.rules {
			if len(hits[ri]) == 0 || !r.roles[role] {
				continue
			}
			spans := r.find(n.Text, hits[ri])
			if len(spans) == 0 {
				continue
			}
			f := scan.Finding{Category: cat, Type: typ, Confidence: r.Confidence, Severity: scan.SeverityMedium,
				Detector: "signatures", Part: i, Reason: "signature " + r.ID + " (" + r.Family + ")"}
			if r.Category == string(scan.CategoryCredentialTheft) {
				f.Category, f.Type = scan.CategoryCredentialTheft, "credential_extraction"
			}
			for _, sp := range spans {
				f.Spans = append(f.Spans, n.Original(sp[0], sp[1]))
			}
			out = append(out, f)
		}
	}
	return mergeByPart(out), nil
}

// keywordHits fills hits, per rule, with where the rule's keywords occur in
// text (at most maxKeywordHits each).
func (d *Signatures) keywordHits(text string, hits [][]int) {
	for ri := range hits {
		hits[ri] = hits[ri][:0]
	}
	for _, m := range d.ac.FindAllOverlapping(unsafe.Slice(unsafe.StringData(text), len(text))) {
		ri := d.owner[m.PatternID]
		if len(hits[ri]) < maxKeywordHits {
			hits[ri] = append(hits[ri], m.Start)
		}
	}
}

// attackPart is a part attack detectors judge, with what an attack in it
// means.
type attackPart struct {
	i   int
	p   *scan.Part
	cat scan.Category
	typ string
}

// attackParts yields the parts of in that attack detectors judge: user
// turns (jailbreaks), documents and tool results (indirect injection), and
// system parts where the input says they are judged (Input.JudgeSystem).
func attackParts(in *scan.Input) iter.Seq[attackPart] {
	return func(yield func(attackPart) bool) {
		for i := range in.Parts {
			p := &in.Parts[i]
			if p.Role == scan.RoleSystem && !in.JudgeSystem {
				continue
			}
			if cat, typ := roleTarget(p.Role); cat != "" {
				if !yield(attackPart{i, p, cat, typ}) {
					return
				}
			}
		}
	}
}

// roleTarget says what an attack pattern means in a part of the given role.
func roleTarget(r scan.Role) (scan.Category, string) {
	switch r {
	case scan.RoleUser, scan.RoleSystem:
		return scan.CategoryJailbreak, "jailbreak"
	case scan.RoleDocument, scan.RoleTool:
		return scan.CategoryDataPoisoning, "indirect_prompt_injection"
	}
	return "", ""
}

// mergeByPart folds several hits of the same type in one part into one
// finding with every span, at the highest confidence, so one prompt with
// three override phrases is one finding, not three.
func mergeByPart(fs []scan.Finding) []scan.Finding {
	if len(fs) < 2 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		merged := false
		for j := range out {
			if out[j].Part == f.Part && out[j].Type == f.Type && out[j].Detector == f.Detector {
				out[j].Spans = append(out[j].Spans, f.Spans...)
				if f.Confidence > out[j].Confidence {
					out[j].Confidence = f.Confidence
					out[j].Reason = f.Reason
				}
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, f)
		}
	}
	return out
}
