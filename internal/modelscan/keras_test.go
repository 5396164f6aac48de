package modelscan

import (
	"bytes"
	"testing"
)

// hdf5 is a legacy Keras HDF5 file: the signature, pad bytes of weights,
// then each config as the model_config attribute would hold it.
func hdf5(pad int, configs ...string) []byte {
	b := []byte("\x89HDF\r\n\x1a\n" + string(make([]byte, 504)))
	b = append(b, make([]byte, pad)...)
	for _, c := range configs {
		b = append(append(b, c...), 0, 0, 0, 0)
	}
	return b
}

// kerasMetadata is a tf_keras keras_metadata.pb: one SavedObject per
// layer, each with its config as a JSON string.
func kerasMetadata(layers ...string) []byte {
	var b []byte
	for _, l := range layers {
		obj := pbMsg(5, []byte(l)) // metadata
		b = append(b, pbMsg(1, obj)...)
	}
	return b
}

// pbMsg is one length-delimited protobuf field.
func pbMsg(field int, data []byte) []byte {
	b := uvarint(nil, uint64(field<<3|2))
	return append(uvarint(b, uint64(len(data))), data...)
}

func uvarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

func fn(module, name string) string {
	return `{"module": "` + module + `", "class_name": "function", "config": "` + name + `", "registered_name": "function"}`
}

func tfOpLambda(function string) string {
	return `{"class_name": "TFOpLambda", "config": {"name": "tf.` + function + `", "trainable": true, "function": "` + function + `"}}`
}

