package detect

import (
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/coregx/ahocorasick"
	regexp "github.com/wasilibs/go-re2"
	"go.yaml.in/yaml/v3"

	"github.com/wardenhq/warden/internal/cleantext"
	"github.com/wardenhq/warden/internal/credkv"
	"github.com/wardenhq/warden/internal/scan"
)

// SecretRule is one kind of credential.
type SecretRule struct {
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	// Keywords gate the pattern. A rule without keywords runs when the
	// text holds a run of at least MinRun base64-alphabet characters.
	Keywords []string `yaml:"keywords"`
	MinRun   int      `yaml:"min_run"`
	Pattern  string   `yaml:"pattern"`
	// Group is the capture group holding the secret; 0 means the first
	// group that matched.
	Group    int    `yaml:"group"`
	Checksum string `yaml:"checksum"` // github, jwt, bech32, entropy, password
	// Generic rules (a password after "password:") give way to a rule
	// for a provider's key format that finds the same value.
	Generic    bool     `yaml:"generic"`
	Confidence float64  `yaml:"confidence"`
	Match      []string `yaml:"match"`
	NoMatch    []string `yaml:"nomatch"`
	// NotInBlock: no match inside a PEM block whose BEGIN line names one
	// of these (a public key's body is base64 too, and public).
	NotInBlock []string `yaml:"not_in_block"`

	re *regexp.Regexp
}

//go:embed secrets.yaml
var defaultSecrets []byte

// Secrets finds credentials. In a model's answer (assistant text, tool-call
// arguments) a credential is credential theft: the model or its tools gave
// one away. In a prompt, a document or a tool result it is recorded as
// sensitive data sent to the model. Findings carry the kind and the span,
// never the value; documented example keys and placeholders are not
// credentials.
type Secrets struct {
	rules  []*SecretRule
	ext    []*extRule // gitleaks' rules, after Warden's own
	ac     *ahocorasick.Automaton
	owner  []int
	maxRun int       // the largest MinRun of a keyword-less rule
	bufs   sync.Pool // *[]byte: ASCII-lowered copies of texts
	// tails are the rules that need text after the secret (see trail.go):
	// their keywords, and how far after a keyword a match can reach.
	tails     *ahocorasick.Automaton
	tailKw    [][]byte // by tails pattern id, lower case
	tailReach []int
	maxReach  int
	// kv judges assignments the rules do not know (nil: rules only);
	// automaton owners from kvFirst are its keywords.
	kv      *credkv.Model
	kvFirst int
}

var _ scan.Detector = (*Secrets)(nil)

// DefaultSecrets returns the detector over the built-in credential rules.
func DefaultSecrets() (*Secrets, error) {
	var rs []*SecretRule
	if err := yaml.Unmarshal(defaultSecrets, &rs); err != nil {
		return nil, fmt.Errorf("parse secret rules: %w", err)
	}
	ext, extKw, err := loadGitleaks()
	if err != nil {
		return nil, err
	}
	d := &Secrets{rules: rs, ext: ext}
	var kws []string
	for i, r := range rs {
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("secret rule %s: %w", r.ID, err)
		}
		r.re = re
		if len(r.Keywords) == 0 && r.MinRun == 0 {
			return nil, fmt.Errorf("secret rule %s: needs keywords or min_run", r.ID)
		}
		d.maxRun = max(d.maxRun, r.MinRun)
		for _, k := range r.Keywords {
			kws = append(kws, strings.ToLower(k))
			d.owner = append(d.owner, i)
		}
	}
	// gitleaks' keywords share the automaton; their owners come after
	// Warden's rules.
	for i, ks := range extKw {
		for _, k := range ks {
			kws = append(kws, k)
			d.owner = append(d.owner, len(rs)+i)
		}
	}
	// So do the words assignments are looked for around (credkv),
	// after gitleaks': one pass over the text finds them all.
	d.kvFirst = len(rs) + len(extKw)
	for i, k := range credkv.Keywords() {
		kws = append(kws, k)
		d.owner = append(d.owner, d.kvFirst+i)
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(kws).Build()
	if err != nil {
		return nil, err
	}
	d.ac = ac
	if d.kv, err = credkv.Default(); err != nil {
		return nil, err
	}
	return d, d.buildTails(extKw)
}

