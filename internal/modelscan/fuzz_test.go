package modelscan

import (
	"bytes"
	"context"
	"testing"

	"github.com/wardenhq/warden/internal/modelscan/fixtures"
)

// FuzzScan feeds arbitrary bytes (seeded with every fixture) to the whole
// scanner through an in-memory file: no panic, and every finding and error
// is well formed. It covers the zip, tar, gzip, xz, 7z, numpy, safetensors,
// GGUF, protobuf, Keras and pickle readers.
func FuzzScan(f *testing.F) {
	for _, fx := range fixtures.All() {
		f.Add(fx.Data)
	}
	s := New(Options{MaxExpand: 64 << 20})
	f.Fuzz(func(t *testing.T, b []byte) {
		fs := &fileScan{s: s, ctx: context.Background(), f: File{Findings: []Finding{}}, budget: 64 << 20}
		fs.f.Format = fs.scanAt("", "fuzz.bin", bytes.NewReader(b), int64(len(b)), 0)
		for _, x := range fs.f.Findings {
			if rank(x.Severity) == 0 || x.Rule == "" || x.Detail == "" || x.Recommendation == "" {
				t.Fatalf("malformed finding %+v", x)
			}
		}
	})
}
