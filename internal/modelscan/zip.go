package modelscan

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// zipEntry is one member of a zip archive as PyTorch's reader sees it:
// names from the central directory, data found through the local header,
// flags, CRCs and encryption bits ignored (CVE-2025-1945, CVE-2025-10156:
// Python's zipfile refuses such members, PyTorch loads them).
type zipEntry struct {
	Name      string
	LocalName string // the name in the local header, when it differs (CVE-2025-1944)
	Method    uint16
	Flags     uint16
	CompSize  uint64
	Size      uint64
	CRC       uint32
	dataOff   int64
}

const (
	maxZipEntries = 1 << 20
	eocdSig       = 0x06054b50
	cdSig         = 0x02014b50
	localSig      = 0x04034b50
)

// findEOCD returns the offset of the end-of-central-directory record, or
// -1: it is within the last 64 KiB and a comment of the file.
func findEOCD(r io.ReaderAt, size int64) (int64, error) {
	n := min(size, 22+65535)
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return -1, err
	}
	for i := len(buf) - 22; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == eocdSig {
			return size - n + int64(i), nil
		}
	}
	return -1, nil
}

// readZip lists a zip's members from its central directory (zip64
// included). Entries that point outside the file are errors.
func readZip(r io.ReaderAt, size int64) ([]zipEntry, error) {
	eocd, err := findEOCD(r, size)
	if err != nil {
		return nil, err
	}
	if eocd < 0 {
		return nil, errors.New("zip: no end of central directory")
	}
	var e [22]byte
	if _, err := r.ReadAt(e[:], eocd); err != nil {
		return nil, err
	}
	count := uint64(binary.LittleEndian.Uint16(e[10:]))
	cdSize := uint64(binary.LittleEndian.Uint32(e[12:]))
	cdOff := uint64(binary.LittleEndian.Uint32(e[16:]))
	// end is where the central directory ends: the EOCD record, or with
	// zip64 the zip64 record that precedes its locator. Writers put a
	// zip64 record in archives that do not need one (PyTorch's always
	// does), with the EOCD's fields filled in: the record is used whenever
	// its locator is there.
	end := eocd
	flagged := cdOff == 0xffffffff || count == 0xffff || cdSize == 0xffffffff
	var loc [20]byte
	hasLocator := eocd >= 20
	if hasLocator {
		_, err := r.ReadAt(loc[:], eocd-20)
		hasLocator = err == nil && binary.LittleEndian.Uint32(loc[:]) == 0x07064b50
	}
	switch {
	case hasLocator:
		// The locator gives the record's offset from the archive's start;
		// in a file with a prefix (a polyglot) the record is found where
		// it must be, right before the locator.
		rec, err := zip64Record(r, size, int64(binary.LittleEndian.Uint64(loc[8:])), eocd-20)
		if err != nil {
			return nil, err
		}
		var z [56]byte
		if _, err := r.ReadAt(z[:], rec); err != nil {
			return nil, err
		}
		count = binary.LittleEndian.Uint64(z[32:])
		cdSize = binary.LittleEndian.Uint64(z[40:])
		cdOff = binary.LittleEndian.Uint64(z[48:])
		end = rec
	case flagged && eocd < 20:
		return nil, errors.New("zip64: no locator")
	case flagged:
		return nil, errors.New("zip64: bad locator")
	}
	// A polyglot or a zip with a prefix (a pickle before it): the central
	// directory offset is relative to the archive's start, which the end
	// of the directory tells.
	base := int64(0)
	if cdOff+cdSize < uint64(end) && end-int64(cdSize) >= 0 && int64(cdOff) != end-int64(cdSize) {
		base = end - int64(cdSize) - int64(cdOff)
	}
	if count > maxZipEntries {
		return nil, fmt.Errorf("zip: %d entries, more than %d", count, maxZipEntries)
	}
	if int64(cdOff)+base < 0 || int64(cdOff)+base+int64(cdSize) > size {
		return nil, errors.New("zip: central directory out of range")
	}
	cd := io.NewSectionReader(r, int64(cdOff)+base, int64(cdSize))
	var out []zipEntry
	var h [46]byte
	for i := uint64(0); i < count; i++ {
		if _, err := io.ReadFull(cd, h[:]); err != nil {
			return out, fmt.Errorf("zip: central directory entry %d: %w", i, err)
		}
		if binary.LittleEndian.Uint32(h[:]) != cdSig {
			return out, fmt.Errorf("zip: central directory entry %d: bad signature", i)
		}
		ze := zipEntry{Flags: binary.LittleEndian.Uint16(h[8:]), Method: binary.LittleEndian.Uint16(h[10:]),
			CRC: binary.LittleEndian.Uint32(h[16:]), CompSize: uint64(binary.LittleEndian.Uint32(h[20:])),
			Size: uint64(binary.LittleEndian.Uint32(h[24:]))}
		nl, xl, cl := int(binary.LittleEndian.Uint16(h[28:])), int(binary.LittleEndian.Uint16(h[30:])), int(binary.LittleEndian.Uint16(h[32:]))
		local := uint64(binary.LittleEndian.Uint32(h[42:]))
		rest := make([]byte, nl+xl+cl)
		if _, err := io.ReadFull(cd, rest); err != nil {
			return out, fmt.Errorf("zip: central directory entry %d: %w", i, err)
		}
		ze.Name = string(rest[:nl])
		zip64Extra(rest[nl:nl+xl], &ze.Size, &ze.CompSize, &local)
		if err := ze.locate(r, size, int64(local)+base); err != nil {
			return out, fmt.Errorf("zip: %s: %w", ze.Name, err)
		}
		out = append(out, ze)
	}
	return out, nil
}

