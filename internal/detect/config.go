package detect

import (
	"fmt"
	"os"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/sensitive"
)

// OptionsFrom maps the scan section of the configuration to detector
// options, the sensitive-data classifier included (custom types and exact
// data are built here). Detectors that reach the network (the remote
// Prompt Shields client) are not this package's: the caller adds them to
// Extra.
func OptionsFrom(s config.Scan) (Options, error) {
	o := Options{Canaries: s.Canaries, PhishingFile: s.PhishingDomainsFile, ExfilAllow: s.ExfilAllowDomains}
	for _, d := range s.Deny {
		o.Deny = append(o.Deny, DenyRule{ID: d.ID, Pattern: d.Pattern, Confidence: d.Confidence, Description: d.Description,
			Category: scan.Category(d.Category)})
	}
	c, err := SensitiveClassifier(s.Sensitive)
	if err != nil {
		return Options{}, fmt.Errorf("scan.sensitive: %w", err)
	}
	o.Sensitive = c
	return o, nil
}

// SensitiveClassifier builds the sensitive-data classifier a configuration
// section describes: built-in types, custom types and exact-data sets. An
// error names the type or file at fault. It is also what configuration
// validation checks custom types with (config.WithSensitive).
func SensitiveClassifier(s config.Sensitive) (*sensitive.Classifier, error) {
	var sets []*sensitive.ExactData
	for i, e := range s.ExactData {
		if e.Type == "" || e.HashesFile == "" {
			return nil, fmt.Errorf("exact_data[%d]: type and hashes_file are required", i)
		}
		f, err := os.Open(e.HashesFile)
		if err != nil {
			return nil, fmt.Errorf("exact_data[%d]: %w", i, err)
		}
		d, err := sensitive.LoadExactData(e.Type, []byte(e.Key), f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("exact_data[%d]: %w", i, err)
		}
		sets = append(sets, d)
	}
	types := make([]sensitive.Type, len(s.CustomTypes))
	for i, t := range s.CustomTypes {
		types[i] = sensitive.Type{ID: t.ID, Name: t.Name, Class: t.Class, Keywords: t.Keywords, Exclude: t.Exclude,
			Match: t.Match, NoMatch: t.NoMatch}
		for _, p := range t.Patterns {
			types[i].Patterns = append(types[i].Patterns, sensitive.Pattern{Regex: p.Regex, Validator: p.Validator, Alone: p.Alone, Keyword: p.Keyword})
		}
	}
	c, err := sensitive.Build(types, sets...)
	if err == nil && s.NameModel != nil && !*s.NameModel {
		c.NoNameModel()
	}
	return c, err
}

// CheckSensitive is SensitiveClassifier for configuration validation.
func CheckSensitive(s config.Sensitive) error {
	_, err := SensitiveClassifier(s)
	return err
}
