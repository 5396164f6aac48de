// Command gengitleakssamples writes the true and false positives gitleaks
// validates each of its rules with (cmd/generate/config/rules of the
// gitleaks module tools/go.mod names, MIT licence) to
// internal/detect/testdata/gitleaks_samples.json, so that
// TestGitleaksSamples runs every imported rule's examples through Warden's
// engine. gitleaks keeps those examples in local variables passed to its
// validator; this program copies the rules package into a temporary
// module (its own go.mod requiring the same gitleaks version, so that
// gitleaks' generator dependencies stay out of Warden's) with the
// validator replaced by one that records them, runs every rule gitleaks'
// own generator runs, and writes what was recorded. Many samples are generated at random, so each run
// writes different (equally valid) ones. Run it with go generate
// ./internal/detect after bumping gitleaks.
package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: gengitleakssamples OUTPUT.json")
	}
	out, err := filepath.Abs(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := run(out); err != nil {
		log.Fatal(err)
	}
}

func run(out string) error {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/zricethezav/gitleaks/v8").Output()
	if err != nil {
		return fmt.Errorf("find the gitleaks module: %w", err)
	}
	src := filepath.Join(strings.TrimSpace(string(dir)), "cmd", "generate", "config")
	version, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/zricethezav/gitleaks/v8").Output()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gengitleakssamples-")
	if err != nil {
		return err
	}
	gomod := "module gensamples\n\ngo 1.26\n\nrequire github.com/zricethezav/gitleaks/v8 " + strings.TrimSpace(string(version)) + "\n"
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	rulesDir := filepath.Join(tmp, "rules")
	if err := os.MkdirAll(rulesDir, 0o755); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(src, "rules", "*.go"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		s := strings.ReplaceAll(string(b), "utils.ValidateWithPaths(", "validateWithPaths(")
		s = strings.ReplaceAll(s, "utils.Validate(", "validate(")
		if strings.Contains(s, `/cmd/generate/config/utils"`) && !strings.Contains(s, "utils.") {
			s += "\nvar _ = utils.Validate // the import's only use was the validator\n"
		}
		if err := os.WriteFile(filepath.Join(rulesDir, filepath.Base(f)), []byte(s), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(rulesDir, "zz_record.go"), []byte(recorder), 0o644); err != nil {
		return err
	}
	// The rules gitleaks' generator runs, in its order.
	mainSrc, err := os.ReadFile(filepath.Join(src, "main.go"))
	if err != nil {
		return err
	}
	calls := regexp.MustCompile(`(?m)^\s*rules\.[A-Za-z0-9_]+\(\),\s*$`).FindAllString(string(mainSrc), -1)
	if len(calls) < 100 {
		return fmt.Errorf("found %d rule calls in gitleaks' generator; its layout changed", len(calls))
	}
	prog := "package main\n\nimport \"gensamples/rules\"\n\nfunc main() {\n"
	for _, c := range calls {
		prog += "\t" + strings.TrimSuffix(strings.TrimSpace(c), ",") + "\n"
	}
	prog += "\trules.Write(" + fmt.Sprintf("%q", out) + ")\n}\n"
	if err := os.WriteFile(filepath.Join(tmp, "main.go"), []byte(prog), 0o644); err != nil {
		return err
	}
	for _, args := range [][]string{{"mod", "tidy"}, {"run", "."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = tmp, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
		}
	}
	return nil
}

// recorder replaces gitleaks' validator in the copied rules package.
const recorder = `package rules

import (
	"encoding/json"
	"os"
	"sort"

	"github.com/zricethezav/gitleaks/v8/config"
)

// Sample is one rule's examples as gitleaks validates them.
type Sample struct {
	RuleID string   ` + "`json:\"rule_id\"`" + `
	TPs    []string ` + "`json:\"true_positives\"`" + `
	FPs    []string ` + "`json:\"false_positives,omitempty\"`" + `
	// Paths is set for rules that match file paths, which Warden does not
	// have: their examples are kept but not expected to match text alone.
	Paths bool ` + "`json:\"paths,omitempty\"`" + `
}

var samples = map[string]*Sample{}

func validate(rule config.Rule, tps, fps []string) *config.Rule {
	s := samples[rule.RuleID]
	if s == nil {
		s = &Sample{RuleID: rule.RuleID}
		samples[rule.RuleID] = s
	}
	s.TPs = append(s.TPs, tps...)
	s.FPs = append(s.FPs, fps...)
	return &rule
}

func validateWithPaths(rule config.Rule, tps, fps map[string]string) *config.Rule {
	var t, f []string
	for _, v := range tps {
		t = append(t, v)
	}
	for _, v := range fps {
		f = append(f, v)
	}
	sort.Strings(t)
	sort.Strings(f)
	validate(rule, t, f)
	samples[rule.RuleID].Paths = true
	return &rule
}

// Write writes every rule's samples, ordered by rule id.
func Write(path string) {
	var out []*Sample
	for _, s := range samples {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RuleID < out[j].RuleID })
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		panic(err)
	}
}
`
