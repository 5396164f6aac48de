package modelscan

import (
	"archive/tar"
	"archive/zip"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/modelscan/fixtures"
)

var (
	ckptOnce sync.Once
	ckptPath string
)

// checkpoint writes (once per process) a 1 GiB PyTorch zip: the state
// dict pickle and four 256 MiB tensors, stored as PyTorch stores them.
func checkpoint(b *testing.B) string {
	ckptOnce.Do(func() {
		dir, err := os.MkdirTemp("", "warden-bench-*")
		if err != nil {
			b.Fatal(err)
		}
		ckptPath = filepath.Join(dir, "model.pt")
		writeCheckpoint(b, ckptPath, 4)
	})
	return ckptPath
}

// writeCheckpoint writes a PyTorch zip: the state dict pickle and
// tensors of 256 MiB of random bytes, stored as PyTorch stores them.
func writeCheckpoint(b *testing.B, path string, tensors int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := zip.NewWriter(f)
	var pkl []byte
	for _, fx := range fixtures.All() {
		if fx.Name == "benign_state_dict.pkl" {
			pkl = fx.Data
		}
	}
	m, _ := w.CreateHeader(&zip.FileHeader{Name: "archive/data.pkl", Method: zip.Store})
	m.Write(pkl)
	chunk := make([]byte, 1<<20)
	rand.Read(chunk)
	for i := range tensors {
		m, _ := w.CreateHeader(&zip.FileHeader{Name: "archive/data/" + strconv.Itoa(i), Method: zip.Store})
		for range 256 {
			m.Write(chunk)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// peakHeap samples the heap in use while f runs (and once after, so a
// run shorter than the sampling period is still measured).
func peakHeap(f func()) uint64 {
	var peak uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-finished
	return peak
}

// BenchmarkCheckpointScan scans the 1 GiB checkpoint: tensors are skipped,
// not parsed, so the figure to compare is BenchmarkCheckpointRead.
func BenchmarkCheckpointScan(b *testing.B) {
	p := checkpoint(b)
	st, _ := os.Stat(p)
	s := New(Options{})
	b.SetBytes(st.Size())
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			if f := s.ScanFile(context.Background(), p); f.Error != "" || len(f.Findings) > 0 {
				b.Fatalf("%+v", f)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkCheckpointRead reads the same file start to end: disk speed,
// the baseline.
func BenchmarkCheckpointRead(b *testing.B) {
	p := checkpoint(b)
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	for b.Loop() {
		f, _ := os.Open(p)
		io.Copy(io.Discard, f)
		f.Close()
	}
}

var (
	bigOnce         sync.Once
	bigPath, bigTar string
)

// bigCheckpoint writes (once per process) a checkpoint of
// WARDEN_BENCH_CHECKPOINT_GIB GiB (default 5): past 4 GiB, so with zip64
// end records as every big checkpoint has, and the same file inside a tar.
func bigCheckpoint(b *testing.B) (string, string) {
	bigOnce.Do(func() {
		gib := 5
		if v, err := strconv.Atoi(os.Getenv("WARDEN_BENCH_CHECKPOINT_GIB")); err == nil && v > 0 {
			gib = v
		}
		dir, err := os.MkdirTemp("", "warden-bench-big-*")
		if err != nil {
			b.Fatal(err)
		}
		bigPath, bigTar = filepath.Join(dir, "model.pt"), filepath.Join(dir, "bundle.tar")
		writeCheckpoint(b, bigPath, gib*4)
		st, _ := os.Stat(bigPath)
		t, _ := os.Create(bigTar)
		tw := tar.NewWriter(t)
		tw.WriteHeader(&tar.Header{Name: "checkpoints/model.pt", Mode: 0o644, Size: st.Size(), Typeflag: tar.TypeReg})
		src, _ := os.Open(bigPath)
		io.Copy(tw, src)
		src.Close()
		tw.Close()
		t.Close()
	})
	return bigPath, bigTar
}

// BenchmarkBigCheckpoint scans the big checkpoint as a file and inside a
// tar (in place, no copy), against reading its pickle alone, the figure
// the issue compares with, and reading the whole file.
func BenchmarkBigCheckpoint(b *testing.B) {
	p, tp := bigCheckpoint(b)
	s := New(Options{})
	for _, c := range []struct{ name, path string }{{"scan-file", p}, {"scan-in-tar", tp}} {
		b.Run(c.name, func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				peak = max(peak, peakHeap(func() {
					if f := s.ScanFile(context.Background(), c.path); f.Error != "" || len(f.Findings) > 0 {
						b.Fatalf("%+v", f)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
	b.Run("read-pickle", func(b *testing.B) {
		for b.Loop() {
			zr, err := zip.OpenReader(p)
			if err != nil {
				b.Fatal(err)
			}
			for _, f := range zr.File {
				if f.Name == "archive/data.pkl" {
					rc, _ := f.Open()
					io.Copy(io.Discard, rc)
					rc.Close()
				}
			}
			zr.Close()
		}
	})
	b.Run("read-file", func(b *testing.B) {
		for b.Loop() {
			f, _ := os.Open(p)
			io.Copy(io.Discard, f)
			f.Close()
		}
	})
}

// TestMain removes the checkpoints the benchmarks wrote (gigabytes in
// the temporary directory) once the package's tests and benchmarks end.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, p := range []string{ckptPath, bigPath} {
		if p != "" {
			os.RemoveAll(filepath.Dir(p))
		}
	}
	os.Exit(code)
}

// savedModelBlob is a 256 MiB binary graph: random constants with
// MatMul and ReadFile nodes and tf_keras layer metadata among them.
func savedModelBlob(b *testing.B) []byte {
	blob := make([]byte, 256<<20)
	rand.Read(blob)
	copy(blob, savedModel("MatMul"))
	for off := 1 << 20; off+4096 < len(blob); off += 1 << 20 {
		copy(blob[off:], savedModel("MatMul", "ReadFile"))
		copy(blob[off+64:], `{"name": "dense", "class_name": "Dense", "config": {"units": 4}}`)
	}
	return blob
}

// BenchmarkSavedModel: scanning a 256 MiB graph (every op, descriptor,
// asset and Keras metadata check) against reading its bytes.
func BenchmarkSavedModel(b *testing.B) {
	blob := savedModelBlob(b)
	dir := b.TempDir()
	p := filepath.Join(dir, "saved_model.pb")
	if err := os.WriteFile(p, blob, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(blob)))
		for b.Loop() {
			f, _ := os.Open(p)
			io.Copy(io.Discard, f)
			f.Close()
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(blob)))
		s := newTestScanner(b)
		for b.Loop() {
			if f := s.ScanFile(context.Background(), p); highest(f) != High {
				b.Fatalf("highest %s, want the ReadFile op (high)", highest(f))
			}
		}
	})
}
