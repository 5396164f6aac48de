package modelscan

import (
	"testing"

	"github.com/wardenhq/warden/internal/pickle"
)

// TestEffects: severity follows what a callable can do, however it is
// named; unknown callables stay medium; TorchScript's types are quiet.
func TestEffects(t *testing.T) {
	cases := []struct {
		module, name string
		effect       Effect
		severity     string // "" for no finding
	}{
		{"os", "system", EffectProcess, Critical},
		{"posix", "system", EffectProcess, Critical},
		{"mailcap", "findmatch", EffectProcess, Critical},    // a shell command from a mailcap entry
		{"webbrowser", "open", EffectProcess, Critical},      // runs the browser command
		{"imaplib", "IMAP4_stream", EffectProcess, Critical}, // runs the command it is given
		{"logging.config", "listen", EffectExec, Critical},   // executes the configuration received
		{"tkinter", "Tcl", EffectExec, Critical},             // Tcl's eval
		{"concurrent.futures.thread", "ThreadPoolExecutor", EffectExec, Critical},
		{"sched", "scheduler", EffectExec, Critical},
		{"shelve", "open", EffectDeserialize, Critical}, // a pickle inside the pickle
		{"yaml", "unsafe_load", EffectDeserialize, Critical},
		{"torch", "load", EffectDeserialize, Critical},
		{"zipapp", "create_archive", EffectFileWrite, Critical},
		{"logging", "FileHandler", EffectFileWrite, Critical},
		{"builtins", "open", EffectFileWrite, Critical},
		{"sys", "modules", EffectSystem, Critical},
		{"netrc", "netrc", EffectFileRead, High}, // credentials on disk
		{"linecache", "getlines", EffectFileRead, High},
		{"urllib.request", "urlopen", EffectNetwork, High},
		{"logging.handlers", "SocketHandler", EffectNetwork, High},
		{"pathlib", "os.system", EffectProcess, Critical}, // a walked attribute reaching os
		{"torch.utils.cpp_extension", "load_inline", EffectExec, Critical},
		{"transformers.dynamic_module_utils", "get_class_from_dynamic_module", EffectExec, Critical},
		{"torch.fx.graph_module", "reduce_graph_module", EffectExec, Critical}, // execs the pickled import block
		{"torch", "save", EffectFileWrite, Critical},
		{"pandas", "read_clipboard", EffectProcess, Critical}, // xclip, pbpaste
		{"pandas", "read_hdf", EffectDeserialize, Critical},   // object columns are pickles
		{"pandas", "read_html", EffectNetwork, High},
		{"gzip", "open", EffectFileWrite, Critical},
		{"copyreg", "__newobj_ex__", EffectExec, Critical},
		{"builtins", "help", EffectProcess, Critical}, // the pager
		{"sklearn.datasets", "fetch_openml", EffectNetwork, High},
		{"pkg_resources", "load_entry_point", EffectExec, Critical},
		{"sh", "Command", EffectProcess, Critical},
		{"gzip", "decompress", "", Medium}, // bytes in, bytes out: unknown, medium
		{"operator", "call", EffectExec, Critical},
		{"typing", "get_type_hints", EffectExec, Critical}, // evaluates string annotations
		{"torch.utils.benchmark", "Timer", EffectExec, Critical},
		{"torch.multiprocessing", "spawn", EffectProcess, Critical},
		{"torchvision.datasets.utils", "download_url", EffectNetwork, High},
		{"mlflow.pytorch", "load_model", EffectDeserialize, Critical},
		{"mylib.models", "build", "", Medium},      // unknown: medium
		{"collections", "OrderedDict", "", ""},     // allow-listed
		{"__torch__.transformer", "Block", "", ""}, // TorchScript's own type
		{"__torch__", "MyModule", "", ""},
	}
	for _, c := range cases {
		e, _ := effectOf(c.module, c.name)
		j := judge(&pickle.Global{Module: c.module, Name: c.name, Op: "GLOBAL"})
		got := ""
		if j != nil {
			got = j.severity
		}
		if e != c.effect || got != c.severity {
			t.Errorf("%s.%s: effect %q severity %q, want %q %q", c.module, c.name, e, got, c.effect, c.severity)
		}
	}
}
