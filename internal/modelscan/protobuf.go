package modelscan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
)

// looksProtobuf reports content that starts like an ONNX model or a
// TensorFlow SavedModel: field 1 as a varint (ir_version or schema
// version), then another field.
func looksProtobuf(head []byte) bool {
	if len(head) < 4 || head[0] != 0x08 {
		return false
	}
	i := 1
	for i < len(head) && head[i]&0x80 != 0 {
		i++
	}
	i++
	if i >= len(head) {
		return false
	}
	f, w := head[i]>>3, head[i]&7
	return f >= 1 && f <= 20 && (w == 0 || w == 2)
}

// scanProtobuf handles ONNX models and TensorFlow SavedModels.
func (fs *fileScan) scanProtobuf(member, name string, r *bufio.Reader, size int64) string {
	head, _ := r.Peek(64)
	if path.Base(name) == "saved_model.pb" || bytes.HasPrefix(head, []byte{0x08, 0x01, 0x12}) {
		fs.scanSavedModel(member, r, size)
		return "tensorflow"
	}
	if fs.scanONNX(member, r) {
		return "onnx"
	}
	return "protobuf"
}

// scanSavedModel looks for the TensorFlow operations that read and write
// files or run Python in a SavedModel's graph, and Lambda layers in its
// Keras metadata.
func (fs *fileScan) scanSavedModel(member string, r *bufio.Reader, size int64) {
	b, ok := fs.readWhole(member, "tensorflow graph", r, size)
	if !ok {
		return
	}
	for _, a := range savedModelAssets(b) {
		fs.reportAsset(member, a)
	}
	for _, op := range graphOps(b) {
		fs.reportTFOp(member, op, tfOps[op])
	}
	for _, src := range descriptorSources(b) {
		fs.reportDescriptor(member, src)
	}
	if bytes.Contains(b, []byte("\x12\x07PrintV2")) && bytes.Contains(b, []byte("file://")) && printToFile.Match(b) {
		fs.reportPrintToFile(member, string(printToFile.Find(b)))
	}
	if bytes.Contains(b, []byte("grpc://")) && bytes.Contains(b, []byte("debug_urls")) {
		fs.reportDebugURL(member)
	}
	// tf_keras keeps each layer's config as JSON in the object graph.
	fs.kerasJSON(member, b)
}

// readWhole reads a model that is judged whole (a TensorFlow graph, a
// TFLite flatbuffer), up to maxSavedModel bytes: past it, the rest is not
// read and the file is an error, never clean; what was read is judged.
func (fs *fileScan) readWhole(member, what string, r io.Reader, size int64) ([]byte, bool) {
	b, err := readUpTo(r, size, int64(maxSavedModel)+1)
	if err != nil {
		fs.fail(member, err)
		return nil, false
	}
	if len(b) > maxSavedModel {
		fs.fail(member, fmt.Errorf("%s larger than %d bytes", what, maxSavedModel))
		b = b[:maxSavedModel]
	}
	return b, true
}

// readUpTo reads r to its end or to limit bytes, in one allocation when
// size (the expected length, -1 if unknown) is right.
func readUpTo(r io.Reader, size, limit int64) ([]byte, error) {
	b := make([]byte, min(max(size, 0)+1, limit))
	n, err := io.ReadFull(r, b)
	b = b[:n]
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return b, nil
	case err != nil:
		return b, err
	}
	rest, err := io.ReadAll(io.LimitReader(r, limit-int64(n)))
	return append(b, rest...), err
}

// graphOps are the listed operations a binary graph uses, in one pass:
// NodeDef.op is field 2, tag 0x12 then the length, in the graph and in
// every function's node_def alike.
func graphOps(b []byte) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; ; i++ {
		j := bytes.IndexByte(b[i:], 0x12)
		if j < 0 {
			break
		}
		i += j
		if i+2 >= len(b) || b[i+1] == 0 || b[i+1] > 40 || i+2+int(b[i+1]) > len(b) {
			continue
		}
		name := b[i+2 : i+2+int(b[i+1])]
		if _, ok := tfOps[string(name)]; ok && !seen[string(name)] {
			seen[string(name)] = true
			out = append(out, string(name))
		}
	}
	sort.Strings(out)
	return out
}

