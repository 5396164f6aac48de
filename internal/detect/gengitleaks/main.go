// Command gengitleaks copies gitleaks' default rule set (config/gitleaks.toml
// of the gitleaks module go.mod names, MIT licence) into
// internal/detect/gitleaks.toml, which the secrets detector embeds. It is
// a build-time step (go generate ./internal/detect): gitleaks' configuration
// package pulls in viper and net/http, which the detection packages must
// not depend on. To take newer rules, bump the module and run it again;
// TestGitleaksRulesCurrent fails until then.
package main

import (
	"log"
	"os"

	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// Header is written before the copied rules.
const Header = "# Copied by go generate (internal/detect/gengitleaks) from github.com/zricethezav/gitleaks/v8\n# config/gitleaks.toml, MIT licence, Copyright (c) 2019 Zachary Rice. Do not edit.\n"

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: gengitleaks OUTPUT.toml")
	}
	if err := os.WriteFile(os.Args[1], []byte(Header+glconfig.DefaultConfig), 0o644); err != nil {
		log.Fatal(err)
	}
}