// buildTails finds the rules whose matches need text after the secret and
// indexes their keywords for Hold.
func (d *Secrets) buildTails(extKw [][]string) error {
	var kws []string
	add := func(pattern string, group int, keywords []string, reach int) {
		after, longest := trailing(pattern, group)
		if after <= 1 {
			return
		}
		if longest >= 0 {
			reach = min(reach, longest)
		}
		for _, k := range keywords {
			kws = append(kws, strings.ToLower(k))
			d.tailKw = append(d.tailKw, []byte(strings.ToLower(k)))
			d.tailReach = append(d.tailReach, reach)
			d.maxReach = max(d.maxReach, reach)
		}
	}
	for _, r := range d.rules {
		add(r.Pattern, r.Group, r.Keywords, extAfter)
	}
	for i, x := range d.ext {
		add(x.re.String(), x.group, extKw[i], x.after)
	}
	if len(kws) == 0 {
		return nil
	}
	tails, err := ahocorasick.NewBuilder().AddStrings(kws).Build()
	d.tails = tails
	return err
}

// Kinds returns the ids of every credential kind the detector knows:
// Warden's rules and gitleaks'.
func (d *Secrets) Kinds() []string {
	var ks []string
	for _, r := range d.rules {
		ks = append(ks, r.ID)
	}
	for _, x := range d.ext {
		ks = append(ks, x.id)
	}
	return ks
}

// Rules returns the detector's rules.
func (d *Secrets) Rules() []*SecretRule { return d.rules }

// Name implements scan.Detector.
func (*Secrets) Name() string { return "secrets" }

// Match is one credential found in a text: its kind (the rule id), the
// span of the secret itself and the confidence.
type Match struct {
	Kind       string
	Span       scan.Span
	Confidence float64
	desc       string
	generic    bool
}

// Find returns the credentials in text, in rule order. Bytes that are not
// UTF-8 and NULs are taken out before the rules run (they would stop the
// regular expressions or split a key), and the spans cover the raw bytes.
func (d *Secrets) Find(text string) []Match {
	tx := cleantext.Of(text)
	ms := d.find(tx.Clean)
	for i := range ms {
		ms[i].Span[0], ms[i].Span[1] = tx.Raw(ms[i].Span[0], ms[i].Span[1])
	}
	return ms
}

// find is Find on clean text.
func (d *Secrets) find(text string) []Match {
	var out []Match
	// Keywords are matched without case on an ASCII-lowered copy, whose
	// offsets are the original's.
	hit := make([]bool, len(d.rules))
	var extHits map[int][]int // gitleaks rule -> keyword positions
	bp, _ := d.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	*bp = asciiLower(*bp, text)
	var kvHits []credkv.Hit
	for _, m := range d.ac.FindAllOverlapping(*bp) {
		o := d.owner[m.PatternID]
		if o < len(d.rules) {
			hit[o] = true
			continue
		}
		if o >= d.kvFirst {
			kvHits = append(kvHits, credkv.Hit{Start: m.Start, Word: o - d.kvFirst})
			continue
		}
		if extHits == nil {
			extHits = map[int][]int{}
		}
		extHits[o-len(d.rules)] = append(extHits[o-len(d.rules)], m.Start)
	}
	defer d.bufs.Put(bp)
	run := longestBase64Run(text, d.maxRun)
	for ri, r := range d.rules {
		if len(r.Keywords) > 0 && !hit[ri] || len(r.Keywords) == 0 && run < r.MinRun {
			continue
		}
		for _, m := range r.re.FindAllStringSubmatchIndex(text, 16) {
			start, end := secretGroup(m, r.Group)
			if start < 0 {
				continue
			}
			if len(r.NotInBlock) > 0 && inBlock(text, start, r.NotInBlock) {
				continue
			}
			if conf, ok := r.judge(text[start:end]); ok {
				out = append(out, Match{Kind: r.ID, Span: scan.Span{start, end}, Confidence: conf, desc: r.Description, generic: r.Generic})
			}
		}
	}
	// In rule order, so that where two gitleaks rules claim one secret the
	// same one wins every time.
	for _, xi := range slices.Sorted(maps.Keys(extHits)) {
		out = d.ext[xi].find(text, extHits[xi], out)
	}
	out = slices.DeleteFunc(out, func(m Match) bool {
		return m.generic && slices.ContainsFunc(out, func(o Match) bool {
			return !o.generic && o.Span[0] < m.Span[1] && m.Span[0] < o.Span[1]
		})
	})
	if d.kv != nil && len(kvHits) > 0 {
		out = d.assignments(text, unsafe.String(unsafe.SliceData(*bp), len(*bp)), kvHits, out)
	}
	return out
}

