package detect

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	regexp "github.com/wasilibs/go-re2"
)

// gitleaksJSON is gitleaks' maintained default rule set, translated from
// its TOML key for key by `go generate` (tools/gengitleaks, in the tools
// module): reading it through gitleaks' own configuration package would
// bring viper and net/http into the detection packages, and a TOML parser
// into the binary, for one embedded file.
//
//go:generate go run -C ../../tools ./gengitleaks ../internal/detect/gitleaks.json
//go:embed gitleaks.json
var gitleaksJSON []byte

// extRule is one rule of gitleaks' default rule set, run by Warden's
// engine: its regular expression through RE2 in windows around its
// keywords, its entropy floor and its allow-lists, plus Warden's own
// placeholder check. Warden's own rules (with checksums) come first; a
// gitleaks match over a span they already hold is dropped.
type extRule struct {
	id, desc string
	re       *regexp.Regexp
	group    int
	entropy  float64
	allow    []*allowlist
	after    int // window after a keyword hit: multi-line keys need more
	conf     float64
}

// allowlist is a gitleaks allow-list as it applies to text: regexes
// against the secret, the whole match or the line, and stop words in the
// secret, either of which (or both, with condition AND) lets a match go.
// Path and commit criteria do not apply to text and are left out; an AND
// allow-list that needs one never applies.
type allowlist struct {
	and       bool
	target    string // "", "match" or "line"
	regexes   []*regexp.Regexp
	stopwords []string
	needsPath bool
}

// The shapes of gitleaks' configuration that Warden reads (gitleaks' TOML
// keys, as tools/gengitleaks writes them).
type glAllowlist struct {
	Condition   string   `json:"condition"`
	RegexTarget string   `json:"regexTarget"`
	Regexes     []string `json:"regexes"`
	StopWords   []string `json:"stopwords"`
	Paths       []string `json:"paths"`
	Commits     []string `json:"commits"`
}

type glConfig struct {
	Allowlist  *glAllowlist  `json:"allowlist"`
	Allowlists []glAllowlist `json:"allowlists"`
	Rules      []struct {
		ID          string        `json:"id"`
		Description string        `json:"description"`
		Regex       string        `json:"regex"`
		Path        string        `json:"path"`
		SecretGroup int           `json:"secretGroup"`
		Entropy     float64       `json:"entropy"`
		Keywords    []string      `json:"keywords"`
		SkipReport  bool          `json:"skipReport"`
		Allowlists  []glAllowlist `json:"allowlists"`
		Required    []struct {
			ID string `json:"id"`
		} `json:"required"`
	} `json:"rules"`
}

// Windows around keyword hits for gitleaks rules: their patterns put the
// keyword near the secret (a prefix, or a variable name before it).
const (
	extBefore = 256
	extAfter  = 1024
	extBlock  = 16 << 10 // rules that span lines (PEM blocks)
)

// superseded are gitleaks rules Warden's own rules replace with a stricter
// check: a verified checksum (GitHub and npm CRC32, age bech32), a decoded
// JWT header, or entropy and character mix for generic values (gitleaks'
// generic rule also takes encrypted blobs, such as sealed secrets, for
// keys). Where Warden's rule rejects a look-alike, gitleaks' must not
// bring it back.
var superseded = map[string]bool{
	"age-secret-key": true, "github-pat": true, "github-oauth": true, "github-app-token": true,
	"github-refresh-token": true, "npm-access-token": true, "jwt": true, "jwt-base64": true,
	"generic-api-key": true,
}

var (
	gitleaksOnce  sync.Once
	gitleaksRules []*extRule
	gitleaksKw    [][]string
	gitleaksErr   error
)

// loadGitleaks translates the embedded rule set once. Rules that only
// match file paths, that need other rules to fire with them, or that are
// not to be reported are left out: Warden sees text, not repositories.
func loadGitleaks() ([]*extRule, [][]string, error) {
	gitleaksOnce.Do(func() {
		gitleaksRules, gitleaksKw, gitleaksErr = parseGitleaks(gitleaksJSON)
	})
	return gitleaksRules, gitleaksKw, gitleaksErr
}

