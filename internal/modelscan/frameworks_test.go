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

// tfOpCases are the TensorFlow operations that reach outside the model,
// by the severity their effect gets: each is looked for in a binary graph.
var tfOpCases = map[string][]string{
	Critical: {"PyFunc", "EagerPyFunc", "PyFuncStateless", "WriteFile", "DatasetToTFRecord", "ExperimentalDatasetToTFRecord",
		"SaveDataset", "SaveDatasetV2", "SnapshotDataset", "SnapshotDatasetV2", "DistributedSave", "CreateSummaryFileWriter",
		"CreateSummaryDbWriter", "WriteSummary", "WriteScalarSummary", "WriteHistogramSummary", "WriteAudioSummary",
		"WriteImageSummary", "WriteRawProtoSummary", "WriteGraphSummary", "ImportEvent", "FileSystemSetConfiguration"},
	High: {"ReadFile", "MatchingFiles", "WholeFileReader", "WholeFileReaderV2", "TextLineReader", "TextLineReaderV2",
		"TFRecordReader", "TFRecordReaderV2", "FixedLengthRecordReader", "FixedLengthRecordReaderV2", "LMDBReader",
		"TFRecordDataset", "TFRecordDatasetV2", "TextLineDataset", "FixedLengthRecordDataset", "FixedLengthRecordDatasetV2",
		"LoadDataset", "SnapshotDatasetReader", "SnapshotNestedDatasetReader", "SnapshotChunkDataset", "ImmutableConst",
		"MatchingFilesDataset", "ExperimentalMatchingFilesDataset", "CSVDataset", "CSVDatasetV2", "ExperimentalCSVDataset",
		"SqlDataset", "ExperimentalSqlDataset", "LMDBDataset", "ExperimentalLMDBDataset", "LoadAndRemapMatrix",
		"GenerateVocabRemapping", "Skipgram", "DebugIdentity", "DebugIdentityV2", "DebugIdentityV3", "DebugNanCount",
		"DebugNumericSummary", "DebugNumericSummaryV2", "RemoteCall", "GcsConfigureCredentials", "DataServiceDataset",
		"DataServiceDatasetV2", "DataServiceDatasetV3", "DataServiceDatasetV4", "RegisterDataset", "RegisterDatasetV2",
		"Rpc", "TryRpc", "RpcClient", "RpcCall", "RpcServer", "RpcServerStart"},
}

// TestTensorFlowOps: every operation above is reported with its severity,
// and every op the scanner lists has a case here; the checkpoint and math
// ops every SavedModel carries are clean; a text SavedModel is read the
// same way; proto ops are reported only with a descriptor file.
func TestTensorFlowOps(t *testing.T) {
	var cases []scanCase
	listed := map[string]bool{}
	for sev, ops := range tfOpCases {
		for _, op := range ops {
			listed[op] = true
			cases = append(cases, scanCase{op + "/saved_model.pb", savedModel("MatMul", op), sev, "tensorflow.op." + op})
		}
	}
	for op := range tfOps {
		if !listed[op] {
			t.Errorf("tfOps lists %s, which has no case in tfOpCases", op)
		}
	}
	descriptor := func(src string) []byte {
		attr := append(pbMsg(1, []byte("descriptor_source")), pbMsg(2, pbMsg(2, []byte(src)))...)
		return append(savedModel("DecodeProtoV2"), pbMsg(5, attr)...)
	}
	asset := func(name string) []byte {
		def := append(pbMsg(1, pbMsg(1, []byte("Const:0"))), pbMsg(2, []byte(name))...)
		return append([]byte{0x08, 0x01}, pbMsg(2, pbMsg(6, def))...)
	}
	assetText := func(name string) []byte {
		return []byte("meta_graphs {\n asset_file_def {\n  tensor_info {\n   name: \"Const:0\"\n  }\n  filename: \"" + name + "\"\n }\n}\n")
	}
	cases = append(cases,
		scanCase{"asset-up/saved_model.pb", asset("../../../../etc/passwd"), High, "tensorflow.asset-traversal"},
		scanCase{"asset-ok/saved_model.pb", asset("vocab.txt"), "none", ""},
		scanCase{"asset-up.pbtxt", assetText("/etc/shadow"), High, "tensorflow.asset-traversal"},
		scanCase{"asset-ok.pbtxt", assetText("vocab.txt"), "none", ""},
		scanCase{"clean/saved_model.pb", savedModel("MatMul", "SaveV2", "RestoreV2", "DecodeProtoV2", "Print"), "none", ""},
		scanCase{"proto-local/saved_model.pb", descriptor("local://"), "none", ""},
		scanCase{"proto-file/saved_model.pb", descriptor("/etc/passwd"), High, "tensorflow.op.DecodeProtoV2"},
		scanCase{"saved_model.pbtxt", []byte("meta_graphs {\n graph_def {\n node {\n name: \"p\"\n op: \"PrintV2\"\n attr { key: \"output_stream\" value { s: \"file:///tmp/out\" } }\n }\n node { op: \"PyFunc\" }\n }\n}\n"), Critical, "tensorflow.op.PyFunc"},
		scanCase{"print.pbtxt", []byte("meta_graphs {\n graph_def {\n node {\n op: \"PrintV2\"\n attr { key: \"output_stream\" value { s: \"file:///tmp/out\" } }\n }\n }\n}\n"), High, "tensorflow.print-to-file"},
		scanCase{"rpc.pbtxt", []byte("meta_graphs {\n graph_def {\n library {\n function {\n node_def {\n op: \"RpcClient\"\n }\n }\n }\n }\n}\n"), High, "tensorflow.op.RpcClient"},
		scanCase{"proto.pbtxt", []byte("meta_graphs {\n graph_def {\n node {\n op: \"DecodeProtoV2\"\n attr {\n key: \"descriptor_source\"\n value { s: \"/tmp/evil.desc\" }\n }\n }\n }\n}\n"), High, "tensorflow.op.DecodeProtoV2"},
		scanCase{"clean.pbtxt", []byte("meta_graphs {\n graph_def {\n node {\n op: \"MatMul\"\n }\n }\n}\n"), "none", ""},
	)
	checkScans(t, cases)
}

