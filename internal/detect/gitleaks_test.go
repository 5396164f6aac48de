package detect

import (
	"strings"
	"testing"

	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// TestGitleaksRulesCurrent checks that the embedded rule set is the one of
// the gitleaks module go.mod names: bump the module, run go generate.
func TestGitleaksRulesCurrent(t *testing.T) {
	_, body, ok := strings.Cut(gitleaksTOML, "Do not edit.\n")
	if !ok || body != glconfig.DefaultConfig {
		t.Error("internal/detect/gitleaks.toml differs from the gitleaks module's default configuration: run go generate ./internal/detect")
	}
}

// TestGitleaksRulesSameAsGitleaks checks that Warden reads the same rules
// gitleaks itself does: every rule gitleaks' own loader keeps (less those
// Warden supersedes or cannot use on text) is loaded, with the same regex.
func TestGitleaksRulesSameAsGitleaks(t *testing.T) {
	rules, _, err := loadGitleaks()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rules {
		got[r.id] = r.re.String()
	}
	var vc glconfig.ViperConfig
	if err := decodeWithGitleaks(&vc); err != nil {
		t.Fatal(err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		t.Fatal(err)
	}
	for id, r := range cfg.Rules {
		if r.Regex == nil || r.SkipReport || len(r.RequiredRules) > 0 || superseded[id] {
			continue
		}
		short := true
		for _, k := range r.Keywords {
			short = short && len(k) < 3
		}
		if short {
			continue
		}
		if got[id] != r.Regex.String() {
			t.Errorf("rule %s: Warden has %q, gitleaks %q", id, got[id], r.Regex.String())
		}
	}
	if len(got) < 200 {
		t.Errorf("loaded %d gitleaks rules, want over 200", len(got))
	}
}

func TestAllowlist(t *testing.T) {
	rules, _, err := parseGitleaks(`
[[rules]]
id = "x"
regex = '''xk-([a-z0-9]{8})'''
keywords = ["xk-"]
[[rules.allowlists]]
stopwords = ["example"]
[[rules.allowlists]]
condition = "AND"
regexTarget = "line"
regexes = ['''test''']
paths = ['''\.md$''']
`)
	if err != nil || len(rules) != 1 {
		t.Fatalf("parse: %v, %d rules", err, len(rules))
	}
	x := rules[0]
	tests := []struct {
		secret, line string
		want         bool
	}{
		{"abexampl", "xk-abexampl", false},
		{"example1", "xk-example1", true},
		{"a1b2c3d4", "test xk-a1b2c3d4", false}, // AND with a path criterion never applies to text
	}
	for _, tt := range tests {
		if got := x.allowed(tt.secret, "xk-"+tt.secret, tt.line); got != tt.want {
			t.Errorf("allowed(%q) = %v, want %v", tt.secret, got, tt.want)
		}
	}
}
