package modelscan

import (
	"bufio"
	"bytes"
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
	"WriteHistogramSummary": EffectFileWrite, "WriteAudioSummary": EffectFileWrite,
	"WriteImageSummary": EffectFileWrite, "WriteRawProtoSummary": EffectFileWrite, "SaveDataset": EffectFileWrite,
	"ReadFile": EffectFileRead, "MatchingFiles": EffectFileRead, "WholeFileReader": EffectFileRead, "WholeFileReaderV2": EffectFileRead,
	"TextLineReader": EffectFileRead, "TextLineReaderV2": EffectFileRead, "TFRecordReader": EffectFileRead, "TFRecordReaderV2": EffectFileRead,
	"FixedLengthRecordReader": EffectFileRead, "FixedLengthRecordReaderV2": EffectFileRead, "TFRecordDataset": EffectFileRead,
	"TFRecordDatasetV2": EffectFileRead, "TextLineDataset": EffectFileRead, "FixedLengthRecordDataset": EffectFileRead,
	"FixedLengthRecordDatasetV2": EffectFileRead, "LoadDataset": EffectFileRead, "ImmutableConst": EffectFileRead,
	"DebugIdentity": EffectNetwork, "DebugIdentityV2": EffectNetwork, "DebugIdentityV3": EffectNetwork,
	"DebugNanCount": EffectNetwork, "DebugNumericSummary": EffectNetwork, "DebugNumericSummaryV2": EffectNetwork,
	"RemoteCall": EffectNetwork, // runs a function on another task's device
	// Datasets and readers over files, databases and record stores.
	"MatchingFilesDataset": EffectFileRead, "ExperimentalMatchingFilesDataset": EffectFileRead, "CSVDataset": EffectFileRead,
	"CSVDatasetV2": EffectFileRead, "ExperimentalCSVDataset": EffectFileRead, "SqlDataset": EffectFileRead,
	"ExperimentalSqlDataset": EffectFileRead, "LMDBDataset": EffectFileRead, "ExperimentalLMDBDataset": EffectFileRead,
	"LMDBReader": EffectFileRead, "SnapshotDatasetReader": EffectFileRead, "SnapshotNestedDatasetReader": EffectFileRead,
	// Ops that read a file named in an attribute or input besides their
	// data (DecodeProtoV2 and EncodeProto only with a descriptor_source
	// file: descriptorSource).
	"LoadAndRemapMatrix": EffectFileRead, "GenerateVocabRemapping": EffectFileRead, "Skipgram": EffectFileRead,
	// Writers: datasets, snapshots, summaries and events.
	"ExperimentalDatasetToTFRecord": EffectFileWrite, "SaveDatasetV2": EffectFileWrite, "SnapshotDataset": EffectFileWrite,
	"SnapshotDatasetV2": EffectFileWrite, "SnapshotChunkDataset": EffectFileRead, "WriteGraphSummary": EffectFileWrite,
	"ImportEvent": EffectFileWrite,
	// Filesystem and cloud credentials the process then uses.
	"FileSystemSetConfiguration": EffectSystem, "GcsConfigureCredentials": EffectNetwork,
	// The tf.data service: elements fetched from, or sent to, remote workers.
	"DataServiceDataset": EffectNetwork, "DataServiceDatasetV2": EffectNetwork, "DataServiceDatasetV3": EffectNetwork,
	"DataServiceDatasetV4": EffectNetwork, "RegisterDataset": EffectNetwork, "RegisterDatasetV2": EffectNetwork,
	"DistributedSave": EffectFileWrite,
	// The TF1 RPC op: a request to any address the graph names.
	"Rpc": EffectNetwork, "TryRpc": EffectNetwork, "RpcClient": EffectNetwork, "RpcCall": EffectNetwork,
	"RpcServer": EffectNetwork, "RpcServerStart": EffectNetwork,
}