// TestTFAPIEffect: TensorFlow's Python functions by path, as TFOpLambda
// layers and configs name them.
func TestTFAPIEffect(t *testing.T) {
	for path, want := range map[string]Effect{
		"io.write_file": EffectFileWrite, "tf.io.gfile.GFile": EffectFileWrite, "compat.v1.py_func": EffectExec,
		"raw_ops.ReadFile": EffectFileRead, "raw_ops.MatMul": "", "math.add": "", "__operators__.add": "",
		"python.ops.script_ops.py_func": EffectExec, "data.experimental.service.distribute": EffectNetwork,
		"summary.create_file_writer": EffectFileWrite, "iota": "",
	} {
		if got, _ := tfAPIEffect(path); got != want {
			t.Errorf("tfAPIEffect(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestSavedModelTooBig: a graph past the read limit is an error, never
// clean, and what was read is still judged.
func TestSavedModelTooBig(t *testing.T) {
	defer func(n int) { maxSavedModel = n }(maxSavedModel)
	maxSavedModel = 64
	dir := t.TempDir()
	p := filepath.Join(dir, "saved_model.pb")
	os.WriteFile(p, append(savedModel("PyFunc"), make([]byte, 100)...), 0o644)
	f := newTestScanner(t).ScanFile(context.Background(), p)
	if f.Error == "" || highest(f) != Critical {
		t.Errorf("oversized graph: error %q, highest %s; want an error and the PyFunc found", f.Error, highest(f))
	}
}

// tflite is a TFLite flatbuffer's start and the custom operator codes.
func tflite(codes ...string) []byte {
	b := []byte{0x1c, 0, 0, 0, 'T', 'F', 'L', '3'}
	b = append(b, make([]byte, 24)...)
	for _, c := range codes {
		b = append(b, byte(len(c)), 0, 0, 0)
		b = append(b, c...)
		b = append(b, 0, 0, 0, 0)
	}
	return b
}

// TestTFLite: Select TF ops run through the Flex delegate are judged by
// effect; TFLite's usual custom ops are clean.
func TestTFLite(t *testing.T) {
	checkScans(t, []scanCase{
		{"read.tflite", tflite("FlexReadFile"), High, "tensorflow.op.ReadFile"},
		{"write.tflite", tflite("FlexMatMul", "FlexWriteFile"), Critical, "tensorflow.op.WriteFile"},
		{"pyfunc.tflite", tflite("FlexEagerPyFunc"), Critical, "tensorflow.op.EagerPyFunc"},
		{"detect.tflite", tflite("TFLite_Detection_PostProcess", "FlexMatMul"), "none", ""},
	})
}

// TestTorchScriptOps: file operators called from TorchScript code are
// found in a TorchScript archive's code; ordinary code is clean.
func TestTorchScriptOps(t *testing.T) {
	code := func(body string) []byte {
		return fixturesZip("archive/code/__torch__/model.py", []byte("class Model(Module):\n  def forward(self: __torch__.Model, x: Tensor) -> Tensor:\n    "+body+"\n    return x\n"))
	}
	checkScans(t, []scanCase{
		{"write.pt", code(`_0 = ops.image.write_file("/home/user/.bashrc", x)`), Critical, "torchscript.op"},
		{"read.pt", code(`data = ops.image.read_file("/etc/shadow")`), High, "torchscript.op"},
		{"relu.pt", code(`x = torch.relu(x)`), "none", ""},
	})
}