// find adds the rule's matches in windows around the keyword positions ps
// to out, unless a match already there covers the same text.
func (x *extRule) find(text string, ps []int, out []Match) []Match {
	lastHi := -1
	for _, p := range ps {
		lo, hi := max(p-extBefore, 0), min(p+x.after, len(text))
		if lo < lastHi {
			lo = lastHi // windows overlap; the part already scanned is not scanned again
		}
		for lo > 0 && lo < len(text) && !utf8.RuneStart(text[lo]) {
			lo--
		}
		for hi < len(text) && !utf8.RuneStart(text[hi]) {
			hi++
		}
		if lo >= hi {
			continue
		}
		lastHi = hi
		for _, m := range x.re.FindAllStringSubmatchIndex(text[lo:hi], 16) {
			s, e := secretGroup(m, x.group)
			if s < 0 {
				continue
			}
			s, e = s+lo, e+lo
			if x.group == 0 {
				// A whole-match rule often ends on the character after
				// the secret ((?:[^a-z0-9]|$)): the '<' of a closing XML
				// tag, a quote. It is not the secret, and a '<' in it
				// read as a "<your key>" placeholder.
				for e > s && strings.IndexByte("<>\"'`;, \t\r\n", text[e-1]) >= 0 {
					e--
				}
			}
			secret := text[s:e]
			if coveredSpecific(out, s, e) || x.entropy > 0 && entropy(secret) < x.entropy || placeholder(secret, false) ||
				x.allowed(secret, text[lo+m[0]:lo+m[1]], lineAround(text, s, e)) {
				continue
			}
			out = append(out, Match{Kind: x.id, Span: scan.Span{s, e}, Confidence: x.conf, desc: x.desc, generic: x.conf < 0.8})
		}
	}
	return out
}

// coveredSpecific reports whether a match in ms that is not generic
// overlaps [s, e).
func coveredSpecific(ms []Match, s, e int) bool {
	for _, m := range ms {
		if !m.generic && m.Span[0] < e && s < m.Span[1] {
			return true
		}
	}
	return false
}

