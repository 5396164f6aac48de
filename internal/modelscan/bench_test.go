package modelscan

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"runtime"
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
		f, err := os.Create(ckptPath)
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
		for i := range 4 {
			m, _ := w.CreateHeader(&zip.FileHeader{Name: "archive/data/" + string(rune('0'+i)), Method: zip.Store})
			for range 256 {
				m.Write(chunk)
			}
		}
		w.Close()
		f.Close()
	})
	return ckptPath
}

// peakHeap samples the heap in use while f runs.
func peakHeap(f func()) uint64 {
	var peak uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
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
