// Command gengitleaks translates gitleaks' default rule set
// (config/gitleaks.toml of the gitleaks module this module's go.mod names,
// MIT licence) into internal/detect/gitleaks.json, which the secrets
// detector embeds. It is a build-time step, run from the tools module
// (go generate ./internal/detect): gitleaks' configuration package pulls in
// viper and net/http, and its TOML needs a TOML parser, none of which the
// binary should link. The JSON holds the same tables as the TOML, key for
// key. To take newer rules, bump gitleaks in tools/go.mod and run it
// again; TestRulesCurrent fails until then.
package main

import (
	"log"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: gengitleaks OUTPUT.json")
	}
	b, err := Translate()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(os.Args[1], b, 0o644); err != nil {
		log.Fatal(err)
	}
}
