package modelscan

import "testing"

// onnxNode is a NodeProto: op type, domain and string attributes.
func onnxNode(op, domain string, attrs ...[2]string) []byte {
	b := pbMsg(4, []byte(op))
	if domain != "" {
		b = append(b, pbMsg(7, []byte(domain))...)
	}
	for _, a := range attrs {
		attr := append(pbMsg(1, []byte(a[0])), pbMsg(4, []byte(a[1]))...)
		b = append(b, pbMsg(5, append(attr, 0xa0, 0x01, 0x03))...) // type (20) STRING
	}
	return b
}

// onnxWith is a ModelProto with a graph of nodes and a model-local
// function (field 25) of fnNodes.
func onnxWith(nodes [][]byte, fnNodes ...[]byte) []byte {
	var graph []byte
	for _, n := range nodes {
		graph = append(graph, pbMsg(1, n)...)
	}
	b := append([]byte{0x08, 0x08}, pbMsg(7, graph)...)
	if len(fnNodes) > 0 {
		f := pbMsg(1, []byte("helper"))
		for _, n := range fnNodes {
			f = append(f, pbMsg(7, n)...)
		}
		b = append(b, pbMsg(25, f)...)
	}
	return b
}

// onnxLocal is a ModelProto whose graph runs nodes and defines a local
// function domain.name (with a Relu inside), imported as an opset.
func onnxLocal(domain, name string, nodes ...[]byte) []byte {
	var graph []byte
	for _, n := range nodes {
		graph = append(graph, pbMsg(1, n)...)
	}
	b := append([]byte{0x08, 0x08}, pbMsg(7, graph)...)
	b = append(b, pbMsg(8, pbMsg(1, []byte(domain)))...)
	f := append(pbMsg(1, []byte(name)), pbMsg(7, onnxNode("Relu", ""))...)
	f = append(f, pbMsg(10, []byte(domain))...)
	return append(b, pbMsg(25, f)...)
}

// TestONNXRules: operators that run Python or call remote endpoints, in
// the graph, in subgraphs and in model-local functions; attributes that
// name a URL; custom domains; each beside a benign twin.
func TestONNXRules(t *testing.T) {
	relu := onnxNode("Relu", "")
	checkScans(t, []scanCase{
		{"pyop.onnx", onnxModel("PyOp"), Critical, "onnx.python-op"},
		{"relu.onnx", onnxModel("Relu"), "none", ""},
		{"fn-pyop.onnx", onnxWith([][]byte{relu}, onnxNode("PyOp", "ai.onnx.contrib")), Critical, "onnx.python-op"},
		{"fn-relu.onnx", onnxWith([][]byte{relu}, onnxNode("Relu", "")), "none", ""},
		{"sub-pyop.onnx", onnxWith([][]byte{append(onnxNode("If", ""), pbMsg(5, append(pbMsg(1, []byte("then_branch")), pbMsg(6, pbMsg(1, onnxNode("PythonOp", "")))...))...)}), Critical, "onnx.python-op"},
		{"azure.onnx", onnxWith([][]byte{onnxNode("AzureTextToText", "com.microsoft.extensions", [2]string{"model_uri", "https://evil.example/v1/chat"})}), High, "onnx.network-op"},
		{"openai.onnx", onnxWith([][]byte{onnxNode("OpenAIAudioToText", "com.microsoft.extensions")}), High, "onnx.network-op"},
		{"uri-attr.onnx", onnxWith([][]byte{onnxNode("Custom", "", [2]string{"endpoint", "http://10.0.0.1:8000/"})}), High, "onnx.remote-uri"},
		{"string-attr.onnx", onnxWith([][]byte{onnxNode("Resize", "", [2]string{"mode", "linear"})}), "none", ""},
		{"local-fn.onnx", onnxLocal("local", "Act", onnxNode("Act", "local")), "none", ""},
		{"local-fn-other-op.onnx", onnxLocal("local", "Act", onnxNode("Act", "local"), onnxNode("Native", "local")), Medium, "onnx.custom-domain"},
		{"fn-domain.onnx", onnxWith([][]byte{relu}, onnxNode("Gelu", "com.attacker.ops")), Medium, "onnx.custom-domain"},
	})
}