// maxSavedModel bounds the graph read into memory (protobuf caps a
// message at 2 GiB; real graphs are megabytes). A variable for tests.
var maxSavedModel = 1 << 30

// savedModelAssets lists the asset file names of a binary SavedModel:
// SavedModel.meta_graphs (2), MetaGraphDef.asset_file_def (6),
// AssetFileDef.filename (2).
func savedModelAssets(b []byte) []string {
	var out []string
	p := &pbReader{r: bufio.NewReader(bytes.NewReader(b))}
	p.message(-1, 0, func(f, w int, n int64, d int) (bool, error) {
		if f != 2 || w != 2 {
			return false, nil
		}
		return true, p.message(n, d+1, func(f, w int, n int64, d int) (bool, error) {
			if f != 6 || w != 2 {
				return false, nil
			}
			return true, p.message(n, d+1, func(f, w int, n int64, d int) (bool, error) {
				if f != 2 || w != 2 || len(out) >= 1024 {
					return false, nil
				}
				s, err := p.str(n)
				out = append(out, s)
				return true, err
			})
		})
	})
	return out
}

// pbReader reads protobuf wire format from a stream, bounded.
type pbReader struct {
	r   *bufio.Reader
	pos int64
}

var errPB = errors.New("malformed protobuf")

func (p *pbReader) varint() (uint64, error) {
	var x uint64
	for s := 0; s < 64; s += 7 {
		b, err := p.r.ReadByte()
		if err != nil {
			return 0, err
		}
		p.pos++
		x |= uint64(b&0x7f) << s
		if b < 0x80 {
			return x, nil
		}
	}
	return 0, errPB
}

func (p *pbReader) skip(n int64) error {
	for n > 0 {
		k := min(n, 1<<30)
		d, err := p.r.Discard(int(k))
		p.pos += int64(d)
		if err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func (p *pbReader) str(n int64) (string, error) {
	if n > 1<<20 {
		return "", p.skip(n)
	}
	b := make([]byte, n)
	_, err := io.ReadFull(p.r, b)
	p.pos += int64(len(b))
	return string(b), err
}

// message reads fields until n bytes are consumed (n < 0: until the end
// of the stream), calling fn for each; fn returns true when it consumed a
// length-delimited field's bytes itself, otherwise they are skipped.
func (p *pbReader) message(n int64, depth int, fn func(field, wire int, n int64, depth int) (bool, error)) error {
	if depth > 64 {
		return errors.New("protobuf nested too deep")
	}
	end := p.pos + n
	for n < 0 || p.pos < end {
		tag, err := p.varint()
		if err != nil {
			if n < 0 && err == io.EOF {
				return nil
			}
			return err
		}
		field, wire := int(tag>>3), int(tag&7)
		switch wire {
		case 0:
			if _, err := p.varint(); err != nil {
				return err
			}
		case 1:
			if err := p.skip(8); err != nil {
				return err
			}
		case 5:
			if err := p.skip(4); err != nil {
				return err
			}
		case 2:
			l, err := p.varint()
			if err != nil {
				return err
			}
			if l > 1<<40 || n >= 0 && p.pos+int64(l) > end {
				return errPB
			}
			start := p.pos
			used, err := fn(field, wire, int64(l), depth)
			if err != nil {
				return err
			}
			if !used {
				if err := p.skip(int64(l)); err != nil {
					return err
				}
			} else if p.pos != start+int64(l) {
				return errPB
			}
		default:
			return errPB
		}
	}
	if n >= 0 && p.pos != end {
		return errPB
	}
	return nil
}
