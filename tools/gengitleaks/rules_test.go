package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/spf13/viper"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

const rulesFile = "../../internal/detect/gitleaks.json"

// TestRulesCurrent checks that the rules the detector embeds are those of
// the gitleaks version this module names: bump it, run go generate.
func TestRulesCurrent(t *testing.T) {
	want, err := Translate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("internal/detect/gitleaks.json differs from the gitleaks module's default configuration: run go generate ./internal/detect")
	}
}

// TestRulesSameAsGitleaks checks that the translation loses nothing
// gitleaks itself reads: every rule gitleaks' own loader (viper, then
// Translate) keeps is in the JSON with the same regex, keywords, secret
// group and entropy. internal/detect's TestGitleaksLoaded checks the other
// half: every such JSON rule is loaded.
func TestRulesSameAsGitleaks(t *testing.T) {
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Rules []struct {
			ID          string   `json:"id"`
			Regex       string   `json:"regex"`
			SecretGroup int      `json:"secretGroup"`
			Entropy     float64  `json:"entropy"`
			Keywords    []string `json:"keywords"`
		} `json:"rules"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(glconfig.DefaultConfig)); err != nil {
		t.Fatal(err)
	}
	var vc glconfig.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		t.Fatal(err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range file.Rules {
		g, ok := cfg.Rules[r.ID]
		if !ok {
			t.Errorf("rule %s is not one gitleaks loads", r.ID)
			continue
		}
		n++
		if g.Regex != nil && g.Regex.String() != r.Regex {
			t.Errorf("rule %s: JSON has regex %q, gitleaks %q", r.ID, r.Regex, g.Regex.String())
		}
		if g.SecretGroup != r.SecretGroup || g.Entropy != r.Entropy {
			t.Errorf("rule %s: JSON has group %d entropy %v, gitleaks %d %v", r.ID, r.SecretGroup, r.Entropy, g.SecretGroup, g.Entropy)
		}
		if strings.Join(g.Keywords, ",") != strings.ToLower(strings.Join(r.Keywords, ",")) {
			t.Errorf("rule %s: JSON has keywords %q, gitleaks %q", r.ID, r.Keywords, g.Keywords)
		}
	}
	if n != len(cfg.Rules) {
		t.Errorf("JSON has %d of gitleaks' %d rules", n, len(cfg.Rules))
	}
}
