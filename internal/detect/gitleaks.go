package detect

import (
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/viper"
	regexp "github.com/wasilibs/go-re2"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// extRule is one rule of gitleaks' maintained default rule set, run by
// Warden's engine: its regular expression through RE2 in windows around its
// keywords, its entropy floor and its allow-lists, plus Warden's own
// placeholder check. Warden's own rules (with checksums) come first; a
// gitleaks match over a span they already hold is dropped.
type extRule struct {
	id, desc string
	re       *regexp.Regexp
	group    int
	entropy  float64
	allow    []*glconfig.Allowlist
	after    int // window after a keyword hit: multi-line keys need more
	conf     float64
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

// loadGitleaks translates gitleaks' embedded default configuration into
// rules once. Rules that only match file paths, that need other rules to
// fire with them, or that are not to be reported are left out: Warden sees
// text, not repositories.
func loadGitleaks() ([]*extRule, [][]string, error) {
	gitleaksOnce.Do(func() {
		v := viper.New()
		v.SetConfigType("toml")
		if err := v.ReadConfig(strings.NewReader(glconfig.DefaultConfig)); err != nil {
			gitleaksErr = fmt.Errorf("gitleaks rules: %w", err)
			return
		}
		var vc glconfig.ViperConfig
		if err := v.Unmarshal(&vc); err != nil {
			gitleaksErr = fmt.Errorf("gitleaks rules: %w", err)
			return
		}
		cfg, err := vc.Translate()
		if err != nil {
			gitleaksErr = fmt.Errorf("gitleaks rules: %w", err)
			return
		}
		for _, id := range cfg.OrderedRules {
			r := cfg.Rules[id]
			if r.Regex == nil || r.SkipReport || len(r.RequiredRules) > 0 || superseded[id] {
				continue
			}
			re, err := regexp.Compile(r.Regex.String())
			if err != nil {
				gitleaksErr = fmt.Errorf("gitleaks rule %s: %w", id, err)
				return
			}
			x := &extRule{id: id, desc: r.Description, re: re, group: r.SecretGroup, entropy: r.Entropy,
				allow: r.Allowlists, after: extAfter, conf: 0.85}
			if strings.Contains(r.Regex.String(), `[\s\S`) {
				x.after = extBlock
			}
			if strings.HasPrefix(id, "generic") {
				x.conf = 0.7
			}
			for _, a := range cfg.Allowlists {
				if len(a.Paths) == 0 && len(a.Commits) == 0 {
					x.allow = append(x.allow, a)
				}
			}
			// Keywords of two characters ("s." for legacy Vault tokens)
			// occur everywhere in code and would open a window at every
			// one; they are dropped, and a rule left without keywords is
			// left out.
			var kws []string
			for _, k := range r.Keywords {
				if len(k) >= 3 {
					kws = append(kws, strings.ToLower(k))
				}
			}
			if len(kws) == 0 {
				continue
			}
			gitleaksRules = append(gitleaksRules, x)
			gitleaksKw = append(gitleaksKw, kws)
		}
	})
	return gitleaksRules, gitleaksKw, gitleaksErr
}

// allowed reports whether one of the rule's allow-lists lets the secret go.
func (x *extRule) allowed(secret, match, line string) bool {
	for _, a := range x.allow {
		target := secret
		switch a.RegexTarget {
		case "match":
			target = match
		case "line":
			target = line
		}
		re := len(a.Regexes) > 0 && a.RegexAllowed(target)
		sw := false
		if len(a.StopWords) > 0 {
			sw, _ = a.ContainsStopWord(secret)
		}
		if a.MatchCondition == glconfig.AllowlistMatchAnd {
			if len(a.Paths) == 0 && len(a.Commits) == 0 && (len(a.Regexes) == 0 || re) && (len(a.StopWords) == 0 || sw) &&
				(len(a.Regexes) > 0 || len(a.StopWords) > 0) {
				return true
			}
			continue
		}
		if re || sw {
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
