package modelscan

import (
	"bufio"
	"bytes"
	"context"
	"testing"

	"github.com/wardenhq/warden/internal/modelscan/fixtures"
)

// FuzzScan feeds arbitrary bytes (seeded with every fixture) to the whole
// scanner through an in-memory file: no panic, and every finding and error
// is well formed. It covers the zip, tar, gzip, xz, 7z, numpy, safetensors,
// GGUF, protobuf, Keras and pickle readers.
func FuzzScan(f *testing.F) {
	for _, fx := range fixtures.All() {
		f.Add(fx.Data)
	}
	s := New(Options{MaxExpand: 64 << 20})
	f.Fuzz(func(t *testing.T, b []byte) {
		fs := &fileScan{s: s, ctx: context.Background(), f: File{Findings: []Finding{}}, budget: 64 << 20}
		fs.f.Format = fs.scanAt("", "fuzz.bin", bytes.NewReader(b), int64(len(b)), 0)
		for _, x := range fs.f.Findings {
			if rank(x.Severity) == 0 || x.Rule == "" || x.Detail == "" || x.Recommendation == "" {
				t.Fatalf("malformed finding %+v", x)
			}
		}
	})
}

// Each parser on its own, so fuzzing reaches deep into it rather than
// spending its time on sniffing: no panic, findings well formed.

func fuzzFileScan(t *testing.T, run func(fs *fileScan)) {
	fs := &fileScan{s: New(Options{MaxExpand: 64 << 20}), ctx: context.Background(), f: File{Findings: []Finding{}}, budget: 64 << 20}
	run(fs)
	for _, x := range fs.f.Findings {
		if rank(x.Severity) == 0 || x.Rule == "" || x.Detail == "" || x.Recommendation == "" {
			t.Fatalf("malformed finding %+v", x)
		}
	}
}

func FuzzZip(f *testing.F) {
	f.Add(fixturesZip("archive/data.pkl", []byte("\x80\x02}.")))
	f.Add(fixtures.WithZip64End(fixturesZip("a", []byte("b"))))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := readZip(bytes.NewReader(b), int64(len(b)))
		if err == nil {
			for _, e := range es {
				if e.dataOff < 0 || e.dataOff > int64(len(b)) {
					t.Fatalf("entry %q data at %d, file of %d", e.Name, e.dataOff, len(b))
				}
			}
		}
	})
}

func FuzzKerasJSON(f *testing.F) {
	f.Add([]byte(layer("TFSMLayer", `{"filepath": "/x"}`)))
	f.Add(hdf5(0, `{"class_name": "Functional", "config": {"layers": [`+tfOpLambda("io.write_file")+`]}}`))
	f.Add(kerasMetadata(`{"name": "l", "class_name": "Lambda", "config": {}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzFileScan(t, func(fs *fileScan) { fs.kerasJSON("x", b) })
		fuzzFileScan(t, func(fs *fileScan) { fs.scanHDF5("x", bufio.NewReader(bytes.NewReader(b))) })
	})
}

func FuzzONNX(f *testing.F) {
	f.Add(onnxModel("PyOp"))
	f.Add(onnxWith([][]byte{onnxNode("AzureTextToText", "com.microsoft.extensions", [2]string{"model_uri", "https://x"})}, onnxNode("PyOp", "")))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzFileScan(t, func(fs *fileScan) { fs.scanONNX("x", bufio.NewReader(bytes.NewReader(b))) })
	})
}

func FuzzTensorFlow(f *testing.F) {
	f.Add(savedModel("MatMul", "ReadFile"))
	f.Add(tflite("FlexReadFile", "TFLite_Detection_PostProcess"))
	f.Add([]byte("meta_graphs {\n graph_def {\n node {\n op: \"DecodeProtoV2\"\n attr {\n key: \"descriptor_source\"\n value { s: \"/x\" }\n }\n }\n }\n}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzFileScan(t, func(fs *fileScan) { fs.scanSavedModel("x", bufio.NewReader(bytes.NewReader(b)), int64(len(b))) })
		fuzzFileScan(t, func(fs *fileScan) { fs.scanTextGraph("x", string(b)) })
		fuzzFileScan(t, func(fs *fileScan) { fs.scanTFLite("x", bufio.NewReader(bytes.NewReader(b)), int64(len(b))) })
	})
}

func FuzzTensorFormats(f *testing.F) {
	f.Add(npy("{'descr': [('x', '<f4'), ('meta', '|O')], 'fortran_order': False, 'shape': (1,), }", nil))
	f.Add(gguf(2, 2, 2, 2, 2))
	f.Add(append([]byte{24, 0, 0, 0, 0, 0, 0, 0}, `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`...))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzFileScan(t, func(fs *fileScan) { fs.scanNumpy("x", bufio.NewReader(bytes.NewReader(b))) })
		fuzzFileScan(t, func(fs *fileScan) { fs.scanGGUF("x", bufio.NewReader(bytes.NewReader(b))) })
		fuzzFileScan(t, func(fs *fileScan) { fs.scanSafetensors("x", bufio.NewReader(bytes.NewReader(b)), int64(len(b))) })
	})
}

func FuzzConfigs(f *testing.F) {
	f.Add([]byte("model:\n  _target_: os.system\n"), "model_config.yaml")
	f.Add([]byte(`{"auto_map": {"AutoModel": "evil/repo--modeling.M"}, "trust_remote_code": true}`), "config.json")
	f.Add([]byte("import os\nos.system('id')\n"), "modeling.py")
	f.Fuzz(func(t *testing.T, b []byte, name string) {
		fuzzFileScan(t, func(fs *fileScan) { fs.scanText("x", name, bytes.NewReader(b)) })
	})
}
