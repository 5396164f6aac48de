package warden_test

import (
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
