package modelscan

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func fixturesZip(name string, data []byte) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, _ := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	f.Write(data)
	w.Close()
	return b.Bytes()
}

// scanCase is a file to scan and what the scan must say: its highest
// severity ("none" for clean) and, when set, a rule among its findings.
type scanCase struct {
	name string
	data []byte
	want string
	rule string
}

// checkScans writes each case to a file under its name and scans it.
func checkScans(t *testing.T, cases []scanCase) {
	t.Helper()
	dir := t.TempDir()
	s := newTestScanner(t)
	for _, c := range cases {
		p := filepath.Join(dir, c.name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, c.data, 0o644)
		f := s.ScanFile(context.Background(), p)
		var rules []string
		for _, x := range f.Findings {
			rules = append(rules, x.Rule)
		}
		if f.Error != "" || highest(f) != c.want || c.rule != "" && !slices.Contains(rules, c.rule) {
			t.Errorf("%s: highest %s %v [%s] (error %q), want %s %s", c.name, highest(f), rules, f.Format, f.Error, c.want, c.rule)
		}
	}
}