// TestKerasRules: every Keras layer, config entry and function that
// loads, fetches, wraps or runs code, in each form Keras reads a config
// from (Keras 3 .keras, legacy HDF5, tf_keras SavedModel metadata), each
// beside a benign twin.
func TestKerasRules(t *testing.T) {
	dense := `{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": 4, "activation": "relu"}}]}}`
	checkScans(t, []scanCase{
		// Layers that load, fetch or wrap.
		{"tfsm.keras", kerasArchive(layer("TFSMLayer", `{"filepath": "exported/serving"}`)), High, "keras.loads-savedmodel"},
		{"torch.keras", kerasArchive(layer("TorchModuleWrapper", `{"module": "gASV..."}`)), Critical, "keras.torch-module"},
		{"jax.keras", kerasArchive(layer("JaxLayer", `{"call_fn": `+fn("os", "system")+`}`)), Critical, "keras.dangerous-module"},
		{"jax-ok.keras", kerasArchive(layer("JaxLayer", `{"call_fn": `+fn("keras.src.activations.activations", "relu")+`}`)), "none", ""},
		{"lambda.keras", kerasArchive(layer("Lambda", `{"function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}}`)), High, "keras.lambda"},
		// Paths and URLs layers read: vocabularies, merges, protos.
		{"vocab-url.keras", kerasArchive(layer("TextVectorization", `{"vocabulary": "https://evil.example/vocab.txt"}`)), High, "keras.fetches"},
		{"vocab-etc.keras", kerasArchive(layer("StringLookup", `{"vocabulary": "/etc/passwd"}`)), High, "keras.reads-file"},
		{"vocab-file.keras", kerasArchive(layer("StringLookup", `{"vocabulary": "vocab.txt"}`)), Medium, "keras.reads-file"},
		{"vocab-list.keras", kerasArchive(layer("StringLookup", `{"vocabulary": ["a", "b"]}`)), "none", ""},
		{"bpe-merges.keras", kerasArchive(layer("BytePairTokenizer", `{"vocabulary": {"a": 0}, "merges": "../../home/user/.ssh/id_rsa"}`)), High, "keras.reads-file"},
		{"spm-proto.keras", kerasArchive(layer("SentencePieceTokenizer", `{"proto": "gs://bucket/spm.model"}`)), High, "keras.fetches"},
		{"spm-none.keras", kerasArchive(layer("SentencePieceTokenizer", `{"proto": null, "sequence_length": 128}`)), "none", ""},
		{"weights-url.keras", kerasArchive(layer("Dense", `{"units": 4, "weights_url": "https://evil.example/w.h5"}`)), High, "keras.fetches"},
		// Functions a config names, under any of Keras's module paths.
		{"getfile.keras", kerasArchive(`{"module": "keras.utils", "class_name": "function", "config": "get_file", "registered_name": "function", "function_name": "get_file"}`), Critical, "keras.dangerous-module"},
		{"getfile-src.keras", kerasArchive(fn("keras.src.utils.file_utils", "get_file")), Critical, "keras.dangerous-module"},
		{"funcload.keras", kerasArchive(fn("keras.src.utils.python_utils", "func_load")), Critical, "keras.dangerous-module"},
		{"loadmodel.keras", kerasArchive(fn("tf_keras.src.saving.saving_api", "load_model")), Critical, "keras.dangerous-module"},
		{"loadweights.keras", kerasArchive(fn("keras.src.models.model", "load_weights")), High, "keras.dangerous-module"},
		{"tf-write.keras", kerasArchive(fn("tensorflow.io", "write_file")), Critical, "keras.dangerous-module"},
		{"tf-pyfunc.keras", kerasArchive(fn("tensorflow.python.ops.script_ops", "py_func")), Critical, "keras.dangerous-module"},
		{"tf-add.keras", kerasArchive(fn("tensorflow.math", "add")), "none", ""},
		{"relu.keras", kerasArchive(fn("keras.activations", "relu")), "none", ""},
		{"dense.keras", kerasArchive(layer("Dense", `{"units": 4}`)), "none", ""},
		// Legacy HDF5: the whole model config is read, wherever it sits.
		{"tfop-write.h5", hdf5(0, `{"class_name": "Functional", "config": {"layers": [`+tfOpLambda("io.write_file")+`]}}`), Critical, "keras.tf-function"},
		{"tfop-pyfunc.h5", hdf5(0, `{"class_name": "Functional", "config": {"layers": [`+tfOpLambda("compat.v1.py_func")+`]}}`), Critical, "keras.tf-function"},
		{"tfop-read.h5", hdf5(0, `{"class_name": "Functional", "config": {"layers": [`+tfOpLambda("raw_ops.ReadFile")+`]}}`), High, "keras.tf-function"},
		{"tfop-math.h5", hdf5(0, `{"class_name": "Functional", "config": {"layers": [`+tfOpLambda("math.add")+`, `+tfOpLambda("__operators__.add")+`]}}`), "none", ""},
		{"lambda.h5", hdf5(0, `{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {"function": ["4wEAAAAA", null, null], "function_type": "lambda"}}]}}`), Critical, "keras.lambda"},
		{"cut-lambda.h5", hdf5(0, `{"class_name": "Adam", "config": {}}`, `{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {"function": ["4wEA"`), Critical, "keras.lambda"},
		{"late.h5", hdf5(20<<20, dense, `{"class_name": "Sequential", "config": {"layers": [`+tfOpLambda("io.gfile.GFile")+`]}}`), Critical, "keras.tf-function"},
		{"module.h5", hdf5(0, `{"class_name": "Sequential", "config": {"layers": [{"module": "subprocess", "class_name": "function", "config": "getoutput"}]}}`), Critical, "keras.dangerous-module"},
		{"dense.h5", hdf5(1<<20, dense), "none", ""},
		// tf_keras SavedModel metadata, on its own and in saved_model.pb.
		{"m1/keras_metadata.pb", kerasMetadata(`{"name": "dense", "class_name": "Dense", "config": {"units": 4}}`, `{"name": "tf.io.write_file", "class_name": "TFOpLambda", "config": {"function": "io.write_file"}}`), Critical, "keras.tf-function"},
		{"m2/keras_metadata.pb", kerasMetadata(`{"name": "dense", "class_name": "Dense", "config": {"units": 4}}`), "none", ""},
		{"m3/saved_model.pb", append(savedModel("MatMul"), kerasMetadata(`{"name": "l", "class_name": "Lambda", "config": {"function": ["4wEA", null, null]}}`)...), Critical, "keras.lambda"},
	})
}

// TestKerasJSONBounded: configs that never close are read within a
// budget, and a file whose configs are not all read is an error, never
// clean; broken JSON before a config is skipped.
func TestKerasJSONBounded(t *testing.T) {
	s := newTestScanner(t)
	fs := &fileScan{s: s, f: File{Findings: []Finding{}}}
	b := append(bytes.Repeat([]byte(`{"name": {"name": `), 10000), `{"class_name": "Lambda", "config": {}}`...)
	if fs.kerasJSON("x", b); fs.f.Error == "" {
		t.Errorf("kerasJSON on 20,000 unterminated objects then a config: no error, findings %v", fs.f.Findings)
	}
	fs = &fileScan{s: s, f: File{Findings: []Finding{}}}
	if !fs.kerasJSON("x", append([]byte(`{"class_name": "Lambda"`), `{"class_name": "Lambda", "config": {}}`...)) || len(fs.f.Findings) != 1 || fs.f.Error != "" {
		t.Errorf("kerasJSON after a broken object: findings %v (error %q), want one keras.lambda", fs.f.Findings, fs.f.Error)
	}
}
