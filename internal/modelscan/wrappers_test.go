package modelscan

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz/lzma"
)

// compressions are joblib's (and the old "ZF" form), each applied to b.
var compressions = map[string]func(b []byte) []byte{
	"zlib": func(b []byte) []byte {
		var o bytes.Buffer
		w := zlib.NewWriter(&o)
		w.Write(b)
		w.Close()
		return o.Bytes()
	},
	"joblib-zf": func(b []byte) []byte {
		var o bytes.Buffer
		o.WriteString("ZF")
		o.WriteString(fmt.Sprintf("%-19s", fmt.Sprintf("0x%x", len(b))))
		w := zlib.NewWriter(&o)
		w.Write(b)
		w.Close()
		return o.Bytes()
	},
	"lz4": func(b []byte) []byte {
		var o bytes.Buffer
		w := lz4.NewWriter(&o)
		w.Write(b)
		w.Close()
		return o.Bytes()
	},
	"zstd": func(b []byte) []byte {
		w, _ := zstd.NewWriter(nil)
		defer w.Close()
		return w.EncodeAll(b, nil)
	},
	"lzma": func(b []byte) []byte {
		var o bytes.Buffer
		w, _ := lzma.NewWriter(&o)
		w.Write(b)
		w.Close()
		return o.Bytes()
	},
}

// TestCompressedPickles: a pickle that calls os.system is found inside
// each compression joblib writes; a benign one inside each is clean; text
// that merely starts like a zlib header is text.
func TestCompressedPickles(t *testing.T) {
	evil := []byte("\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.")
	benign := []byte("\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s.")
	dir := t.TempDir()
	s := newTestScanner(t)
	for kind, pack := range compressions {
		for _, c := range []struct {
			name string
			data []byte
			want string
		}{{"evil", evil, Critical}, {"benign", benign, "none"}} {
			p := filepath.Join(dir, kind+"-"+c.name+".joblib")
			os.WriteFile(p, pack(c.data), 0o644)
			f := s.ScanFile(context.Background(), p)
			if f.Error != "" || highest(f) != c.want || f.Format != kind {
				t.Errorf("%s %s: format %s, highest %s, error %q; want %s", kind, c.name, f.Format, highest(f), f.Error, c.want)
			}
		}
	}
	p := filepath.Join(dir, "notes.txt")
	os.WriteFile(p, []byte("x^2 + y^2 = r^2 is the circle the model was trained on\n"), 0o644)
	if f := s.ScanFile(context.Background(), p); f.Format == "zlib" || f.Error != "" {
		t.Errorf("text starting x^: format %s, error %q", f.Format, f.Error)
	}
}

// FuzzWrappers: whatever the bytes behind a compression's magic, the
// scanner answers (findings or an error), never panics.
func FuzzWrappers(f *testing.F) {
	for _, pack := range compressions {
		f.Add(pack([]byte("\x80\x02cos\nsystem\nq\x00.")))
	}
	s := New(Options{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "f.joblib")
		os.WriteFile(p, b, 0o644)
		s.ScanFile(context.Background(), p)
	})
}
