package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/BurntSushi/toml"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// Source and Licence are written at the top of the translated rules, as
// the TOML's comment header was.
const (
	Source  = "github.com/zricethezav/gitleaks/v8 config/gitleaks.toml, translated to JSON by tools/gengitleaks. Do not edit."
	Licence = "MIT licence, Copyright (c) 2019 Zachary Rice"
)

// Translate decodes gitleaks' default configuration generically (every
// table and key it holds, whatever Warden reads of it) and encodes it as
// indented JSON, so that a rule-set bump shows as a readable diff.
func Translate() ([]byte, error) {
	var cfg map[string]any
	if _, err := toml.Decode(glconfig.DefaultConfig, &cfg); err != nil {
		return nil, fmt.Errorf("decode gitleaks' default configuration: %w", err)
	}
	cfg["_source"], cfg["_licence"] = Source, Licence
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // regexes are full of < and &
	enc.SetIndent("", " ")
	if err := enc.Encode(cfg); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
