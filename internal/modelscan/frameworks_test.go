package modelscan

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

func kerasArchive(config string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range map[string]string{"metadata.json": `{"keras_version": "3.5.0"}`, "config.json": config, "model.weights.h5": "\x89HDF\r\n\x1a\n"} {
		f, _ := w.Create(name)
		f.Write([]byte(body))
	}
	w.Close()
	return b.Bytes()
}

func layer(class, cfg string) string {
	return `{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "keras.layers", "class_name": "` + class + `", "config": ` + cfg + `}]}}`
}

// savedModel is a binary SavedModel whose graph (and a function) uses op.
func savedModel(ops ...string) []byte {
	b := []byte{0x08, 0x01, 0x12, 0x00}
	for _, op := range ops {
		b = append(b, 0x0a, byte(len(op)+4), 0x0a, 0x01, 'n', 0x12, byte(len(op)))
		b = append(b, op...)
	}
	return b
}

// onnxModel is an ONNX model with one node of op type op.
func onnxModel(op string) []byte {
	node := append([]byte{0x22, byte(len(op))}, op...) // op_type, field 4
	graph := append([]byte{0x0a, byte(len(node))}, node...)
	return append([]byte{0x08, 0x07, 0x3a, byte(len(graph))}, graph...) // ir_version, graph (field 7)
}

// TestFrameworkRules: Keras 3 layers and config entries, TensorFlow ops
// (binary and text SavedModels) and ONNX operators that read, write,
// fetch or run code, each beside a benign twin.
func TestFrameworkRules(t *testing.T) {
	checkScans(t, []scanCase{
		{"tfsm.keras", kerasArchive(layer("TFSMLayer", `{"filepath": "exported/serving"}`)), High, "keras.loads-savedmodel"},
		{"torch.keras", kerasArchive(layer("TorchModuleWrapper", `{"module": "gASV..."}`)), Critical, "keras.torch-module"},
		{"vocab-url.keras", kerasArchive(layer("TextVectorization", `{"vocabulary": "https://evil.example/vocab.txt"}`)), High, "keras.fetches"},
		{"vocab-etc.keras", kerasArchive(layer("StringLookup", `{"vocabulary": "/etc/passwd"}`)), High, "keras.reads-file"},
		{"vocab-list.keras", kerasArchive(layer("StringLookup", `{"vocabulary": ["a", "b"]}`)), "none", ""},
		{"getfile.keras", kerasArchive(`{"module": "keras.utils", "class_name": "function", "config": "get_file", "registered_name": "function", "function_name": "get_file"}`), Critical, "keras.dangerous-module"},
		{"dense.keras", kerasArchive(layer("Dense", `{"units": 4}`)), "none", ""},
		{"saved_model.pb", savedModel("MatMul", "EagerPyFunc"), Critical, "tensorflow.op.EagerPyFunc"},
		{"writer/saved_model.pb", savedModel("WriteFile"), Critical, "tensorflow.op.WriteFile"},
		{"reader/saved_model.pb", savedModel("TFRecordDataset"), High, "tensorflow.op.TFRecordDataset"},
		{"debug/saved_model.pb", savedModel("DebugIdentityV2"), High, "tensorflow.op.DebugIdentityV2"},
		{"remote/saved_model.pb", savedModel("RemoteCall"), High, "tensorflow.op.RemoteCall"},
		{"clean/saved_model.pb", savedModel("MatMul", "SaveV2", "RestoreV2"), "none", ""},
		{"saved_model.pbtxt", []byte("meta_graphs {\n graph_def {\n node {\n name: \"p\"\n op: \"PrintV2\"\n attr { key: \"output_stream\" value { s: \"file:///tmp/out\" } }\n }\n node { op: \"PyFunc\" }\n }\n}\n"), Critical, "tensorflow.op.PyFunc"},
		{"clean.pbtxt", []byte("meta_graphs {\n graph_def {\n node {\n op: \"MatMul\"\n }\n }\n}\n"), "none", ""},
		{"pyop.onnx", onnxModel("PyOp"), Critical, "onnx.python-op"},
		{"relu.onnx", onnxModel("Relu"), "none", ""},
	})
}

// npy is a version 1.0 .npy file with header dict and body.
func npy(dict string, body []byte) []byte {
	h := dict
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := []byte("\x93NUMPY\x01\x00")
	b = append(b, byte(len(h)), byte(len(h)>>8))
	return append(append(b, h...), body...)
}

// TestNumpyStructure: an object field hidden in a structured dtype is
// found (and what follows unpickled and judged); a shape whose size
// overflows is reported; ordinary arrays are clean.
func TestNumpyStructure(t *testing.T) {
	evil := []byte("\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.")
	checkScans(t, []scanCase{
		{"structured.npy", npy("{'descr': [('x', '<f4'), ('meta', '|O')], 'fortran_order': False, 'shape': (1,), }", evil), Critical, "numpy.object-array"},
		{"reordered.npy", npy("{'shape': (1,), 'fortran_order': False, 'descr': [('x', '<f4'), ('y', [('z', 'O')])], }", evil), Critical, "numpy.object-array"},
		{"overflow.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", nil), High, "numpy.shape-overflow"},
		{"plain.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", make([]byte, 16)), "none", ""},
		{"record.npy", npy("{'descr': [('x', '<f4'), ('Oy', '<i8')], 'fortran_order': False, 'shape': (1,), }", make([]byte, 12)), "none", ""},
	})
}

// gguf is a version 3 GGUF file with no metadata and one tensor.
func gguf(dims ...uint64) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("GGUF")
	le(uint32(3))
	le(uint64(1)) // tensors
	le(uint64(0)) // metadata
	le(uint64(1))
	b.WriteString("w")
	le(uint32(len(dims)))
	for _, d := range dims {
		le(d)
	}
	le(uint32(0)) // F32
	le(uint64(0))
	return b.Bytes()
}

// TestGGUFTensorTable: too many dimensions and overflowing element
// counts are reported; an ordinary table is clean.
func TestGGUFTensorTable(t *testing.T) {
	dir := t.TempDir()
	s := newTestScanner(t)
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"dims.gguf":     {gguf(2, 2, 2, 2, 2), High},
		"overflow.gguf": {gguf(1<<32, 1<<32, 16), High},
		"ok.gguf":       {gguf(4096, 4096), "none"},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, c.data, 0o644)
		if f := s.ScanFile(context.Background(), p); highest(f) != c.want || f.Error != "" {
			t.Errorf("%s: %s %+v (error %q), want %s", name, highest(f), f.Findings, f.Error, c.want)
		}
	}
}
