package modelscan

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/modelscan/fixtures"
)

// secrets adapts the detection engine's credential rules.
type secrets struct{ d *detect.Secrets }

func (s secrets) FindSecrets(text string) []Secret {
	var out []Secret
	for _, m := range s.d.Find(text) {
		out = append(out, Secret{Kind: m.Kind, Offset: m.Span[0]})
	}
	return out
}

func newTestScanner(t testing.TB) *Scanner {
	d, err := detect.DefaultSecrets()
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Secrets: secrets{d}})
}

func highest(f File) string {
	h := "none"
	for _, x := range f.Findings {
		if rank(x.Severity) > rank(h) {
			h = x.Severity
		}
	}
	return h
}

// TestFixtures scans every file in testdata (benign models of every format
// and one file per reproducible published bypass) and checks the highest
// severity and the rule expect.json names.
func TestFixtures(t *testing.T) {
	b, err := os.ReadFile("testdata/expect.json")
	if err != nil {
		t.Fatal(err)
	}
	var expect map[string]fixtures.Expect
	if err := json.Unmarshal(b, &expect); err != nil {
		t.Fatal(err)
	}
	s := newTestScanner(t)
	names := make([]string, 0, len(expect))
	for n := range expect {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		want := expect[n]
		f := s.ScanFile(context.Background(), filepath.Join("testdata", n))
		got := highest(f)
		var rules []string
		for _, x := range f.Findings {
			rules = append(rules, x.Rule)
		}
		if f.Error != "" {
			t.Errorf("%s (%s): not scanned: %s", n, want.Source, f.Error)
		}
		if got != want.Severity || want.Rule != "" && !slices.Contains(rules, want.Rule) {
			t.Errorf("%s (%s): got %s %v [%s], want %s %s", n, want.Source, got, rules, f.Format, want.Severity, want.Rule)
		}
	}
}

// TestFixturesCurrent checks that testdata is what the fixtures package
// builds: go run ./internal/modelscan/gentestdata internal/modelscan/testdata.
func TestFixturesCurrent(t *testing.T) {
	for _, f := range fixtures.All() {
		b, err := os.ReadFile(filepath.Join("testdata", f.Name))
		if err != nil || !bytes.Equal(b, f.Data) {
			t.Errorf("testdata/%s differs from what fixtures builds: regenerate it", f.Name)
		}
	}
}

// TestEICAR builds the EICAR test file at run time (it is not committed:
// anti-virus software on a developer's machine would quarantine it).
func TestEICAR(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "weights.bin")
	os.WriteFile(p, eicar, 0o644)
	f := newTestScanner(t).ScanFile(context.Background(), p)
	if highest(f) != Critical || f.Findings[0].Rule != "malware.eicar" {
		t.Errorf("EICAR: got %+v", f.Findings)
	}
	z := filepath.Join(dir, "model.pt")
	os.WriteFile(z, fixturesZip("archive/data/0", eicar), 0o644)
	f = newTestScanner(t).ScanFile(context.Background(), z)
	if highest(f) != Critical {
		t.Errorf("EICAR in a tensor member: got %+v", f.Findings)
	}
}

func TestUnreadableIsNotClean(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "truncated.pt")
	full := fixturesZip("archive/data.pkl", []byte("\x80\x02}."))
	os.WriteFile(p, full[:len(full)-30], 0o644)
	rep := newTestScanner(t).ScanPaths(context.Background(), []string{p, filepath.Join(dir, "missing.pt")})
	if rep.Summary.Errors != 2 || rep.Summary.Clean != 0 {
		t.Errorf("summary %+v, want 2 errors and nothing clean", rep.Summary)
	}
}