// tfAPI are TensorFlow's Python functions, by their path under tf., that
// reach outside the model: tf_keras's TFOpLambda layers call them by that
// path, and configs can name their modules. A path is judged by its
// longest listed prefix; tf.raw_ops.X by the op X.
var tfAPI = map[string]Effect{
	"py_function": EffectExec, "numpy_function": EffectExec, "py_func": EffectExec, "load_op_library": EffectExec,
	"load_library": EffectExec, "experimental.register_filesystem_plugin": EffectExec, "saved_model.load": EffectExec,
	"saved_model.loader": EffectExec, "keras.models.load_model": EffectDeserialize,
	"io.write_file": EffectFileWrite, "write_file": EffectFileWrite, "io.gfile": EffectFileWrite, "gfile": EffectFileWrite,
	"io.write_graph": EffectFileWrite, "train.write_graph": EffectFileWrite, "summary": EffectFileWrite,
	"saved_model.save": EffectFileWrite, "data.Dataset.save": EffectFileWrite, "data.experimental.save": EffectFileWrite,
	"debugging.experimental.enable_dump_debug_info": EffectFileWrite, "keras.utils.get_file": EffectFileWrite,
	"train.Saver": EffectFileWrite, "io.read_file": EffectFileRead, "read_file": EffectFileRead,
	"io.matching_files": EffectFileRead, "matching_files": EffectFileRead, "data.TFRecordDataset": EffectFileRead,
	"data.TextLineDataset": EffectFileRead, "data.FixedLengthRecordDataset": EffectFileRead,
	"data.experimental.CsvDataset": EffectFileRead, "data.experimental.SqlDataset": EffectFileRead,
	"data.experimental.make_csv_dataset": EffectFileRead, "data.experimental.make_batched_features_dataset": EffectFileRead,
	"data.Dataset.list_files": EffectFileRead, "data.Dataset.load": EffectFileRead, "data.experimental.load": EffectFileRead,
	"io.decode_proto": EffectFileRead, "lookup.TextFileInitializer": EffectFileRead,
	"data.experimental.service": EffectNetwork, "distribute.experimental.rpc": EffectNetwork,
	"config.experimental_connect_to_cluster": EffectNetwork, "config.experimental_connect_to_host": EffectNetwork,
	// The same functions by their modules under tensorflow.python.
	"ops.script_ops": EffectExec, "ops.gen_script_ops": EffectExec, "framework.load_library": EffectExec,
	"ops.io_ops": EffectFileRead, "ops.gen_io_ops": EffectFileRead, "ops.io_ops.write_file": EffectFileWrite,
	"ops.gen_io_ops.write_file": EffectFileWrite, "lib.io.file_io": EffectFileWrite, "platform.gfile": EffectFileWrite,
	"ops.summary_ops_v2": EffectFileWrite, "data.ops.readers": EffectFileRead, "data.experimental.ops.readers": EffectFileRead,
}

// tfAPIEffect is what tf.<path> can do, and the listed path that says so.
func tfAPIEffect(path string) (Effect, string) {
	p := path
	for _, pre := range []string{"tf.", "tensorflow.", "compat.v1.", "compat.v2.", "python."} {
		p = strings.TrimPrefix(p, pre)
	}
	if op, ok := strings.CutPrefix(p, "raw_ops."); ok {
		if e, ok := tfOps[op]; ok {
			return e, "raw_ops." + op
		}
		return "", ""
	}
	parts := strings.Split(p, ".")
	for i := len(parts); i > 0; i-- {
		key := strings.Join(parts[:i], ".")
		if e, ok := tfAPI[key]; ok {
			return e, key
		}
	}
	return "", ""
}

// tfOpSeverity keeps the severities TensorFlow ops had before the effect
// model where they were higher (none), and reads file ops as high: a graph
// that reads a file the caller did not name is exfiltration's first half.
func tfOpSeverity(e Effect) string { return severityOf(e) }

// reportTFOp reports one operation found in a graph.
func (fs *fileScan) reportTFOp(member, op string, e Effect) {
	fs.add(tfOpSeverity(e), "tensorflow.op."+op, member, fmt.Sprintf("the graph uses the %s operation (%s): it reaches outside the model when the graph runs", op, e), recReview)
}

// descriptorText finds DecodeProtoV2's and EncodeProto's descriptor
// source in a text graph; descriptorSource reads it from a binary one.
var descriptorText = regexp.MustCompile(`"descriptor_source"\s*value\s*\{\s*s:\s*"([^"]*)"`)

// descriptorSource returns the descriptor sources of a binary graph that
// are files: the attr map entry is the key, then AttrValue (field 2)
// holding s (field 2). "local://" (the default) is the built-in pool.
func descriptorSources(b []byte) []string {
	var out []string
	key := []byte("descriptor_source")
	for i := bytes.Index(b, key); i >= 0 && len(out) < 8; {
		j := i + len(key)
		if j+4 <= len(b) && b[j] == 0x12 && b[j+2] == 0x12 && j+4+int(b[j+3]) <= len(b) {
			if s := string(b[j+4 : j+4+int(b[j+3])]); s != "" && s != "local://" {
				out = append(out, s)
			}
		}
		k := bytes.Index(b[j:], key)
		if k < 0 {
			break
		}
		i = j + k
	}
	return out
}

