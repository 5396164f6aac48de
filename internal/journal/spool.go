package journal

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"

	"github.com/wardenhq/warden/internal/alert"
)

// Spool is an append-only file of alert batches the store could not take.
// Each record is a header (magic, payload length, CRC-32C of the payload)
// and a JSON payload; a record is acknowledged only after it is synced. A
// record torn by a crash was never acknowledged: Open cuts it off, so the
// next append starts on a clean boundary.
//
// The file's first Reserve bytes are allocated on disk when it is opened
// (where the system can), and the records are written into them: a full
// disk, which stops the store, does not stop the spool. Past the valid
// records the file holds zeros, which end a read.
type Spool struct {
	mu   sync.Mutex
	f    *os.File
	path string
	size int64
	n    int
}

// Reserve is the space the spool claims on disk ahead of need.
var Reserve int64 = 32 << 20

// Batch is one spooled record: a key that makes replay idempotent, and the
// alerts.
type Batch struct {
	Key    string        `json:"key"`
	Alerts []alert.Alert `json:"alerts"`
}

const (
	recMagic  = 0x5744534c // "WDSL"
	headerLen = 12
	// maxRecord bounds one record, so a corrupt length cannot make the
	// reader allocate gigabytes.
	maxRecord = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// OpenSpool opens (creating) the spool at path and cuts any torn record
// off its end.
func OpenSpool(path string) (*Spool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spool{f: f, path: path}
	bs, valid, err := s.read()
	if err != nil {
		f.Close()
		return nil, err
	}
	s.size, s.n = valid, len(bs)
	// Zero what follows the valid records (a torn record, or records of
	// an earlier cycle), then claim the reserve.
	if err := s.zeroFrom(valid); err != nil {
		f.Close()
		return nil, err
	}
	if err := reserve(f, Reserve); err != nil {
		f.Close()
		return nil, fmt.Errorf("spool: reserve %d bytes: %w", Reserve, err)
	}
	return s, nil
}

// zeroFrom zeroes the file from off to its end (within the reserve, so
// the blocks stay allocated) and cuts anything beyond the reserve.
func (s *Spool) zeroFrom(off int64) error {
	st, err := s.f.Stat()
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	end := st.Size()
	if end > max(Reserve, off) {
		if err := s.f.Truncate(max(Reserve, off)); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		end = max(Reserve, off)
	}
	zeros := make([]byte, 64<<10)
	for at := off; at < end; at += int64(len(zeros)) {
		n := min(int64(len(zeros)), end-at)
		if _, err := s.f.WriteAt(zeros[:n], at); err != nil {
			return fmt.Errorf("spool: clear: %w", err)
		}
	}
	return s.f.Sync()
}

// Append writes one batch and syncs it to disk.
func (s *Spool) Append(b Batch) error {
	payload, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("spool: encode: %w", err)
	}
	if len(payload) > maxRecord {
		return fmt.Errorf("spool: batch of %d bytes exceeds %d", len(payload), maxRecord)
	}
	rec := make([]byte, headerLen, headerLen+len(payload))
	binary.LittleEndian.PutUint32(rec, recMagic)
	binary.LittleEndian.PutUint32(rec[4:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(rec[8:], crc32.Checksum(payload, castagnoli))
	rec = append(rec, payload...)
	s.mu.Lock()
	defer s.mu.Unlock()
	// A zero header after the record ends a read there, even where an
	// earlier, longer cycle left bytes behind.
	if _, err := s.f.WriteAt(append(rec, make([]byte, headerLen)...), s.size); err != nil {
		// A partial write is no record: the next one overwrites it.
		return fmt.Errorf("spool: write: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("spool: sync: %w", err)
	}
	s.size += int64(len(rec))
	s.n++
	return nil
}

// Batches returns every record in the spool, oldest first.
func (s *Spool) Batches() ([]Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bs, _, err := s.read()
	return bs, err
}

// Reset empties the spool, once its batches are in the store: the records
// are zeroed in place, keeping the reserve allocated.
func (s *Spool) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.zeroFrom(0); err != nil {
		return err
	}
	s.size, s.n = 0, 0
	return nil
}

// Size returns the spool's bytes and records waiting for the store.
func (s *Spool) Size() (bytes int64, records int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size, s.n
}

// Close closes the file.
func (s *Spool) Close() error { return s.f.Close() }

// read parses the file from the start and returns its records and the
// length of the valid prefix.
func (s *Spool) read() ([]Batch, int64, error) {
	return Parse(bufio.NewReader(io.NewSectionReader(s.f, 0, 1<<62)))
}

// Parse reads spool records from r until the end or the first record that
// is torn or corrupt, and returns them with the length of the valid prefix.
func Parse(r io.Reader) ([]Batch, int64, error) {
	var out []Batch
	var valid int64
	hdr := make([]byte, headerLen)
	for {
		if _, err := io.ReadFull(r, hdr); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return out, valid, nil
			}
			return out, valid, fmt.Errorf("spool: read: %w", err)
		}
		n := binary.LittleEndian.Uint32(hdr[4:])
		if binary.LittleEndian.Uint32(hdr) != recMagic || n > maxRecord {
			return out, valid, nil
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return out, valid, nil
		}
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(hdr[8:]) {
			return out, valid, nil
		}
		var b Batch
		if err := json.Unmarshal(payload, &b); err != nil {
			return out, valid, nil
		}
		out = append(out, b)
		valid += int64(headerLen) + int64(n)
	}
}
