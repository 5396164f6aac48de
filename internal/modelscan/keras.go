package modelscan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Keras builds a model from a JSON config: Keras 3 keeps it as config.json
// in the .keras zip, Keras 2 as the model_config attribute of an HDF5 file,
// tf_keras as layer metadata in a SavedModel (keras_metadata.pb, or the
// object graph of saved_model.pb). Every form goes through walkKeras.

const recLambda = "Rebuild the model without Lambda layers, or load it only in an isolated environment."

// configStarts are how a Keras config object (or one layer's metadata)
// begins inside a binary file.
var configStarts = [][]byte{[]byte(`{"class_name"`), []byte(`{"module"`), []byte(`{"name"`)}

// maxConfigs bounds the JSON objects decoded from one binary file, and
// maxDecode the bytes the decoder reads in all: an object that never
// closes reads to the end, so starts inside it would make decoding
// quadratic.
const (
	maxConfigs = 4096
	maxDecode  = 64 << 20
)

// kerasJSON decodes the Keras configs found in b (an HDF5 attribute, a
// SavedModel's metadata) and walks each; false when none decoded.
func (fs *fileScan) kerasJSON(member string, b []byte) bool {
	decoded := false
	budget := int64(maxDecode)
	// Each marker's next place, searched again only once passed: a marker
	// that is rare must not be searched for to the end at every start.
	next := make([]int, len(configStarts))
	for i := range next {
		next[i] = -2
	}
	for off, n := 0, 0; off < len(b); n++ {
		start := -1
		for i, m := range configStarts {
			if next[i] != -1 && next[i] < off {
				if next[i] = bytes.Index(b[off:], m); next[i] >= 0 {
					next[i] += off
				}
			}
			if next[i] >= 0 && (start < 0 || next[i] < start) {
				start = next[i]
			}
		}
		if start < 0 {
			break
		}
		if n >= maxConfigs || budget <= 0 {
			// What is left is not read: the file is not counted clean.
			fs.fail(member, errors.New("keras: more configs, or configs that never close, than the scanner reads"))
			break
		}
		rd := &io.LimitedReader{R: bytes.NewReader(b[start:]), N: budget}
		dec := json.NewDecoder(rd)
		var v any
		if err := dec.Decode(&v); err != nil {
			budget = rd.N // everything the decoder read
			off = start + 1
			continue
		}
		budget -= dec.InputOffset()
		fs.walkKeras(member, v, false)
		decoded = true
		off = start + int(dec.InputOffset())
	}
	return decoded
}

// scanHDF5 reads a legacy Keras .h5 file's model config (kept as an
// attribute) without reading its weights into memory: from each place a
// config starts, up to maxText bytes are decoded. A Lambda layer carries
// Python bytecode (CVE-2024-3660) and safe_mode does not apply to HDF5
// (CVE-2025-9905).
func (fs *fileScan) scanHDF5(member string, r *bufio.Reader) {
	var captures [][]byte
	unsafe, lambda, overflow := false, false, false
	buf := make([]byte, 1<<20)
	var carry []byte
	for {
		n, err := r.Read(buf)
		chunk := append(carry, buf[:n]...)
		last := len(captures) - 1
		switch {
		case last >= 0 && len(captures[last]) < maxText:
			captures[last] = append(captures[last], buf[:n]...)
		case firstConfigStart(chunk) < 0:
		case len(captures) < 8:
			captures = append(captures, append([]byte(nil), chunk[firstConfigStart(chunk):]...))
		default:
			overflow = true
		}
		unsafe = unsafe || bytes.Contains(chunk, []byte("enable_unsafe_deserialization"))
		lambda = lambda || bytes.Contains(chunk, []byte(`"class_name": "Lambda"`)) || bytes.Contains(chunk, []byte(`"class_name":"Lambda"`))
		carry = append(carry[:0], chunk[max(0, len(chunk)-64):]...)
		if err != nil {
			break
		}
	}
	if overflow {
		fs.fail(member, errors.New("hdf5: more model configs than the scanner reads"))
	}
	for _, c := range captures {
		fs.kerasJSON(member, c)
	}
	// A Lambda layer in a config that did not decode (split by the file's
	// layout, or cut) is still reported.
	if lambda && !slices.ContainsFunc(fs.f.Findings, func(f Finding) bool { return f.Rule == "keras.lambda" && f.Member == member }) {
		fs.add(Critical, "keras.lambda", member, "the model config has a Lambda layer: Python code that runs when the model is loaded (safe_mode does not apply to HDF5, CVE-2025-9905)", recLambda)
	}
	if unsafe {
		fs.add(Critical, "keras.unsafe-deserialization", member, "the file calls keras.config.enable_unsafe_deserialization", recConvert)
	}
}

func firstConfigStart(b []byte) int {
	start := -1
	for _, m := range configStarts[:2] {
		if i := bytes.Index(b, m); i >= 0 && (start < 0 || i < start) {
			start = i
		}
	}
	return start
}

// scanKerasConfig checks a Keras v3 config.json.
func (fs *fileScan) scanKerasConfig(member string, e zipEntry, r io.ReaderAt) {
	if e.Size > maxText {
		fs.fail(member, fmt.Errorf("keras: config.json of %d bytes, more than the %d read", e.Size, maxText))
		return
	}
	rd, err := e.open(r)
	if err != nil {
		fs.fail(member, err)
		return
	}
	b, err := io.ReadAll(io.LimitReader(rd, maxText+1))
	if err != nil || len(b) > maxText {
		fs.fail(member, fmt.Errorf("keras: config.json not read whole (%v)", err))
		return
	}
	if bytes.Contains(b, []byte("enable_unsafe_deserialization")) {
		fs.add(Critical, "keras.unsafe-deserialization", member, "the config calls keras.config.enable_unsafe_deserialization, then loads what safe_mode would refuse (CVE-2025-9906)", recConvert)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		fs.add(Medium, "keras.config", member, "config.json is not JSON: "+err.Error(), recReview)
		return
	}
	fs.walkKeras(member, v, true)
}

