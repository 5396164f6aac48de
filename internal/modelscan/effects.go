package modelscan

import "strings"

// Effect is what a callable reached from a model file can do when the
// file is loaded. Severity follows the effect, not the name: anything that
// can run code (directly, through a process, by loading another
// serialised object, or by writing a file that runs later) is critical.
type Effect string

// Effects, most dangerous first.
const (
	EffectExec        Effect = "code execution"
	EffectProcess     Effect = "process"
	EffectDeserialize Effect = "nested deserialisation"
	EffectFileWrite   Effect = "file write"
	EffectSystem      Effect = "interpreter state"
	EffectNetwork     Effect = "network"
	EffectFileRead    Effect = "file read"
)

// severityOf is an effect's severity.
func severityOf(e Effect) string {
	switch e {
	case EffectNetwork, EffectFileRead:
		return High
	}
	return Critical
}

// moduleEffects are what a module (and every module under it) can do,
// from the standard library's and the ML libraries' own modules. A name
// is judged by its module's longest listed prefix; callableEffects name
// single callables in modules that are otherwise harmless, and refine a
// module's effect where one name does more.
var moduleEffects = map[string]Effect{
	// Running Python, compiling or importing code.
	"code": EffectExec, "codeop": EffectExec, "runpy": EffectExec, "marshal": EffectExec, "types": EffectExec,
	"importlib": EffectExec, "_frozen_importlib": EffectExec, "_frozen_importlib_external": EffectExec, "_imp": EffectExec,
	"imp": EffectExec, "pkgutil": EffectExec, "zipimport": EffectExec, "site": EffectExec, "inspect": EffectExec,
	"ctypes": EffectExec, "_ctypes": EffectExec, "cffi": EffectExec, "doctest": EffectExec, "pdb": EffectExec,
	"bdb": EffectExec, "cProfile": EffectExec, "profile": EffectExec, "trace": EffectExec, "timeit": EffectExec,
	"_interpreters": EffectExec, "_xxsubinterpreters": EffectExec, "_pyrepl": EffectExec, "idlelib": EffectExec,
	"lib2to3": EffectExec, "test": EffectExec, "unittest": EffectExec, "IPython": EffectExec, "sched": EffectExec,
	"concurrent": EffectExec, "tkinter": EffectExec, "_tkinter": EffectExec, "turtle": EffectExec,
	"numba": EffectExec, "Cython": EffectExec, "jinja2": EffectExec, "mako": EffectExec,
	"numpy.f2py": EffectExec, "numpy.ctypeslib": EffectExec, "torch.jit": EffectExec, "torch._dynamo": EffectExec,
	"torch._inductor": EffectExec, "torch.compile": EffectExec, "torch.utils.cpp_extension": EffectExec,
	"torch.ops": EffectExec, "torch.classes": EffectExec, "torch.library": EffectExec, "torch.package": EffectExec,
	"torch.utils._config_module": EffectExec, "torch.fx.experimental.symbolic_shapes": EffectExec,
	"torch.utils.data.datapipes": EffectExec, "transformers.dynamic_module_utils": EffectExec,
	"logging.config": EffectExec,                   // listen() executes the configuration it receives
	"atexit":         EffectExec, "gc": EffectExec, // code at exit; every live object, the builtins among them
	// Starting processes.
	"os": EffectProcess, "posix": EffectProcess, "nt": EffectProcess, "subprocess": EffectProcess, "pty": EffectProcess,
	"commands": EffectProcess, "multiprocessing": EffectProcess, "_posixsubprocess": EffectProcess, "pexpect": EffectProcess,
	"pipes": EffectProcess, "platform": EffectProcess, "webbrowser": EffectProcess, "mailcap": EffectProcess,
	"asyncio": EffectProcess, "_winapi": EffectProcess, "msvcrt": EffectProcess, "pydoc": EffectProcess,
	"distutils": EffectProcess, "setuptools": EffectProcess, "pip": EffectProcess, "ensurepip": EffectProcess,
	"venv": EffectProcess, "_osx_support": EffectProcess, "_aix_support": EffectProcess, "mlflow.projects": EffectProcess,
	"torch.utils.collect_env": EffectProcess, "torch.utils.bottleneck": EffectProcess,
	// Loading another serialised object (a pickle inside the pickle).
	"pickle": EffectDeserialize, "_pickle": EffectDeserialize, "dill": EffectDeserialize, "cloudpickle": EffectDeserialize,
	"joblib": EffectDeserialize, "shelve": EffectDeserialize, "jsonpickle": EffectDeserialize, "yaml": EffectDeserialize,
	"torch.hub": EffectDeserialize, "pandas.io": EffectDeserialize,
	// Writing files (what runs later: a .pth, a shell profile, a cron job).
	"shutil": EffectFileWrite, "tempfile": EffectFileWrite, "sqlite3": EffectFileWrite, "_sqlite3": EffectFileWrite,
	"zipfile": EffectFileWrite, "tarfile": EffectFileWrite, "mmap": EffectFileWrite, "compileall": EffectFileWrite,
	"py_compile": EffectFileWrite, "zipapp": EffectFileWrite, "numpy.distutils": EffectProcess,
	"tensorflow.io.gfile": EffectFileWrite,
	// The interpreter's own state: modules, signals, threads.
	"sys": EffectSystem, "signal": EffectSystem, "_signal": EffectSystem, "threading": EffectSystem, "_thread": EffectSystem,
	// Reading files.
	"glob": EffectFileRead, "fileinput": EffectFileRead, "linecache": EffectFileRead, "netrc": EffectFileRead,
	"filecmp": EffectFileRead, "tabnanny": EffectFileRead, "difflib": EffectFileRead,
	// The network.
	"socket": EffectNetwork, "ssl": EffectNetwork, "http": EffectNetwork, "httplib": EffectNetwork, "urllib": EffectNetwork,
	"urllib2": EffectNetwork, "requests": EffectNetwork, "aiohttp": EffectNetwork, "httpx": EffectNetwork,
	"smtplib": EffectNetwork, "imaplib": EffectNetwork, "ftplib": EffectNetwork, "poplib": EffectNetwork,
	"telnetlib": EffectNetwork, "nntplib": EffectNetwork, "socketserver": EffectNetwork, "xmlrpc": EffectNetwork,
	"select": EffectNetwork, "selectors": EffectNetwork, "logging": EffectNetwork, "syslog": EffectNetwork,
	"huggingface_hub": EffectNetwork, "popen2": EffectProcess,
	// Libraries' loaders that unpickle, run scripts or fetch.
	"sklearn.externals.joblib": EffectDeserialize, "mlflow.pyfunc": EffectDeserialize, "mlflow.sklearn": EffectDeserialize,
	"datasets.load": EffectExec, "evaluate.loading": EffectExec, // dataset and metric scripts
	// PyTorch: a pickled fx GraphModule regenerates its code with exec
	// (reduce_graph_module runs its import block); TensorBoard writes.
	"torch.fx.graph_module": EffectExec, "torch.utils.tensorboard": EffectFileWrite,
	// Evaluators, template engines, notebook runners, plugin loaders.
	"asteval": EffectExec, "simpleeval": EffectExec, "chameleon": EffectExec, "genshi": EffectExec,
	"tornado.template": EffectExec, "ipykernel": EffectExec, "nbconvert": EffectExec, "papermill": EffectExec,
	"pkg_resources": EffectExec, "importlib_metadata": EffectExec, "stevedore": EffectExec,
	// Processes through third-party libraries.
	"sh": EffectProcess, "plumbum": EffectProcess, "invoke": EffectProcess, "fabric": EffectProcess,
	"ptyprocess": EffectProcess, "paramiko": EffectProcess, "jupyter_client": EffectProcess, "antigravity": EffectProcess,
	// Loaders that unpickle or deserialise.
	"ruamel": EffectDeserialize,
	// Writers.
	"dbm": EffectFileWrite, "mailbox": EffectFileWrite, "scipy.io": EffectFileWrite, "fsspec": EffectFileWrite,
	"smart_open": EffectFileWrite,
	// Downloads and remote services.
	"urllib3": EffectNetwork, "pycurl": EffectNetwork, "websocket": EffectNetwork, "websockets": EffectNetwork,
	"boto3": EffectNetwork, "botocore": EffectNetwork, "google.cloud": EffectNetwork, "azure.storage": EffectNetwork,
	"gdown": EffectNetwork, "wget": EffectNetwork, "kaggle": EffectNetwork, "sklearn.datasets": EffectNetwork,
	"transformers.utils.hub": EffectNetwork, "numpy.lib._datasource": EffectNetwork, "xml.sax": EffectNetwork,
	"xml.dom.pulldom": EffectNetwork, "ftputil": EffectNetwork,
	// More of PyTorch and its kin: worker processes and launchers,
	// benchmark timers (compile their statement), exported programs,
	// dataset downloads.
	"torch.multiprocessing": EffectProcess, "torch.distributed.run": EffectProcess, "torch.distributed.launcher": EffectProcess,
	"torch.distributed.elastic": EffectProcess, "torch.utils.benchmark": EffectExec, "torch.testing._internal": EffectExec,
	"torch._export": EffectDeserialize, "torch.export.load": EffectDeserialize, "torch.utils.model_zoo": EffectNetwork,
	"torchvision.datasets": EffectNetwork, "torchaudio.datasets": EffectNetwork, "torchtext.datasets": EffectNetwork,
	"transformers.pipelines": EffectNetwork, "mlflow": EffectDeserialize, "bentoml": EffectDeserialize,
	"onnxruntime": EffectFileRead, "annotationlib": EffectExec,
}

