package warden_test

import (
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs checks that every package has exactly one package doc
// comment.
func TestPackageDocs(t *testing.T) {
	dirs := map[string]int{}
	filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "testdata") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		dir := filepath.Dir(path)
		if _, ok := dirs[dir]; !ok {
			dirs[dir] = 0
		}
		if f.Doc != nil {
			dirs[dir]++
		}
		return nil
	})
	for dir, n := range dirs {
		if n != 1 {
			t.Errorf("package %s has %d package doc comments, want 1", dir, n)
		}
	}
}

// TestDataFlow checks that data flows one way: the scanning packages never
// reach for the network, the store or the gateway, and alerts never import
// where they are stored.
func TestDataFlow(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	forbidden := map[string][]string{
		"./internal/scan":   {"net/http", "internal/store", "internal/gateway", "internal/alert"},
		"./internal/detect": {"net/http", "internal/store", "internal/gateway"},
		"./internal/llmapi": {"net/http", "internal/store", "internal/gateway", "internal/scan"},
		"./internal/alert":  {"net/http", "internal/store", "internal/gateway"},
		// Configuration is read, not built from: it names detectors, it
		// does not construct them.
		"./internal/config": {"internal/detect", "internal/classifier", "internal/gateway", "internal/store", "internal/export"},
		"./internal/credkv": {"net/http", "internal/store", "internal/gateway", "internal/detect"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if dep == b || strings.HasSuffix(dep, "/"+b) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}

// floors place every internal package on a floor: a package imports only
// packages on lower floors, so data flows one way and nothing low reaches up
// for what is built on it. A new package must be given a floor here.
var floors = map[string]int{
	// 0: leaves. Configuration, the scan vocabulary, text and wire
	// formats, small mechanisms.
	"config": 0, "scan": 0, "cleantext": 0, "redact": 0, "reload": 0, "supervise": 0, "httpjson": 0,
	"faults": 0, "identity": 0, "llmapi": 0, "pickle": 0, "wordvec": 0, "portal": 0, "mockllm": 0, "benchtext": 0, "health": 0,
	// 1: the domain's plain data and models.
	"interaction": 1, "policy": 1, "signin": 1, "traffic": 1, "alert": 1, "subscription": 1, "classifier": 1, "sensitive": 1, "behaviour": 1, "modelscan": 1,
	"judge": 1, "shieldclient": 1, "shield": 1, "demo": 1, "modelscan/fixtures": 1,
	// 2: what builds on one model.
	"insider": 2, "ediscovery": 2, "credkv": 2, "suffix": 2, "controlplane": 2, "journal": 2, "report": 2, "modelscan/gentestdata": 2,
	// 3: detectors, the store, the gateway.
	"detect": 3, "store": 3, "gateway": 3,
	// 4: what reads detectors or the store: feeds, evaluation, export,
	// model registries.
	"intel": 4, "policyset": 4, "evaluate": 4, "export": 4, "registry": 4,
	// 5: the HTTP API over the store and export.
	"api": 5,
	// 6: wiring.
	"cli": 6,
	// generators run at build time, beside everything.
	"wordvec/genwordvec": 0,
}

// onlyImportedBy lists packages that only the named importers may use.
var onlyImportedBy = map[string][]string{
	// The mock LLM is for the demo: no configured gateway reaches it.
	"mockllm": {"demo"},
	// The fault suite is tests only (it has no code of its own).
	"faults": {},
	// Benchmark text is for benchmarks (imported from _test files only).
	"benchtext": {},
}

// TestLayers checks that every internal package has a floor and imports
// only packages on lower floors, and the packages only some may import.
func TestLayers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./internal/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const prefix = "github.com/wardenhq/warden/internal/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], prefix)
		floor, ok := floors[pkg]
		if !ok {
			t.Errorf("internal/%s has no floor: place it in floors (arch_test.go)", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, prefix) {
				continue
			}
			dep := strings.TrimPrefix(imp, prefix)
			if f, ok := floors[dep]; ok && f >= floor {
				t.Errorf("internal/%s (floor %d) imports internal/%s (floor %d): imports go down only", pkg, floor, dep, f)
			}
			if allowed, ok := onlyImportedBy[dep]; ok && !slicesContains(allowed, pkg) {
				t.Errorf("internal/%s imports internal/%s, which only %v may", pkg, dep, allowed)
			}
		}
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var updateDeps = flag.Bool("update-deps", false, "rewrite cmd/*/deps.txt from go list")

// TestDeps checks each binary's dependencies against the list checked in
// beside it (cmd/NAME/deps.txt): every package outside the standard
// library it links, with its module version. A new dependency, or a
// package of one newly linked, is a visible diff; accept it with
// go test . -run TestDeps -update-deps.
func TestDeps(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	for _, bin := range []string{"warden", "train", "trainnames"} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{with .Module}} {{.Version}}{{end}}{{end}}", "./cmd/"+bin).Output()
		if err != nil {
			t.Fatalf("go list -deps ./cmd/%s: %v", bin, err)
		}
		var lines []string
		for _, l := range strings.Split(string(out), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "github.com/wardenhq/warden") {
				lines = append(lines, l)
			}
		}
		sortStrings(lines)
		got := fmt.Sprintf("# Packages outside the standard library that cmd/%s links (TestDeps).\n# Regenerate: go test . -run TestDeps -update-deps\n%s\n", bin, strings.Join(lines, "\n"))
		path := filepath.Join("cmd", bin, "deps.txt")
		if *updateDeps {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (create it with -update-deps)", err)
		}
		if got != string(want) {
			t.Errorf("cmd/%s links other packages than %s lists:\n%s\nReview, then run go test . -run TestDeps -update-deps", bin, path, lineDiff(string(want), got))
		}
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
	}
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// TestArchitectureTable checks that docs/architecture.md's package table
// lists every internal package and, for each, the Warden packages it
// imports, as go list sees them: the table a new engineer reads first
// must not drift.
func TestArchitectureTable(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	doc, err := os.ReadFile("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(string(doc), "\n") {
		cells := strings.Split(l, " | ")
		if len(cells) < 3 || !strings.HasPrefix(cells[0], "| `") {
			continue
		}
		name := strings.Trim(strings.TrimPrefix(cells[0], "| "), "`")
		rows[name] = strings.TrimSuffix(cells[len(cells)-1], " |")
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./internal/...", "./cmd/...", "./bench/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/wardenhq/warden/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		name := strings.TrimPrefix(f[0], mod)
		if strings.Contains(name, "/gen") || strings.HasSuffix(name, "/fixtures") {
			continue // generators and test fixtures
		}
		got, ok := rows[name]
		if !ok {
			t.Errorf("docs/architecture.md has no row for %s", name)
			continue
		}
		if name == "internal/cli" {
			continue // "everything it wires"
		}
		var deps []string
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, mod) {
				deps = append(deps, strings.TrimPrefix(strings.TrimPrefix(imp, mod), "internal/"))
			}
		}
		want := "none"
		if len(deps) > 0 {
			sortStrings(deps)
			want = strings.Join(deps, ", ")
		}
		if got != want {
			t.Errorf("docs/architecture.md says %s imports %q; it imports %q", name, got, want)
		}
	}
}
