//go:build !linux

package journal

import "os"

// reserve sets the file's size; where fallocate is not available the
// blocks are not claimed ahead.
func reserve(f *os.File, n int64) error {
	st, err := f.Stat()
	if err != nil || st.Size() >= n {
		return err
	}
	return f.Truncate(n)
}
