package journal

import (
	"os"

	"golang.org/x/sys/unix"
)

// reserve allocates the file's first n bytes on disk without changing
// what they hold (zeros where nothing was written).
func reserve(f *os.File, n int64) error {
	err := unix.Fallocate(int(f.Fd()), 0, 0, n)
	if err == unix.EOPNOTSUPP {
		return f.Truncate(max(n, 0)) // no allocation here; the size at least
	}
	return err
}