// callableEffects are single callables.
var callableEffects = map[string]Effect{
	"builtins.eval": EffectExec, "builtins.exec": EffectExec, "builtins.compile": EffectExec, "builtins.__import__": EffectExec,
	"builtins.getattr": EffectExec, "builtins.setattr": EffectExec, "builtins.delattr": EffectExec, "builtins.breakpoint": EffectExec,
	"builtins.input": EffectExec, "builtins.globals": EffectExec, "builtins.locals": EffectExec, "builtins.vars": EffectExec,
	"builtins.apply": EffectExec, "builtins.execfile": EffectExec, "builtins.memoryview": EffectExec,
	"builtins.open":    EffectFileWrite,
	"__builtin__.eval": EffectExec, "__builtin__.exec": EffectExec, "__builtin__.compile": EffectExec, "__builtin__.getattr": EffectExec,
	"__builtin__.setattr": EffectExec, "__builtin__.__import__": EffectExec, "__builtin__.apply": EffectExec,
	"__builtin__.execfile": EffectExec, "__builtin__.open": EffectFileWrite,
	"__builtins__.eval": EffectExec, "__builtins__.exec": EffectExec, "__builtins__.__import__": EffectExec, "__builtins__.getattr": EffectExec,
	// Calling whatever they are given: the step between a harmless global
	// and eval in every allow-list bypass.
	"operator.attrgetter": EffectExec, "operator.itemgetter": EffectExec, "operator.methodcaller": EffectExec,
	"_operator.attrgetter": EffectExec, "_operator.itemgetter": EffectExec, "_operator.methodcaller": EffectExec,
	"functools.partial": EffectExec, "functools.reduce": EffectExec, "copyreg.__newobj__": EffectExec,
	"collections.namedtuple":    EffectExec, // builds its class with exec
	"torch._C._jit_pass_inline": EffectExec, "torch.jit.unsupported_tensor_ops.execWrapper": EffectExec,
	"uuid._get_command_stdout": EffectProcess, "imaplib.IMAP4_stream": EffectProcess, // runs a command to talk to
	"logging.FileHandler": EffectFileWrite, "logging.handlers.RotatingFileHandler": EffectFileWrite,
	"logging.handlers.TimedRotatingFileHandler": EffectFileWrite, "logging.handlers.WatchedFileHandler": EffectFileWrite,
	"_io.FileIO": EffectFileWrite, "_io.open": EffectFileWrite, "io.FileIO": EffectFileWrite, "io.open": EffectFileWrite,
	"io.open_code": EffectFileRead, "codecs.open": EffectFileWrite,
	"torch.load": EffectDeserialize, "torch.serialization.load": EffectDeserialize, "torch.storage._load_from_bytes": EffectDeserialize,
	"numpy.load": EffectDeserialize, "pandas.read_pickle": EffectDeserialize,
	"numpy.save": EffectFileWrite, "numpy.savetxt": EffectFileWrite, "numpy.tofile": EffectFileWrite,
	"numpy.fromfile": EffectFileRead, "numpy.loadtxt": EffectFileRead, "pandas.read_csv": EffectFileRead,
	"pathlib.Path.write_text": EffectFileWrite, "pathlib.Path.write_bytes": EffectFileWrite, "pathlib.Path.open": EffectFileWrite,
	"pathlib.PosixPath.write_text": EffectFileWrite, "pathlib.PosixPath.write_bytes": EffectFileWrite, "pathlib.PosixPath.open": EffectFileWrite,
	"pathlib.Path.read_text": EffectFileRead, "pathlib.Path.read_bytes": EffectFileRead, "pathlib.PosixPath.read_text": EffectFileRead,
	"numpy.lib.format.read_array": EffectDeserialize, "numpy.lib.npyio.load": EffectDeserialize,
	"datasets.load_dataset": EffectExec, "evaluate.load": EffectExec,
	"keras.models.load_model": EffectDeserialize, "keras.saving.load_model": EffectDeserialize,
	"tensorflow.saved_model.load": EffectExec, "tensorflow.keras.models.load_model": EffectDeserialize,
	"transformers.AutoModel.from_pretrained": EffectNetwork, "transformers.AutoModelForCausalLM.from_pretrained": EffectNetwork,
	"transformers.pipeline": EffectNetwork, "onnx.load": EffectFileRead,
	"keras.utils.get_file": EffectFileWrite, "tensorflow.keras.utils.get_file": EffectFileWrite, // download to disk
	"pandas.eval": EffectExec, "tensorflow.py_function": EffectExec, "tensorflow.numpy_function": EffectExec,
	"copyreg.__newobj_ex__": EffectExec, "builtins.help": EffectProcess, // help() starts a pager
	"torch.save": EffectFileWrite, "torch.serialization.save": EffectFileWrite,
	"torch._C._load_for_lite_interpreter": EffectDeserialize, "torch._C.import_ir_module": EffectDeserialize,
	"torch._C.import_ir_module_from_buffer": EffectDeserialize,
	"numpy.memmap":                          EffectFileWrite, "numpy.core.memmap.memmap": EffectFileWrite, "numpy._core.memmap.memmap": EffectFileWrite,
	"numpy.DataSource": EffectNetwork,
	"gzip.open":        EffectFileWrite, "gzip.GzipFile": EffectFileWrite, "bz2.open": EffectFileWrite, "bz2.BZ2File": EffectFileWrite,
	"lzma.open": EffectFileWrite, "lzma.LZMAFile": EffectFileWrite, "wave.open": EffectFileWrite, "aifc.open": EffectFileWrite,
	"sunau.open": EffectFileWrite, "xml.etree.ElementTree.parse": EffectFileRead, "xml.dom.minidom.parse": EffectFileRead,
	// pandas's readers: files, URLs, databases; HDF5 stores unpickle
	// object columns; the clipboard runs xclip or pbpaste.
	"pandas.read_hdf": EffectDeserialize, "pandas.HDFStore": EffectDeserialize, "pandas.read_clipboard": EffectProcess,
	"pandas.read_html": EffectNetwork, "pandas.read_json": EffectNetwork, "pandas.read_xml": EffectNetwork,
	"pandas.read_sql": EffectNetwork, "pandas.read_sql_query": EffectNetwork, "pandas.read_sql_table": EffectNetwork,
	"pandas.read_table": EffectFileRead, "pandas.read_excel": EffectFileRead, "pandas.read_parquet": EffectFileRead,
	"pandas.read_feather": EffectFileRead, "pandas.read_fwf": EffectFileRead, "pandas.read_orc": EffectFileRead,
	"pandas.read_stata": EffectFileRead, "pandas.read_sas": EffectFileRead, "pandas.read_spss": EffectFileRead,
	// Calling or evaluating what they are given: operator.call (3.11),
	// typing's evaluation of string annotations, dataclasses' generated
	// code (field names go into exec'd source).
	"operator.call": EffectExec, "_operator.call": EffectExec, "typing.get_type_hints": EffectExec,
	"typing._eval_type": EffectExec, "typing.ForwardRef": EffectExec, "dataclasses.make_dataclass": EffectExec,
	"dataclasses._create_fn": EffectExec, "sentence_transformers.SentenceTransformer": EffectNetwork,
}

// effectOf is what module.name can do, and the listed key that says so;
// "" when nothing listed covers it.
func effectOf(module, name string) (Effect, string) {
	full := module + "." + name
	if e, ok := callableEffects[full]; ok {
		return e, full
	}
	if e, ok := callableEffects[module+"."+firstComponent(name)]; ok {
		return e, module + "." + firstComponent(name)
	}
	// The longest listed prefix of the module; then modules reached by
	// walking a dotted name (pathlib + "os.system": protocol 4 walks
	// attributes).
	best, key := Effect(""), ""
	for _, mod := range candidateModules(module, name) {
		e, ok := moduleEffects[mod]
		if !ok {
			continue
		}
		// The walked name's own modules weigh as much as the module's:
		// take the worst.
		if key == "" || severityOf(e) == Critical && severityOf(best) != Critical || len(mod) > len(key) && strings.HasPrefix(mod, key) {
			best, key = e, mod
		}
	}
	return best, key
}