// zip64Record finds the zip64 end record: at the locator's offset, or,
// in an archive with a prefix, ending where the locator starts.
func zip64Record(r io.ReaderAt, size, off, locator int64) (int64, error) {
	sig := func(at int64) bool {
		var b [12]byte
		if at < 0 || at+56 > size {
			return false
		}
		_, err := r.ReadAt(b[:], at)
		return err == nil && binary.LittleEndian.Uint32(b[:]) == 0x06064b50
	}
	if sig(off) {
		return off, nil
	}
	// The record is 56 bytes plus extensible data: look back for it.
	for at := locator - 56; at >= max(0, locator-56-1024); at-- {
		if sig(at) {
			var b [12]byte
			r.ReadAt(b[:], at) //nolint:errcheck // read by sig
			if int64(binary.LittleEndian.Uint64(b[4:]))+12 == locator-at {
				return at, nil
			}
		}
	}
	return 0, errors.New("zip64: no end record")
}

// zip64Extra reads the zip64 extended information field, whose values
// replace the 0xffffffff placeholders in order.
func zip64Extra(x []byte, size, comp, local *uint64) {
	for len(x) >= 4 {
		id, n := binary.LittleEndian.Uint16(x), int(binary.LittleEndian.Uint16(x[2:]))
		if 4+n > len(x) {
			return
		}
		d := x[4 : 4+n]
		if id == 1 {
			for _, p := range []*uint64{size, comp, local} {
				if *p == 0xffffffff && len(d) >= 8 {
					*p = binary.LittleEndian.Uint64(d)
					d = d[8:]
				}
			}
		}
		x = x[4+n:]
	}
}

// locate reads the local header to find where the data starts.
func (ze *zipEntry) locate(r io.ReaderAt, size, off int64) error {
	var h [30]byte
	if off < 0 || off+30 > size {
		return errors.New("local header out of range")
	}
	if _, err := r.ReadAt(h[:], off); err != nil {
		return err
	}
	if binary.LittleEndian.Uint32(h[:]) != localSig {
		return errors.New("bad local header signature")
	}
	nl, xl := int64(binary.LittleEndian.Uint16(h[26:])), int64(binary.LittleEndian.Uint16(h[28:]))
	name := make([]byte, nl)
	if _, err := r.ReadAt(name, off+30); err != nil {
		return err
	}
	if string(name) != ze.Name {
		ze.LocalName = string(name)
	}
	ze.dataOff = off + 30 + nl + xl
	if ze.dataOff+int64(ze.CompSize) > size || int64(ze.CompSize) < 0 {
		return errors.New("data out of range")
	}
	return nil
}

// open returns the member's bytes, decompressed, whatever its flags say.
func (ze *zipEntry) open(r io.ReaderAt) (io.Reader, error) {
	raw := io.NewSectionReader(r, ze.dataOff, int64(ze.CompSize))
	switch ze.Method {
	case 0:
		return raw, nil
	case 8:
		return flate.NewReader(raw), nil
	}
	return nil, fmt.Errorf("compression method %d not supported", ze.Method)
}

// looksZip reports a zip signature at the start of head.
func looksZip(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")) ||
		bytes.HasPrefix(head, []byte("PK\x07\x08PK\x03\x04"))
}