// walkKeras checks every object of a Keras config: Lambda layers, layers
// that load, fetch or wrap, TensorFlow functions called by tf_keras
// layers, and modules or functions the config names (CVE-2025-1550: a
// config can name any module, safe_mode or not). safeMode is whether the
// format's loader has safe_mode (Keras 3 .keras files).
func (fs *fileScan) walkKeras(member string, v any, safeMode bool) {
	var walk func(x any, depth int)
	walk = func(x any, depth int) {
		if depth > 200 {
			return
		}
		switch t := x.(type) {
		case map[string]any:
			fs.kerasLayer(member, t, safeMode)
			if mod, ok := t["module"].(string); ok {
				fs.judgeKerasModule(member, mod, kerasName(t))
			}
			for _, y := range t {
				walk(y, depth+1)
			}
		case []any:
			for _, y := range t {
				walk(y, depth+1)
			}
		}
	}
	walk(v, 0)
}

// kerasName is the callable a serialised object names: a function's name
// (function_name, or its config when the class is "function"), else the
// registered name, else the class.
func kerasName(t map[string]any) string {
	if fn, ok := t["function_name"].(string); ok && fn != "" {
		return fn
	}
	cn, _ := t["class_name"].(string)
	if s, ok := t["config"].(string); ok && cn == "function" && s != "" {
		return s
	}
	if rn, ok := t["registered_name"].(string); ok && rn != "" && rn != "function" {
		return rn
	}
	return cn
}

// kerasLayers are layers that load, fetch or run something when the model
// is built.
var kerasLayers = map[string]struct {
	severity, rule, detail, rec string
}{
	"Lambda":             {High, "keras.lambda", "a Lambda layer: Python code, marshalled into the file, runs when the model is loaded", recLambda},
	"__lambda__":         {High, "keras.lambda", "a serialised lambda: Python bytecode that runs when the model is loaded", recLambda},
	"TFSMLayer":          {High, "keras.loads-savedmodel", "a TFSMLayer loads a TensorFlow SavedModel from a path when the model is built, and runs its graph", recReview},
	"TorchModuleWrapper": {Critical, "keras.torch-module", "a TorchModuleWrapper holds a serialised PyTorch module, unpickled with torch.load when the model is loaded", recConvert},
}

// layerPaths are config keys whose value a layer (Keras's lookups and text
// vectorisation, KerasHub's tokenizers, TFSMLayer) opens as a file.
var layerPaths = []string{"vocabulary", "merges", "proto", "filepath", "path", "origin", "url", "file_path",
	"vocabulary_file", "merges_file", "spm_model_file", "idf_weights"}

// remoteURL is a value a loader would fetch.
var remoteURL = regexp.MustCompile(`^(?i:https?|ftp|gs|s3|hf|grpc|file|kaggle|modelscope|wss?)://`)

// kerasLayer checks one layer config: the layers above, TensorFlow
// functions called through TFOpLambda, and paths or URLs the layer reads
// or fetches.
func (fs *fileScan) kerasLayer(member string, t map[string]any, safeMode bool) {
	cn, _ := t["class_name"].(string)
	if l, ok := kerasLayers[cn]; ok {
		sev, detail := l.severity, l.detail
		if l.rule == "keras.lambda" {
			// Keras 3 refuses bytecode under safe_mode, its default, in
			// .keras files; HDF5 and SavedModel loaders have no safe_mode
			// (CVE-2025-9905): the code runs.
			if safeMode {
				detail += " with safe_mode=False (safe_mode, the default, refuses it)"
			} else {
				sev, detail = Critical, detail+": this format has no safe_mode (CVE-2025-9905)"
			}
		}
		fs.add(sev, l.rule, member, detail, l.rec)
	}
	cfg, _ := t["config"].(map[string]any)
	if fn, ok := cfg["function"].(string); ok && (cn == "TFOpLambda" || cn == "SlicingOpLambda") {
		if e, key := tfAPIEffect(fn); e != "" {
			fs.add(severityOf(e), "keras.tf-function", member, fmt.Sprintf("layer %s calls tf.%s (%s: %s) when the model runs", cn, fn, key, e), recConvert)
		}
	}
	for key, val := range cfg {
		v, ok := val.(string)
		if !ok || v == "" {
			continue
		}
		path := slices.Contains(layerPaths, key)
		switch {
		case remoteURL.MatchString(v):
			fs.add(High, "keras.fetches", member, fmt.Sprintf("layer %s %s is %q: the loader fetches it", cn, key, v), recReview)
		case path && unsafeLocation(v):
			fs.add(High, "keras.reads-file", member, fmt.Sprintf("layer %s %s is %q: the loader reads a file outside the model", cn, key, v), recReview)
		case path && (key == "vocabulary" || key == "merges" || key == "proto") && looksLikePath(v):
			fs.add(Medium, "keras.reads-file", member, fmt.Sprintf("layer %s reads its %s from the file %q when the model is loaded", cn, key, v), recReview)
		}
	}
}

// looksLikePath tells a file name from inline content (a SentencePiece
// proto or a merges list kept in the config itself).
func looksLikePath(v string) bool {
	return len(v) < 4096 && !strings.ContainsAny(v, "\n\x00")
}
