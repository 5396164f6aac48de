package modelscan

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/ulikunitz/xz"

	"github.com/wardenhq/warden/internal/pickle"
)

const (
	headSize    = 4096
	memSpool    = 64 << 20 // nested archives up to this size are held in memory, larger ones in a temporary file
	maxText     = 16 << 20 // text read for secrets
	maxSigBytes = 64 << 20 // pickles scanned for payload strings
)

var eicar = []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`)

// sniff names the format of content by its first bytes.
func sniff(head []byte, size int64) string {
	switch {
	case looksZip(head):
		return "zip"
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "gzip"
	case bytes.HasPrefix(head, []byte("BZh")):
		return "bzip2"
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return "xz"
	case bytes.HasPrefix(head, []byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}):
		return "7z"
	case len(head) > 262 && string(head[257:262]) == "ustar":
		return "tar"
	case bytes.HasPrefix(head, []byte("\x93NUMPY")):
		return "numpy"
	case bytes.HasPrefix(head, []byte("GGUF")):
		return "gguf"
	case bytes.HasPrefix(head, []byte("\x89HDF\r\n\x1a\n")):
		return "hdf5"
	case len(head) >= 8 && string(head[4:8]) == "TFL3":
		return "tflite"
	case len(head) >= 10 && head[8] == '{' && (head[9] == '"' || head[9] == '}' || head[9] == ' ' || head[9] == '\n') &&
		binary.LittleEndian.Uint64(head) > 1 && (size < 0 || binary.LittleEndian.Uint64(head) <= uint64(size) || binary.LittleEndian.Uint64(head) > 100<<20):
		// A header longer than the file is reported as such when it is
		// also past the 100 MB any loader accepts.
		return "safetensors"
	case len(head) >= 2 && head[0] == 0x80 && head[1] <= 5:
		return "pickle"
	}
	return ""
}

// scanAt scans content with random access (a file, or a stored member of an
// archive on disk) and returns its format.
func (fs *fileScan) scanAt(member, name string, r io.ReaderAt, size int64, depth int) string {
	head := make([]byte, min(size, headSize))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		fs.fail(member, err)
		return "unknown"
	}
	format := sniff(head, size)
	if format == "" || format == "pickle" {
		// A zip after a pickle (a polyglot): torch unpickles the prefix,
		// zip readers see the archive.
		if eocd, _ := findEOCD(r, size); eocd > 0 && size > 0 {
			if format == "" && looksPickle(head) || format == "pickle" {
				fs.add(High, "file.polyglot", member, "the file is a pickle and a zip archive at once: loaders disagree on what it is, a known way around scanners that read only zip members", recReview)
				fs.scanPickleStream(member, io.NewSectionReader(r, 0, size), true)
				fs.scanZip(member, r, size, depth)
				return "pickle+zip"
			}
		}
	}
	switch format {
	case "numpy", "gguf", "hdf5", "tflite", "safetensors", "gzip", "bzip2", "xz", "7z", "":
		// A tensor format, a compressed stream or anything else (ONNX,
		// text) with a zip behind it: one loader reads the file, another
		// the archive. Both are scanned.
		if eocd, _ := findEOCD(r, size); eocd > 0 {
			if es, err := readZip(r, size); err == nil && len(es) > 0 {
				what := format
				if what == "" {
					what = "protobuf, text or data"
				}
				fs.add(High, "file.polyglot", member, "the file is "+what+" and a zip archive at once: loaders disagree on what it is, and a scanner that reads one misses the other", recReview)
				fs.scanStream(member, name, io.NewSectionReader(r, 0, size), size, depth)
				fs.scanZip(member, r, size, depth)
				return format + "+zip"
			}
		}
	}
	if format == "zip" {
		fs.checkExtension(member, name, "zip")
		return fs.scanZip(member, r, size, depth)
	}
	return fs.scanStream(member, name, io.NewSectionReader(r, 0, size), size, depth)
}

// scanStream scans content read once from start to end.
func (fs *fileScan) scanStream(member, name string, r io.Reader, size int64, depth int) string {
	if depth > fs.s.o.MaxDepth {
		fs.fail(member, fmt.Errorf("nested deeper than %d archives", fs.s.o.MaxDepth))
		return "unknown"
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(headSize)
	if bytes.Contains(head, eicar) {
		fs.add(Critical, "malware.eicar", member, "the EICAR anti-virus test signature", recMalware)
	}
	format := sniff(head, size)
	fs.checkExtension(member, name, format)
	switch format {
	case "zip":
		fs.spoolAndScanZip(member, br, size, depth)
	case "gzip":
		zr, err := gzip.NewReader(br)
		if err != nil {
			fs.fail(member, fmt.Errorf("gzip: %w", err))
			break
		}
		zr.Multistream(true)
		inner := strings.TrimSuffix(name, ".gz")
		fs.scanStream(join(member, inner), inner, &limited{zr, fs}, -1, depth+1)
	case "bzip2":
		inner := strings.TrimSuffix(name, ".bz2")
		fs.scanStream(join(member, inner), inner, &limited{bzip2.NewReader(br), fs}, -1, depth+1)
	case "xz":
		zr, err := xz.NewReader(br)
		if err != nil {
			fs.fail(member, fmt.Errorf("xz: %w", err))
			break
		}
		inner := strings.TrimSuffix(name, ".xz")
		fs.scanStream(join(member, inner), inner, &limited{zr, fs}, -1, depth+1)
	case "7z":
		fs.spoolAnd7z(member, br, size, depth)
	case "tar":
		if ra, ok := r.(io.ReaderAt); ok && size >= 0 {
			// On disk (a file, or a stored member of one): members are
			// read where they lie, a zip inside without a copy.
			fs.scanTarAt(member, ra, size, depth)
			break
		}
		fs.scanTar(member, br, depth)
	case "numpy":
		fs.scanNumpy(member, br)
	case "gguf":
		fs.scanGGUF(member, br)
	case "hdf5":
		fs.scanHDF5(member, br)
	case "tflite":
		fs.scanTFLite(member, br, size)
	case "safetensors":
		fs.scanSafetensors(member, br, size)
	case "pickle":
		fs.scanPickleStream(member, br, false)
	default:
		if w := sniffWrapper(head); w != "" {
			fs.scanWrapped(member, name, w, br, depth)
			return w
		}
		return fs.scanOther(member, name, br, head, size)
	}
	return format
}

// looksPickle reports content that starts like a protocol 0 or 1 pickle
// (no PROTO opcode): a global, a mark or a container, then more opcodes.
func looksPickle(head []byte) bool {
	if len(head) < 2 {
		return false
	}
	switch head[0] {
	case 'c', '(', ']', '}', ')', 'I', 'S', 'V', 'N', 'K', 'J', 'X', 'U':
	default:
		return false
	}
	r := pickle.Scan(bytes.NewReader(head), pickle.Limits{MaxOps: 2000})
	return r.Ops >= 3 && (r.Pickles > 0 || len(r.Globals) > 0)
}

// scanOther handles content no signature names: protocol 0/1 pickles,
// ONNX and TensorFlow protobufs, text (for secrets), or tensor data.
func (fs *fileScan) scanOther(member, name string, br *bufio.Reader, head []byte, size int64) string {
	switch {
	case path.Base(name) == "keras_metadata.pb":
		b, err := io.ReadAll(io.LimitReader(br, maxText+1))
		switch {
		case err != nil:
			fs.fail(member, err)
		case len(b) > maxText:
			fs.fail(member, fmt.Errorf("keras: metadata larger than %d bytes", maxText))
		}
		fs.kerasJSON(member, b)
		return "keras"
	case looksPickle(head):
		fs.checkExtension(member, name, "pickle")
		fs.scanPickleStream(member, br, false)
		return "pickle"
	case looksProtobuf(head):
		return fs.scanProtobuf(member, name, br, size)
	case looksText(head):
		return fs.scanText(member, name, br)
	}
	return "data"
}

// spoolAndScanZip gives a zip that arrived as a stream the random access
// its central directory needs: in memory when small, in a temporary file
// otherwise.
func (fs *fileScan) spoolAndScanZip(member string, r io.Reader, size int64, depth int) {
	ra, n, done, err := fs.spool(r)
	if err != nil {
		fs.fail(member, err)
		return
	}
	defer done()
	fs.scanZip(member, ra, n, depth)
}

func (fs *fileScan) spool(r io.Reader) (io.ReaderAt, int64, func(), error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, memSpool)
	if err != nil && err != io.EOF {
		return nil, 0, nil, err
	}
	if n < memSpool {
		return bytes.NewReader(buf.Bytes()), n, func() {}, nil
	}
	tf, err := os.CreateTemp("", "warden-models-*")
	if err != nil {
		return nil, 0, nil, err
	}
	done := func() { tf.Close(); os.Remove(tf.Name()) }
	if _, err := tf.Write(buf.Bytes()); err != nil {
		done()
		return nil, 0, nil, err
	}
	m, err := io.Copy(tf, r)
	if err != nil {
		done()
		return nil, 0, nil, err
	}
	return tf, n + m, done, nil
}

// scanZip scans every member of a zip. PyTorch checkpoints keep their
// tensors in members named data/N: those are skipped after a look at their
// first bytes, never parsed.
func (fs *fileScan) scanZip(member string, r io.ReaderAt, size int64, depth int) string {
	entries, err := readZip(r, size)
	if err != nil {
		fs.fail(member, err)
	}
	format := "zip"
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name] = true
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name, "data.pkl") {
			format = "pytorch"
		}
		if strings.HasSuffix(e.Name, "constants.pkl") || strings.Contains(e.Name, "/code/") {
			format = "torchscript"
		}
	}
	if names["config.json"] && (names["metadata.json"] || names["model.weights.h5"]) {
		format = "keras"
	}
	if format == "zip" && len(entries) > 0 && allNumpy(entries) {
		format = "npz"
	}
	for _, e := range entries {
		m := join(member, e.Name)
		if e.LocalName != "" {
			fs.add(High, "zip.name-mismatch", m, fmt.Sprintf("the local header names the member %q, the central directory %q: readers disagree on what is inside", e.LocalName, e.Name), recReview)
		}
		if e.Flags&0x61 != 0 {
			fs.add(Medium, "zip.flags", m, fmt.Sprintf("general-purpose flags %#x (encryption or patched data bits) that make Python's zipfile refuse the member while PyTorch loads it", e.Flags), recReview)
		}
		if strings.Contains(e.Name, "..") || strings.HasPrefix(e.Name, "/") {
			fs.add(High, "zip.path-traversal", m, "the member's name leaves the archive's directory", recReview)
		}
		if strings.HasSuffix(e.Name, "/") {
			continue
		}
		if format == "keras" && e.Name == "config.json" {
			fs.scanKerasConfig(m, e, r)
		}
		rd, err := e.open(r)
		if err != nil {
			fs.fail(m, err)
			continue
		}
		if isTensorData(e.Name) {
			// Look at the first bytes only: a tensor is not parsed, but a
			// pickle or an archive hidden under a tensor's name is.
			head := make([]byte, min(int64(headSize), int64(e.Size)))
			n, _ := io.ReadFull(rd, head)
			head = head[:n]
			if sniff(head, int64(e.Size)) == "" && !looksPickle(head) {
				if bytes.Contains(head, eicar) {
					fs.add(Critical, "malware.eicar", m, "the EICAR anti-virus test signature", recMalware)
				}
				continue
			}
			rd, _ = e.open(r)
		}
		if e.Method == 0 {
			fs.scanAt(m, e.Name, io.NewSectionReader(r, e.dataOff, int64(e.CompSize)), int64(e.CompSize), depth+1)
			continue
		}
		fs.scanStream(m, e.Name, &limited{rd, fs}, int64(e.Size), depth+1)
	}
	return format
}

var tensorName = regexp.MustCompile(`(^|/)data/\d+$`)

// isTensorData reports PyTorch's tensor storage members.
func isTensorData(name string) bool { return tensorName.MatchString(name) }

func allNumpy(es []zipEntry) bool {
	for _, e := range es {
		if !strings.HasSuffix(e.Name, ".npy") {
			return false
		}
	}
	return true
}

// scanTar scans every regular member of a tar archive (PyTorch's legacy
// tar layout keeps its pickles in members named pickle, storages, tensors).
func (fs *fileScan) scanTar(member string, r io.Reader, depth int) {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			fs.fail(member, fmt.Errorf("tar: %w", err))
			return
		}
		if !fs.tarMember(join(member, h.Name), h) {
			continue
		}
		fs.scanStream(join(member, h.Name), h.Name, tr, h.Size, depth+1)
	}
}

// tarMember reports names and links that leave the archive, and whether
// h is a regular file to scan.
func (fs *fileScan) tarMember(m string, h *tar.Header) bool {
	if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
		if (h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink) && (strings.Contains(h.Linkname, "..") || strings.HasPrefix(h.Linkname, "/")) {
			fs.add(High, "tar.link-traversal", m, "a link points outside the archive: "+h.Linkname, recReview)
		}
		return false
	}
	if strings.Contains(h.Name, "..") || strings.HasPrefix(h.Name, "/") {
		fs.add(High, "tar.path-traversal", m, "the member's name leaves the archive's directory", recReview)
	}
	return true
}

// offsetReader reads a section from its start and says where it is; it
// seeks, so a tar reader skips members' data instead of reading it.
type offsetReader struct {
	*io.SectionReader
	pos int64
}

func (o *offsetReader) Read(p []byte) (int, error) {
	n, err := o.SectionReader.Read(p)
	o.pos += int64(n)
	return n, err
}

func (o *offsetReader) Seek(off int64, whence int) (int64, error) {
	n, err := o.SectionReader.Seek(off, whence)
	if err == nil {
		o.pos = n
	}
	return n, err
}

// scanTarAt scans a tar archive with random access: each regular member
// is scanned in place (a zip member through its central directory, with
// no copy), and the tar reader seeks past what is not read.
func (fs *fileScan) scanTarAt(member string, r io.ReaderAt, size int64, depth int) {
	or := &offsetReader{SectionReader: io.NewSectionReader(r, 0, size)}
	tr := tar.NewReader(or)
	var regions [][2]int64 // members' data
	defer func() { fs.tarZipPolyglot(member, r, size, depth, regions) }()
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			fs.fail(member, fmt.Errorf("tar: %w", err))
			return
		}
		m := join(member, h.Name)
		if !fs.tarMember(m, h) {
			continue
		}
		if h.Size < 0 || or.pos+h.Size > size {
			fs.fail(m, errors.New("tar: member runs past the end of the archive"))
			return
		}
		if depth+1 > fs.s.o.MaxDepth {
			fs.fail(m, fmt.Errorf("nested deeper than %d archives", fs.s.o.MaxDepth))
			continue
		}
		regions = append(regions, [2]int64{or.pos, or.pos + h.Size})
		fs.scanAt(m, h.Name, io.NewSectionReader(r, or.pos, h.Size), h.Size, depth+1)
	}
}

// tarZipPolyglot finds a zip whose end record lies outside every member
// of a tar: not a zip inside the tar (scanned as a member) but one laid
// over or after it. PyTorch reads the tar (its legacy format) while zip
// readers (np.load, scanners) read the zip: both are scanned.
func (fs *fileScan) tarZipPolyglot(member string, r io.ReaderAt, size int64, depth int, regions [][2]int64) {
	eocd, _ := findEOCD(r, size)
	if eocd <= 0 {
		return
	}
	for _, g := range regions {
		if eocd >= g[0] && eocd < g[1] {
			return
		}
	}
	if es, err := readZip(r, size); err != nil || len(es) == 0 {
		return
	}
	fs.add(High, "file.polyglot", member, "the file is a tar archive and a zip archive at once: PyTorch loads the tar, zip readers the zip, and a scanner that reads one misses the other", recReview)
	fs.scanZip(member, r, size, depth)
}

// checkExtension reports a name that claims one format for content of
// another, the way a PyTorch zip named .safetensors slips past scanners
// that trust names.
func (fs *fileScan) checkExtension(member, name, format string) {
	claims := map[string]string{".safetensors": "safetensors", ".npy": "numpy", ".gguf": "gguf", ".h5": "hdf5",
		".hdf5": "hdf5", ".keras": "zip", ".npz": "zip", ".onnx": "onnx"}
	want, ok := claims[ext(name)]
	if !ok || format == "" || format == want || format == "data" {
		return
	}
	if format == "pickle" || format == "zip" && want == "safetensors" {
		fs.add(High, "file.disguised", member, fmt.Sprintf("named %s but holds %s", ext(name), format), recReview)
	}
}
