package modelscan

import (
	"fmt"
	"io"

	"github.com/bodgit/sevenzip"
)

// spoolAnd7z scans every member of a 7z archive (nullifAI wrapped PyTorch
// files in 7z to slip past zip-only scanners).
func (fs *fileScan) spoolAnd7z(member string, r io.Reader, size int64, depth int) {
	ra, n, done, err := fs.spool(r)
	if err != nil {
		fs.fail(member, err)
		return
	}
	defer done()
	z, err := sevenzip.NewReader(ra, n)
	if err != nil {
		fs.fail(member, fmt.Errorf("7z: %w", err))
		return
	}
	for _, f := range z.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			fs.fail(join(member, f.Name), fmt.Errorf("7z: %w", err))
			continue
		}
		fs.scanStream(join(member, f.Name), f.Name, &limited{rc, fs}, int64(f.UncompressedSize), depth+1)
		rc.Close()
	}
}