// Detect implements scan.Detector.
func (d *Secrets) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for i, p := range in.Parts {
		if p.Role == scan.RoleSystem {
			continue
		}
		for _, m := range d.Find(p.Text) {
			f := scan.Finding{Category: scan.CategoryDataLeakage, Type: "secret_in_prompt", Confidence: m.Confidence,
				Severity: scan.SeverityLow, Detector: "secrets", Part: i, Spans: []scan.Span{m.Span}, Kind: m.Kind,
				Advisory: true, Reason: "credential " + m.Kind + ": " + m.desc}
			if p.Role == scan.RoleAssistant || p.Role == scan.RoleToolCall {
				f.Category, f.Type, f.Severity = scan.CategoryCredentialTheft, "credential_in_response", scan.SeverityMedium
				f.Advisory = false
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// Redact returns text with every credential replaced by a typed
// placeholder such as [REDACTED:GITHUB_TOKEN]. Overlapping matches are
// merged; the secret never survives in any form.
func (d *Secrets) Redact(text string) string {
	return (&Redactor{Secrets: d}).Redact(text)
}

// secretGroup returns the span of capture group g, or of the first group
// that matched when g is 0, or of the whole match when there are no groups.
func secretGroup(m []int, g int) (int, int) {
	if g > 0 && 2*g+1 < len(m) {
		return m[2*g], m[2*g+1]
	}
	for k := 1; 2*k+1 < len(m); k++ {
		if m[2*k] >= 0 {
			return m[2*k], m[2*k+1]
		}
	}
	return m[0], m[1]
}

// judge decides whether a candidate is a real credential and how sure that
// is: placeholders and documented examples are not; a verified checksum
// makes it near certain.
func (r *SecretRule) judge(s string) (float64, bool) {
	// Words like "secret" or "token" inside a provider key's fixed prefix
	// (AGE-SECRET-KEY-1...) say nothing; in a free-form value they mark a
	// placeholder.
	if placeholder(s, r.Checksum == "entropy" || r.Checksum == "password") {
		return 0, false
	}
	switch r.Checksum {
	case "github":
		if !githubChecksum(s) {
			return 0, false
		}
	case "jwt":
		if !jwtShape(s) {
			return 0, false
		}
	case "bech32":
		if !bech32Valid(s) {
			return 0, false
		}
	case "entropy":
		if entropy(s) < 3.0 || !mixed(s) {
			return 0, false
		}
	case "password":
		if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "$") ||
			strings.ContainsAny(s, "{}") {
			return 0, false // a path, a variable or a template, not a password
		}
		// Passwords are short: a seven-character one cannot reach the
		// entropy of a long key, so the floor follows the length.
		if entropy(s) < min(3.0, math.Log2(float64(len(s)))-0.25) || !mixed(s) {
			return 0, false
		}
	}
	return r.Confidence, true
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// githubChecksum verifies the CRC32 in the last six characters of a GitHub
// or npm token (prefix_ + 30 random + 6 base62 checksum).
func githubChecksum(tok string) bool {
	i := strings.IndexByte(tok, '_')
	body := tok[i+1:]
	if len(body) != 36 {
		return false
	}
	n := crc32.ChecksumIEEE([]byte(body[:30]))
	var sum [6]byte
	for k := 5; k >= 0; k-- {
		sum[k] = base62[n%62]
		n /= 62
	}
	return string(sum[:]) == body[30:]
}

// bech32Valid verifies the checksum of a bech32 string (age keys).
func bech32Valid(s string) bool {
	const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	s = strings.ToLower(s)
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 || len(s)-sep < 7 {
		return false
	}
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	step := func(v uint32) {
		b := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ v
		for i := 0; i < 5; i++ {
			if (b>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	hrp := s[:sep]
	for i := 0; i < len(hrp); i++ {
		step(uint32(hrp[i]) >> 5)
	}
	step(0)
	for i := 0; i < len(hrp); i++ {
		step(uint32(hrp[i]) & 31)
	}
	for i := sep + 1; i < len(s); i++ {
		v := strings.IndexByte(charset, s[i])
		if v < 0 {
			return false
		}
		step(uint32(v))
	}
	return chk == 1
}

// jwtShape checks that a token's header decodes to JSON with an algorithm.
func jwtShape(tok string) bool {
	head, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
	}
	return json.Unmarshal(b, &h) == nil && h.Alg != ""
}

// placeholder reports documented example keys and values that stand for a
// secret rather than being one.
func placeholder(s string, words bool) bool {
	l := strings.ToLower(s)
	for _, w := range []string{"example", "xxxx", "placeholder", "changeme", "dummy", "redacted",
		"<", ">", "${", "{{", "****", "0000000", "1234567", "abcdefg",
		"[secret]"} { // "redacted" and "[secret]" cover Warden's own placeholders
		if strings.Contains(l, w) {
			return true
		}
	}
	if words {
		for _, w := range []string{"your", "sampl", "password", "secret", "token", "test1234", "environ", "getenv", "process.env"} {
			if strings.Contains(l, w) {
				return true
			}
		}
	}
	// One character repeated most of the way is filler.
	counts := map[rune]int{}
	for _, c := range s {
		counts[c]++
	}
	for _, n := range counts {
		if n*2 > len(s) {
			return true
		}
	}
	return false
}

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	counts := map[rune]float64{}
	n := 0.0
	for _, c := range s {
		counts[c]++
		n++
	}
	h := 0.0
	for _, c := range counts {
		p := c / n
		h -= p * math.Log2(p)
	}
	return h
}

// mixed reports a value with at least two of lower, upper, digit and
// symbol: random secrets do, words do not.
func mixed(s string) bool {
	var lo, up, dg, sy bool
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
			lo = true
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= '0' && c <= '9':
			dg = true
		default:
			sy = true
		}
	}
	n := 0
	for _, b := range []bool{lo, up, dg, sy} {
		if b {
			n++
		}
	}
	return n >= 2
}

// longestBase64Run returns the length of the longest run of base64-alphabet
// characters in s, counting no further than enough: a rule for long random
// strings need not run without one.
func longestBase64Run(s string, enough int) int {
	best, n := 0, 0
	for i := 0; i < len(s) && best < enough; i++ {
		if class[s[i]]&cB64 != 0 {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

func asciiLower(buf []byte, s string) []byte {
	b := append(buf[:0], s...)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}
