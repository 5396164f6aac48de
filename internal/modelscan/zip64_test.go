package modelscan

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardenhq/warden/internal/modelscan/fixtures"
)

// zip64Archive is a zip with more entries than a plain end record holds,
// so Go's writer adds the zip64 records every big checkpoint has.
func zip64Archive(t testing.TB, extra map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range 65_600 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("archive/data/%d", i), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte{byte(i)})
	}
	for name, body := range extra {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestZip64: an archive with zip64 end records is read, whole, and so is
// one with a prefix before it (a polyglot); so is a small archive with a
// zip64 record it does not need, as PyTorch writes every checkpoint.
func TestZip64(t *testing.T) {
	z := zip64Archive(t, map[string][]byte{"archive/data.pkl": []byte("\x80\x02}q\x00.")})
	small := fixtures.WithZip64End(fixturesZip("archive/data.pkl", []byte("\x80\x02}q\x00.")))
	for _, c := range []struct {
		name string
		data []byte
		want int
	}{
		{"plain", z, 65_601},
		{"prefixed", append([]byte("\x80\x02N."), z...), 65_601},
		{"unneeded record", small, 1},
		{"unneeded record, prefixed", append([]byte("\x80\x02N."), small...), 1},
	} {
		es, err := readZip(bytes.NewReader(c.data), int64(len(c.data)))
		if err != nil || len(es) != c.want {
			t.Errorf("%s: %d entries, %v; want %d", c.name, len(es), err, c.want)
		}
	}
}

// TestZip64Scanned: a big checkpoint's pickle is read and judged, from a
// file and from a zip64 archive inside a tar.
func TestZip64Scanned(t *testing.T) {
	evil := []byte("\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.")
	z := zip64Archive(t, map[string][]byte{"archive/data.pkl": evil})
	dir := t.TempDir()
	p := filepath.Join(dir, "big.pt")
	if err := os.WriteFile(p, z, 0o644); err != nil {
		t.Fatal(err)
	}
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "checkpoints/big.pt", Mode: 0o644, Size: int64(len(z)), Typeflag: tar.TypeReg})
	tw.Write(z)
	tw.Close()
	tp := filepath.Join(dir, "bundle.tar")
	if err := os.WriteFile(tp, tb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTestScanner(t)
	for _, path := range []string{p, tp} {
		f := s.ScanFile(context.Background(), path)
		if f.Error != "" || highest(f) != Critical {
			t.Errorf("%s: error %q, highest %s, want the os.system call found (critical)", filepath.Base(path), f.Error, highest(f))
		}
	}
}
