package modelscan

import (
	"bufio"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// An ONNX model is a protobuf ModelProto: the graph (nodes, initializers,
// subgraphs in attributes), model-local functions with their own nodes,
// and the operator domains it imports. What reaches outside the model:
// external data locations, custom operator domains (native code the
// runtime loads), Python operators, operators that call remote endpoints,
// and attributes that name a URL.

// onnxPythonOps are operators that run Python (onnxruntime-extensions'
// PyOp and its kin).
var onnxPythonOps = map[string]bool{"PyOp": true, "PythonOp": true, "PyFunc": true}

// onnxNetworkOps are onnxruntime-extensions' invokers: each sends its
// inputs to the endpoint in its model_uri attribute (with the caller's
// auth token).
var onnxNetworkOps = map[string]bool{"AzureAudioToText": true, "AzureTextToText": true, "AzureTritonInvoker": true,
	"OpenAIAudioToText": true, "AzureAudioInvoker": true, "AzureTextInvoker": true, "AzureInvoker": true}

// scanONNX walks a ModelProto; false when r is not one.
func (fs *fileScan) scanONNX(member string, r *bufio.Reader) bool {
	p := &pbReader{r: r}
	onnx := false
	w := &onnxWalk{fs: fs, member: member, p: p, local: map[string]bool{}, localOps: map[[2]string]bool{}, custom: map[string]bool{}}
	err := p.message(-1, 0, func(field int, wire int, n int64, depth int) (bool, error) {
		switch {
		case field == 7 && wire == 2: // graph
			onnx = true
			return true, p.message(n, depth+1, w.graph)
		case field == 8 && wire == 2: // opset_import
			return true, p.message(n, depth+1, w.opset)
		case field == 25 && wire == 2: // functions
			return true, w.function(n, depth+1)
		}
		return false, nil
	})
	if err != nil && onnx {
		fs.fail(member, fmt.Errorf("onnx: %w", err))
	}
	w.reportDomains()
	return onnx
}

// onnxWalk holds the callbacks for the messages of one model, and what
// they saw: model-local functions (a domain and name the runtime resolves
// to the function's own nodes, not to native code) and the custom domains
// imported and used.
type onnxWalk struct {
	fs       *fileScan
	member   string
	p        *pbReader
	local    map[string]bool    // domains of model-local functions
	localOps map[[2]string]bool // their domain and name
	custom   map[string]bool    // domain: used by a node (true) or only imported (false)
	uses     [][2]string        // nodes' domain and op type, in a custom domain
}

// reportDomains reports the custom domains that stand for native
// operators: imported and not only for local functions, or used by a
// node that is not a local function.
func (w *onnxWalk) reportDomains() {
	used := map[string]bool{}
	for _, u := range w.uses {
		if !w.localOps[u] {
			used[u[0]] = true
		}
	}
	for _, dom := range slices.Sorted(maps.Keys(w.custom)) {
		if used[dom] || !w.custom[dom] && !w.local[dom] {
			w.fs.add(Medium, "onnx.custom-domain", w.member, fmt.Sprintf("uses operator domain %q: custom operators run native code the runtime must load", dom), recReview)
		}
	}
}

// str reads a string field of n bytes into dst.
func (w *onnxWalk) str(dst *string, n int64) (bool, error) {
	var err error
	*dst, err = w.p.str(n)
	return true, err
}

// opset is an OperatorSetIdProto: the domain is field 1.
func (w *onnxWalk) opset(f, wire int, n int64, d int) (bool, error) {
	if f == 1 && wire == 2 {
		dom, err := w.p.str(n)
		if err == nil && !standardDomain(dom) && len(w.custom) < 1024 {
			w.custom[dom] = w.custom[dom] || false
		}
		return true, err
	}
	return false, nil
}

// function is a FunctionProto: name (1), nodes (7), opset imports (9),
// domain (10).
func (w *onnxWalk) function(n int64, d int) error {
	var name, dom string
	err := w.p.message(n, d, func(f, wire int, n int64, d int) (bool, error) {
		switch {
		case f == 1 && wire == 2:
			return w.str(&name, n)
		case f == 10 && wire == 2:
			return w.str(&dom, n)
		case f == 7 && wire == 2:
			return true, w.node(n, d+1)
		case f == 9 && wire == 2:
			return true, w.p.message(n, d+1, w.opset)
		}
		return false, nil
	})
	if len(w.localOps) < 1024 {
		w.local[dom] = true
		w.localOps[[2]string{dom, name}] = true
	}
	return err
}

// graph is a GraphProto: nodes (1), initializers (5), sparse
// initializers (15), whose values and indices are tensors.
func (w *onnxWalk) graph(f, wire int, n int64, d int) (bool, error) {
	switch {
	case f == 1 && wire == 2:
		return true, w.node(n, d+1)
	case f == 5 && wire == 2:
		return true, w.p.message(n, d+1, w.tensor)
	case f == 15 && wire == 2:
		return true, w.p.message(n, d+1, func(f2, w2 int, m int64, d2 int) (bool, error) {
			if (f2 == 1 || f2 == 2) && w2 == 2 {
				return true, w.p.message(m, d2+1, w.tensor)
			}
			return false, nil
		})
	}
	return false, nil
}

// node is a NodeProto: op_type (4), domain (7), attributes (5).
func (w *onnxWalk) node(n int64, d int) error {
	var op, dom string
	err := w.p.message(n, d, func(f, wire int, n int64, d int) (bool, error) {
		switch {
		case f == 4 && wire == 2:
			return w.str(&op, n)
		case f == 7 && wire == 2:
			return w.str(&dom, n)
		case f == 5 && wire == 2:
			return true, w.p.message(n, d+1, w.attribute)
		}
		return false, nil
	})
	switch {
	case onnxPythonOps[op]:
		w.fs.add(Critical, "onnx.python-op", w.member, fmt.Sprintf("a node runs the %s operator: Python code the runtime executes (onnxruntime-extensions)", op), recConvert)
	case onnxNetworkOps[op]:
		w.fs.add(High, "onnx.network-op", w.member, fmt.Sprintf("a node runs the %s operator: it sends its inputs to a remote endpoint when the model runs (onnxruntime-extensions)", op), recReview)
	}
	if !standardDomain(dom) && len(w.uses) < 1<<16 {
		w.uses = append(w.uses, [2]string{dom, op})
		w.custom[dom] = true
	}
	return err
}

// attribute is an AttributeProto: a string (4) naming a remote endpoint,
// tensors (5, 10) and graphs (6, 11).
func (w *onnxWalk) attribute(f, wire int, n int64, d int) (bool, error) {
	switch {
	case f == 4 && wire == 2:
		s, err := w.p.str(n)
		if err == nil && remoteURL.MatchString(s) {
			w.fs.add(High, "onnx.remote-uri", w.member, fmt.Sprintf("a node attribute names %q: an operator that reaches it sends or fetches data when the model runs", s), recReview)
		}
		return true, err
	case (f == 5 || f == 10) && wire == 2:
		return true, w.p.message(n, d+1, w.tensor)
	case (f == 6 || f == 11) && wire == 2:
		return true, w.p.message(n, d+1, w.graph)
	}
	return false, nil
}

// tensor is a TensorProto: external_data (13) entries whose location
// leaves the model's directory.
func (w *onnxWalk) tensor(f, wire int, n int64, d int) (bool, error) {
	if f != 13 || wire != 2 {
		return false, nil
	}
	var key, val string
	err := w.p.message(n, d+1, func(f2, w2 int, m int64, _ int) (bool, error) {
		var err error
		switch {
		case f2 == 1 && w2 == 2:
			key, err = w.p.str(m)
			return true, err
		case f2 == 2 && w2 == 2:
			val, err = w.p.str(m)
			return true, err
		}
		return false, nil
	})
	if key == "location" && unsafeLocation(val) {
		w.fs.add(Critical, "onnx.external-data-traversal", w.member, fmt.Sprintf("a tensor's external data location %q leaves the model's directory: loading reads (or, saved again, writes) files elsewhere (CVE-2022-25882, CVE-2024-27318)", val), "Do not load this model; external data must be a file beside the model.")
	}
	return true, err
}

func standardDomain(d string) bool {
	switch d {
	case "", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training", "com.microsoft", "com.microsoft.nchwc", "org.pytorch.aten":
		return true
	}
	return false
}

// unsafeLocation reports an external-data path that is absolute, climbs
// out with "..", names a drive or a URL.
func unsafeLocation(loc string) bool {
	l := strings.ReplaceAll(loc, "\\", "/")
	if strings.HasPrefix(l, "/") || strings.Contains(l, "://") || len(l) > 1 && l[1] == ':' {
		return true
	}
	for _, part := range strings.Split(l, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}