// reportDescriptor reports a proto op that loads its descriptors from a
// file.
func (fs *fileScan) reportDescriptor(member, src string) {
	fs.add(High, "tensorflow.op.DecodeProtoV2", member, fmt.Sprintf("a proto op reads its descriptors from %q (descriptor_source): the graph reads a file when it runs", src), recReview)
}

// printToFile finds PrintV2 writing to a file rather than a log stream.
var printToFile = regexp.MustCompile(`file://[^\s"']+`)

// assetText is an asset file name in a text SavedModel.
var assetText = regexp.MustCompile(`asset_file_def\s*\{(?:[^{}]|\{[^{}]*\})*?filename:\s*"([^"]*)"`)

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
	for _, m := range descriptorText.FindAllStringSubmatch(text, 8) {
		if m[1] != "" && m[1] != "local://" {
			fs.reportDescriptor(member, m[1])
		}
	}
	if strings.Contains(text, `"PrintV2"`) && printToFile.MatchString(text) {
		fs.reportPrintToFile(member, printToFile.FindString(text))
	}
	for _, m := range assetText.FindAllStringSubmatch(text, 64) {
		fs.reportAsset(member, m[1])
	}
	if strings.Contains(text, "grpc://") && strings.Contains(text, "debug_urls") {
		fs.reportDebugURL(member)
	}
}

// The findings a graph gives, binary or text alike.

// reportAsset reports an asset file named outside the assets directory.
func (fs *fileScan) reportAsset(member, name string) {
	if unsafeLocation(name) {
		fs.add(High, "tensorflow.asset-traversal", member, fmt.Sprintf("an asset file %q leaves the model's assets directory: the loader reads it (a vocabulary table, an initialiser) from elsewhere", name), recReview)
	}
}

// reportPrintToFile reports PrintV2 writing to target, a file URL.
func (fs *fileScan) reportPrintToFile(member, target string) {
	fs.add(High, "tensorflow.print-to-file", member, "PrintV2 writes to "+target+": a graph that prints to a file writes wherever it names", recReview)
}

// reportDebugURL reports debug ops sending tensors to a remote server.
func (fs *fileScan) reportDebugURL(member string) {
	fs.add(High, "tensorflow.debug-url", member, "a debug op sends tensors to a remote debug server (debug_urls grpc://)", recReview)
}

// scanTFLite finds TensorFlow ops a TFLite model runs through the Flex
// delegate (Select TF ops): custom operator codes named "Flex" and the
// op, judged as the op is in a graph. TFLite's own builtins and its usual
// custom ops (detection post-processing) read nothing.
func (fs *fileScan) scanTFLite(member string, r *bufio.Reader, size int64) {
	b, ok := fs.readWhole(member, "tflite model", r, size)
	if !ok {
		return
	}
	seen := map[string]bool{}
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("Flex"))
		if j < 0 {
			break
		}
		i += j + 4
		k := i
		for k < len(b) && k-i < 64 && (b[k] >= 'A' && b[k] <= 'Z' || b[k] >= 'a' && b[k] <= 'z' || b[k] >= '0' && b[k] <= '9') {
			k++
		}
		op := string(b[i:k])
		if e, ok := tfOps[op]; ok && !seen[op] {
			seen[op] = true
			fs.add(severityOf(e), "tensorflow.op."+op, member, fmt.Sprintf("the TFLite model runs the TensorFlow %s operation through the Flex delegate (%s): it reaches outside the model", op, e), recReview)
		}
	}
}

// torchScriptOps are operators TorchScript code can call that reach
// files: torchvision's and torchaudio's, registered when those libraries
// are imported (as they are where such models are served).
var torchScriptOps = map[string]Effect{
	"image.read_file": EffectFileRead, "image.write_file": EffectFileWrite,
	"torchaudio.sox_io_load_audio_file": EffectFileRead, "torchaudio.sox_io_save_audio_file": EffectFileWrite,
	"torchaudio.ffmpeg_load_audio": EffectNetwork, "torchaudio.ffmpeg_streamer_init": EffectNetwork, // ffmpeg opens URLs
}

var torchScriptOp = regexp.MustCompile(`\bops\.(image|torchaudio)\.(\w+)`)

// scanTorchScript reports those operators in TorchScript code
// (code/__torch__/*.py in a TorchScript archive).
func (fs *fileScan) scanTorchScript(member, text string) {
	for _, m := range torchScriptOp.FindAllStringSubmatch(text, 100) {
		key := m[1] + "." + m[2]
		if e, ok := torchScriptOps[key]; ok {
			fs.add(severityOf(e), "torchscript.op", member, fmt.Sprintf("TorchScript code calls torch.ops.%s (%s) when the model runs", key, e), recReview)
		}
	}
}
