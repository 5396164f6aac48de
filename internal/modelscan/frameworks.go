package modelscan

import (
	"fmt"
	"regexp"
	"strings"
)

// tfOps are the TensorFlow operations that reach outside the model when
// a graph runs (in the graph or inside its functions), by effect. The
// checkpoint ops every SavedModel carries for saving itself (SaveV2,
// RestoreV2) are not listed: they write only where the caller says.
var tfOps = map[string]Effect{
	"PyFunc": EffectExec, "EagerPyFunc": EffectExec, "PyFuncStateless": EffectExec,
	"WriteFile": EffectFileWrite, "DatasetToTFRecord": EffectFileWrite, "CreateSummaryFileWriter": EffectFileWrite,
	"CreateSummaryDbWriter": EffectFileWrite, "WriteSummary": EffectFileWrite, "WriteScalarSummary": EffectFileWrite,
	"WriteTextSummary": EffectFileWrite, "WriteHistogramSummary": EffectFileWrite, "WriteAudioSummary": EffectFileWrite,
	"WriteImageSummary": EffectFileWrite, "WriteRawProtoSummary": EffectFileWrite, "SaveDataset": EffectFileWrite,
	"ReadFile": EffectFileRead, "MatchingFiles": EffectFileRead, "WholeFileReader": EffectFileRead, "WholeFileReaderV2": EffectFileRead,
	"TextLineReader": EffectFileRead, "TextLineReaderV2": EffectFileRead, "TFRecordReader": EffectFileRead, "TFRecordReaderV2": EffectFileRead,
	"FixedLengthRecordReader": EffectFileRead, "FixedLengthRecordReaderV2": EffectFileRead, "TFRecordDataset": EffectFileRead,
	"TFRecordDatasetV2": EffectFileRead, "TextLineDataset": EffectFileRead, "FixedLengthRecordDataset": EffectFileRead,
	"FixedLengthRecordDatasetV2": EffectFileRead, "LoadDataset": EffectFileRead, "ImmutableConst": EffectFileRead,
	"DebugIdentity": EffectNetwork, "DebugIdentityV2": EffectNetwork, "DebugIdentityV3": EffectNetwork,
	"DebugNanCount": EffectNetwork, "DebugNumericSummary": EffectNetwork, "DebugNumericSummaryV2": EffectNetwork,
	"RemoteCall": EffectNetwork, // runs a function on another task's device
}

// tfOpSeverity keeps the severities TensorFlow ops had before the effect
// model where they were higher (none), and reads file ops as high: a graph
// that reads a file the caller did not name is exfiltration's first half.
func tfOpSeverity(e Effect) string { return severityOf(e) }

// reportTFOp reports one operation found in a graph.
func (fs *fileScan) reportTFOp(member, op string, e Effect) {
	fs.add(tfOpSeverity(e), "tensorflow.op."+op, member, fmt.Sprintf("the graph uses the %s operation (%s): it reaches outside the model when the graph runs", op, e), recReview)
}

// printToFile finds PrintV2 writing to a file rather than a log stream.
var printToFile = regexp.MustCompile(`file://[^\s"']+`)

// textOp is an op in a SavedModel in text form (saved_model.pbtxt).
var textOp = regexp.MustCompile(`\bop:\s*"(\w+)"`)

// scanTextGraph reads a text-format SavedModel's operations.
func (fs *fileScan) scanTextGraph(member, text string) {
	seen := map[string]bool{}
	for _, m := range textOp.FindAllStringSubmatch(text, -1) {
		if e, ok := tfOps[m[1]]; ok && !seen[m[1]] {
			seen[m[1]] = true
			fs.reportTFOp(member, m[1], e)
		}
	}
	if strings.Contains(text, `"PrintV2"`) && printToFile.MatchString(text) {
		fs.add(High, "tensorflow.print-to-file", member, "PrintV2 writes to "+printToFile.FindString(text)+": a graph that prints to a file writes wherever it names", recReview)
	}
	if strings.Contains(text, "grpc://") && strings.Contains(text, "debug_urls") {
		fs.add(High, "tensorflow.debug-url", member, "a debug op sends tensors to a remote debug server (debug_urls grpc://)", recReview)
	}
}

// kerasLayers are Keras 3 layers that load, fetch or run something when
// the model is built.
var kerasLayers = map[string]struct {
	severity, rule, detail string
}{
	"TFSMLayer":          {High, "keras.loads-savedmodel", "a TFSMLayer loads a TensorFlow SavedModel from a path when the model is built, and runs its graph"},
	"TorchModuleWrapper": {Critical, "keras.torch-module", "a TorchModuleWrapper holds a serialised PyTorch module, unpickled with torch.load when the model is loaded"},
}

// kerasLayer checks one layer config: the layers above, and paths or URLs
// the layer reads or fetches (vocabularies, files, SavedModels).
func (fs *fileScan) kerasLayer(member string, t map[string]any) {
	cn, _ := t["class_name"].(string)
	if l, ok := kerasLayers[cn]; ok {
		fs.add(l.severity, l.rule, member, l.detail, recReview)
	}
	cfg, _ := t["config"].(map[string]any)
	for _, key := range []string{"vocabulary", "filepath", "path", "origin", "url", "file_path"} {
		v, ok := cfg[key].(string)
		if !ok || v == "" {
			continue
		}
		switch {
		case strings.Contains(v, "://"):
			fs.add(High, "keras.fetches", member, fmt.Sprintf("layer %s %s is %q: the loader fetches it over the network", cn, key, v), recReview)
		case unsafeLocation(v):
			fs.add(High, "keras.reads-file", member, fmt.Sprintf("layer %s %s is %q: the loader reads a file outside the model", cn, key, v), recReview)
		case key == "vocabulary":
			fs.add(Medium, "keras.reads-file", member, fmt.Sprintf("layer %s reads its vocabulary from the file %q when the model is loaded", cn, v), recReview)
		}
	}
}

// onnxPythonOps are ONNX operators that run Python (onnxruntime-extensions'
// PyOp and its kin).
var onnxPythonOps = map[string]bool{"PyOp": true, "PythonOp": true, "PyFunc": true}