func parseGitleaks(src []byte) ([]*extRule, [][]string, error) {
	var cfg glConfig
	if err := json.Unmarshal(src, &cfg); err != nil {
		return nil, nil, fmt.Errorf("gitleaks rules: %w", err)
	}
	var global []*allowlist
	for _, a := range append(cfg.Allowlists, deref(cfg.Allowlist)...) {
		al, err := compileAllowlist(a)
		if err != nil {
			return nil, nil, fmt.Errorf("gitleaks global allow-list: %w", err)
		}
		if al != nil {
			global = append(global, al)
		}
	}
	var rules []*extRule
	var kws [][]string
	for _, r := range cfg.Rules {
		if r.Regex == "" || r.SkipReport || len(r.Required) > 0 || superseded[r.ID] {
			continue
		}
		re, err := regexp.Compile(r.Regex)
		if err != nil {
			return nil, nil, fmt.Errorf("gitleaks rule %s: %w", r.ID, err)
		}
		x := &extRule{id: r.ID, desc: r.Description, re: re, group: r.SecretGroup, entropy: r.Entropy,
			after: extAfter, conf: 0.85}
		if strings.Contains(r.Regex, `[\s\S`) {
			x.after = extBlock
		}
		if strings.HasPrefix(r.ID, "generic") {
			x.conf = 0.7
		}
		for _, a := range r.Allowlists {
			al, err := compileAllowlist(a)
			if err != nil {
				return nil, nil, fmt.Errorf("gitleaks rule %s allow-list: %w", r.ID, err)
			}
			if al != nil {
				x.allow = append(x.allow, al)
			}
		}
		x.allow = append(x.allow, global...)
		// Keywords of two characters ("s." for legacy Vault tokens) occur
		// everywhere in code and would open a window at every one; they
		// are dropped, and a rule left without keywords is left out.
		var ks []string
		for _, k := range r.Keywords {
			if len(k) >= 3 {
				ks = append(ks, strings.ToLower(k))
			}
		}
		if len(ks) == 0 {
			continue
		}
		rules = append(rules, x)
		kws = append(kws, ks)
	}
	return rules, kws, nil
}

func deref(a *glAllowlist) []glAllowlist {
	if a == nil {
		return nil
	}
	return []glAllowlist{*a}
}

// compileAllowlist returns nil for an allow-list with nothing that applies
// to text (only paths or commits).
func compileAllowlist(a glAllowlist) (*allowlist, error) {
	al := &allowlist{and: strings.EqualFold(a.Condition, "and"), target: a.RegexTarget,
		needsPath: len(a.Paths) > 0 || len(a.Commits) > 0}
	for _, s := range a.Regexes {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, err
		}
		al.regexes = append(al.regexes, re)
	}
	for _, w := range a.StopWords {
		al.stopwords = append(al.stopwords, strings.ToLower(w))
	}
	if len(al.regexes) == 0 && len(al.stopwords) == 0 {
		return nil, nil
	}
	return al, nil
}

// allows reports whether the allow-list lets a match go.
func (a *allowlist) allows(secret, match, line string) bool {
	target := secret
	switch a.target {
	case "match":
		target = match
	case "line":
		target = line
	}
	re := false
	for _, r := range a.regexes {
		if r.MatchString(target) {
			re = true
			break
		}
	}
	sw := false
	lower := strings.ToLower(secret)
	for _, w := range a.stopwords {
		if strings.Contains(lower, w) {
			sw = true
			break
		}
	}
	if a.and {
		return !a.needsPath && (len(a.regexes) == 0 || re) && (len(a.stopwords) == 0 || sw)
	}
	return re || sw
}

// allowed reports whether one of the rule's allow-lists lets the secret go.
func (x *extRule) allowed(secret, match, line string) bool {
	for _, a := range x.allow {
		if a.allows(secret, match, line) {
			return true
		}
	}
	return false
}

// lineAround returns the line of text holding [s, e).
func lineAround(text string, s, e int) string {
	lo := strings.LastIndexByte(text[:s], '\n') + 1
	hi := strings.IndexByte(text[e:], '\n')
	if hi < 0 {
		return text[lo:]
	}
	return text[lo : e+hi]
}
