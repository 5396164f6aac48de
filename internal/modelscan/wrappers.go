package modelscan

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz/lzma"
)

// The compressions a loader opens without being asked: joblib writes its
// pickles zlib-, LZ4-, LZMA- or zstd-compressed (and, before 0.10, zlib
// behind a "ZF" length header), and loads whichever it finds. Each is
// opened and its content scanned as any other, under the same size,
// depth and ratio limits (limited).

// sniffWrapper names a compression sniff does not know, or "".
func sniffWrapper(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0x04, 0x22, 0x4d, 0x18}):
		return "lz4"
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zstd"
	case len(head) >= 2+joblibZFLen+2 && bytes.HasPrefix(head, []byte("ZF0x")) && isZlibHeader(head[2+joblibZFLen:]):
		return "joblib-zf"
	case isZlibHeader(head):
		return "zlib"
	case isLZMAAlone(head):
		return "lzma"
	}
	return ""
}

// joblibZFLen is the width of the old joblib header's hex length field.
const joblibZFLen = 19

// isZlibHeader reports a zlib stream header: deflate with a window of at
// most 32 KiB, no preset dictionary, and the check bits right; the first
// deflate block must also decode, so text that happens to start "x^" is
// not taken for one.
func isZlibHeader(b []byte) bool {
	if len(b) < 3 || b[0]&0x0f != 8 || b[0]>>4 > 7 || b[1]&0x20 != 0 || (uint16(b[0])<<8|uint16(b[1]))%31 != 0 {
		return false
	}
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return false
	}
	var one [1]byte
	_, err = zr.Read(one[:])
	return err == nil || err == io.EOF || err == io.ErrUnexpectedEOF
}

// isLZMAAlone reports the .lzma ("alone") header: properties within
// range, a dictionary of at least 4 KiB, and an unknown or sane size.
func isLZMAAlone(b []byte) bool {
	if len(b) < 13 || b[0] >= 9*5*5 {
		return false
	}
	dict := binary.LittleEndian.Uint32(b[1:])
	size := binary.LittleEndian.Uint64(b[5:])
	return dict >= 1<<12 && dict <= 1<<30 && dict&(dict-1) == 0 && (size == ^uint64(0) || size < 1<<40)
}

// scanWrapped opens a compression and scans what is inside.
func (fs *fileScan) scanWrapped(member, name, kind string, br *bufio.Reader, depth int) {
	var inner io.Reader
	var err error
	switch kind {
	case "lz4":
		inner = lz4.NewReader(br)
	case "zstd":
		var d *zstd.Decoder
		d, err = zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
		if err == nil {
			defer d.Close()
			inner = d
		}
	case "joblib-zf":
		if _, err = br.Discard(2 + joblibZFLen); err == nil {
			inner, err = zlib.NewReader(br)
		}
	case "zlib":
		inner, err = zlib.NewReader(br)
	case "lzma":
		inner, err = lzma.NewReader(br)
	}
	if err != nil {
		fs.fail(member, fmt.Errorf("%s: %w", kind, err))
		return
	}
	in := strings.TrimSuffix(strings.TrimSuffix(name, ".z"), "."+kind)
	fs.scanStream(join(member, in), in, &limited{inner, fs}, -1, depth+1)
}
