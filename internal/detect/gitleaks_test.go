package detect

import (
	"encoding/json"
	"testing"
)

// TestGitleaksLoaded checks that every rule of the embedded gitleaks rule
// set that applies to text is loaded with its regex as written: the rules
// Warden supersedes, path-only rules, rules that need another rule, rules
// not to be reported and rules left with only two-letter keywords are the
// only ones left out. tools/gengitleaks' TestRulesSameAsGitleaks checks
// that the embedded file holds what gitleaks itself loads.
func TestGitleaksLoaded(t *testing.T) {
	rules, _, err := loadGitleaks()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rules {
		got[r.id] = r.re.String()
	}
	var cfg glConfig
	if err := json.Unmarshal(gitleaksJSON, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Rules {
		if r.Regex == "" || r.SkipReport || len(r.Required) > 0 || superseded[r.ID] {
			if _, ok := got[r.ID]; ok {
				t.Errorf("rule %s loaded, want it left out", r.ID)
			}
			continue
		}
		short := true
		for _, k := range r.Keywords {
			short = short && len(k) < 3
		}
		if short {
			continue
		}
		if got[r.ID] != r.Regex {
			t.Errorf("rule %s: loaded %q, want %q", r.ID, got[r.ID], r.Regex)
		}
	}
	if len(got) < 200 {
		t.Errorf("loaded %d gitleaks rules, want over 200", len(got))
	}
}

func TestAllowlist(t *testing.T) {
	rules, _, err := parseGitleaks([]byte(`{"rules": [{
 "id": "x", "regex": "xk-([a-z0-9]{8})", "keywords": ["xk-"],
 "allowlists": [
  {"stopwords": ["example"]},
  {"condition": "AND", "regexTarget": "line", "regexes": ["test"], "paths": ["\\.md$"]}
 ]}]}`))
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
