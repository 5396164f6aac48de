package modelscan

import (
	"strings"

	"github.com/wardenhq/warden/internal/pickle"
)

// Severities, lowest first.
const (
	Low      = "low"
	Medium   = "medium"
	High     = "high"
	Critical = "critical"
)

func rank(s string) int {
	switch s {
	case Low:
		return 1
	case Medium:
		return 2
	case High:
		return 3
	case Critical:
		return 4
	}
	return 0
}

// safeGlobals are the globals legitimate ML pickles use (PyTorch, NumPy,
// scikit-learn style containers): importing them is not a finding. Keys are
// "module.name"; a key ending in ".*" allows every name of the module.
var safeGlobals = setOf(
	"collections.OrderedDict", "collections.defaultdict", "collections.Counter", "collections.deque",
	"torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
	"torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch._utils._rebuild_qtensor",
	"torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_device_tensor_from_numpy",
	"torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_wrapper_subclass",
	"torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type",
	"torch.Size", "torch.device", "torch.dtype", "torch.Tensor", "torch.nn.parameter.Parameter",
	"torch.float16", "torch.float32", "torch.float64", "torch.bfloat16", "torch.int8", "torch.int16",
	"torch.int32", "torch.int64", "torch.uint8", "torch.bool", "torch.complex64", "torch.complex128",
	"torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage",
	"torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage",
	"torch.ComplexFloatStorage", "torch.ComplexDoubleStorage", "torch.QInt8Storage", "torch.QUInt8Storage",
	"torch.QInt32Storage", "torch.QUInt4x2Storage", "torch.QUInt2x4Storage", "torch.UntypedStorage",
	"torch.storage.UntypedStorage", "torch.storage.TypedStorage",
	"torch.per_tensor_affine", "torch.per_channel_affine", "torch.contiguous_format", "torch.channels_last",
	"numpy.dtype", "numpy.ndarray", "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
	"numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.random._pickle.__randomstate_ctor",
	"numpy.random._pickle.__bit_generator_ctor", "numpy.random._pickle.__generator_ctor",
	"numpy.float64", "numpy.float32", "numpy.int64", "numpy.int32", "numpy.bool_",
	"_codecs.encode", "copyreg._reconstructor", "copy_reg._reconstructor", "argparse.Namespace",
	"builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.slice", "builtins.complex",
	"builtins.range", "builtins.list", "builtins.dict", "builtins.tuple", "builtins.int", "builtins.float",
	"builtins.str", "builtins.bytes", "builtins.bool", "builtins.object",
	"__builtin__.set", "__builtin__.frozenset", "__builtin__.bytearray", "__builtin__.slice", "__builtin__.complex",
	"__builtin__.object", "__builtin__.long",
	"datetime.datetime", "datetime.date", "datetime.timedelta", "datetime.timezone", "decimal.Decimal",
	"fractions.Fraction", "uuid.UUID", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.Path",
	"transformers.training_args.TrainingArguments", "transformers.trainer_utils.IntervalStrategy",
	"transformers.trainer_utils.SchedulerType", "transformers.trainer_utils.HubStrategy",
	"transformers.training_args.OptimizerNames", "transformers.trainer_utils.SaveStrategy",
	"accelerate.utils.dataclasses.DistributedType", "tokenizers.AddedToken",
	// Found in files PyTorch, NumPy, pandas and joblib write themselves.
	"torch.serialization._get_layout", "torch._utils._rebuild_sparse_csr", "torch._utils._rebuild_nested_tensor",
	"torch.qint8", "torch.quint8", "torch.qint32", "torch.quint4x2", "torch.quint2x4", "torch.float8_e4m3fn",
	"torch.float8_e5m2", "torch.float8_e4m3fnuz", "torch.float8_e5m2fnuz", "torch.uint16", "torch.uint32", "torch.uint64",
	"torch.complex32", "torch.strided", "torch.sparse_coo", "torch.sparse_csr", "torch.sparse_csc", "torch.sparse_bsr",
	"torch.sparse_bsc", "torch.per_tensor_symmetric", "torch.per_channel_symmetric", "torch.preserve_format",
	"torch.nn.functional.*", "torch._C._nn.*", "torch._C._special.*", "torch._C._linalg.*", "torch._C._fft.*",
	// TorchScript's own reconstructors, which its unpickler resolves itself.
	"torch.jit._pickle.build_intlist", "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_doublelist",
	"torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensor_from_id", "torch.jit._pickle.restore_type_tag",
	"__builtin__.list", "__builtin__.dict", "__builtin__.tuple", "__builtin__.int", "__builtin__.float", "__builtin__.str",
	"__builtin__.bytes", "__builtin__.bool", "__builtin__.unicode", "__builtin__.range", "__builtin__.xrange",
	"numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer", "numpy.ma.core._mareconstruct",
	"numpy.ma.core.MaskedArray", "numpy.ma.core.MaskedConstant", "numpy.core.multiarray.array", "numpy.matrix",
	"numpy.float16", "numpy.int8", "numpy.int16", "numpy.uint8", "numpy.uint16", "numpy.uint32", "numpy.uint64",
	"numpy.complex64", "numpy.complex128", "numpy.str_", "numpy.bytes_", "numpy.datetime64", "numpy.timedelta64",
	// joblib's array wrapper: the array it stands for follows in the
	// stream, and is read (a nested pickle for arrays of objects).
	"joblib.numpy_pickle.NumpyArrayWrapper",
	// Old joblib's wrappers for arrays kept in files beside the pickle:
	// the file each names is judged (scanPickleStream).
	"joblib.numpy_pickle.NDArrayWrapper", "joblib.numpy_pickle.ZNDArrayWrapper",
	"joblib.numpy_pickle_compat.NDArrayWrapper", "joblib.numpy_pickle_compat.ZNDArrayWrapper",
	"numpy.matrixlib.defmatrix.matrix",
	// Lightning and NeMo checkpoints: OmegaConf configs with their typing
	// annotations (typing.Dict[str, int] pickles as operator.getitem on
	// typing.Dict), version objects.
	"typing.Any", "typing.Dict", "typing.List", "typing.Tuple", "typing.Optional", "typing.Union", "typing.Set",
	"_operator.getitem", "operator.getitem", "torch.torch_version.TorchVersion", "packaging.version.Version",
)

// safeModules are packages whose classes ML files legitimately pickle
// (estimators, frames, layers); their names are allowed unless the
// denylist names them.
var safeModules = []string{
	"sklearn.", "pandas.core.", "pandas._libs.", "xgboost.core", "xgboost.sklearn", "lightgbm.basic",
	"lightgbm.sklearn", "scipy.sparse.", "torch.nn.modules.", "torch.optim.", "torch.nn.utils.",
	"catboost.core", "scipy.stats._distn_infrastructure", "scipy.stats._continuous_distns", "scipy.stats._discrete_distns",
	// Hugging Face: models, configs, training arguments (Trainer's and
	// TRL's), adapters; the modules that fetch or run code are judged by
	// their effect first.
	"transformers.", "trl.trainer.", "peft.", "accelerate.utils.dataclasses", "sentence_transformers.",
	"diffusers.models.", "diffusers.schedulers.", "diffusers.configuration_utils",
	"timm.models.", "timm.layers.", "torchvision.models.", "torchvision.transforms.", "torchvision.ops.",
	"omegaconf.", "pytorch_lightning.", "lightning_fabric.", "lightning.",
}

// pickleHelpers are the functions libraries generate or write to rebuild
// their own objects (Cython's __pyx_unpickle_*, pandas's _unpickle_* and
// _new_Index, scikit-learn's newObj): allowed in the safe modules, as
// classes are.
func pickleHelper(name string) bool {
	for _, p := range []string{"__pyx_unpickle_", "_unpickle", "_new_", "__nat_unpickle"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return name == "newObj" || name == "new_block" || name == "_reconstruct"
}

// scannerNames are imports of the scanners themselves: a file that reaches
// for them is trying to switch them off.
var scannerNames = []string{"fickling", "picklescan", "modelscan", "modelaudit", "model_unpickler", "saferpickle"}

func setOf(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// judgement is the policy's verdict on one import.
type judgement struct {
	severity, rule, detail, recommendation string
}

const (
	recConvert = "Do not load this file; if the model is needed, get its weights in safetensors from a trusted source."
	recReview  = "Review where this file came from before loading it; prefer safetensors, or load with torch.load(weights_only=True)."
)

// judge decides what an import means. Safe globals are no finding (nil).
func judge(g *pickle.Global) *judgement {
	full := g.Module + "." + g.Name
	where := g.Op + " " + full
	if g.Computed {
		return &judgement{Critical, "pickle.computed-import", where + ": the module or name is computed while loading, not written in the file, so no scanner can tell what it imports", recConvert}
	}
	for _, s := range scannerNames {
		if hasComponent(g.Module, s) || hasComponent(g.Name, s) {
			return &judgement{Critical, "pickle.scanner-tampering", where + ": imports a model scanner, to switch it off", recConvert}
		}
	}
	for _, d := range []string{"__builtins__", "__globals__", "__dict__", "__class__", "__subclasses__", "__import__",
		"__getattribute__", "__reduce__", "__code__", "__call__", "__mro__", "__base__", "__init__", "__func__"} {
		if hasComponent(g.Name, d) || hasComponent(g.Module, d) {
			return &judgement{Critical, "pickle.dunder-attribute", where + ": reaches " + d + ", the way allow-list bypasses get from a harmless global to eval or the builtins", recConvert}
		}
	}
	// TorchScript's own type names (__torch__.MyModule) are resolved by
	// its compilation unit, not imported from Python.
	if g.Module == "__torch__" || strings.HasPrefix(g.Module, "__torch__.") {
		return nil
	}
	if e, key := effectOf(g.Module, g.Name); e != "" && !safeGlobals[full] {
		rule := "pickle.dangerous-callable"
		switch {
		case e == EffectNetwork:
			rule = "pickle.network-import"
		case !strings.Contains(key, ".") || strings.HasPrefix(full, key+".") && callableEffects[key] == "":
			rule = "pickle.dangerous-import"
		}
		return &judgement{severityOf(e), rule, where + ": " + string(e) + " when the file is loaded (" + key + ")", recConvert}
	}
	if strings.Contains(g.Name, ".") && !safeGlobals[full] {
		return &judgement{High, "pickle.attribute-walk", where + ": a dotted name walks attributes of the imported object, the way allow-list bypasses reach hidden callables", recReview}
	}
	if safeGlobals[full] || safeGlobals[g.Module+".*"] {
		if g.Built > 0 && !isClass(g.Name) {
			return &judgement{High, "pickle.build-on-global", where + ": BUILD sets attributes on the imported function itself, which allow-list bypasses use to smuggle in callables", recReview}
		}
		return nil
	}
	for _, p := range safeModules {
		if strings.HasPrefix(g.Module+".", p) && (isClass(g.Name) || pickleHelper(g.Name)) {
			return nil
		}
	}
	return &judgement{Medium, "pickle.unknown-import", where + ": not on the allow-list of globals that model files use; loading runs its code", recReview}
}

// isClass reports names that look like classes (CamelCase, private ones
// too: _BinMapper), which ML libraries pickle by the thousand, rather than
// functions.
func isClass(name string) bool {
	name = strings.TrimLeft(name, "_")
	return name != "" && name[0] >= 'A' && name[0] <= 'Z'
}

func init() {
	// SciPy's sparse matrices and arrays are classes with lower-case
	// names, in private modules since SciPy 1.8.
	for _, k := range []string{"csr", "csc", "coo", "lil", "dok", "bsr", "dia"} {
		for _, mod := range []string{"scipy.sparse._" + k, "scipy.sparse." + k} {
			safeGlobals[mod+"."+k+"_matrix"], safeGlobals[mod+"."+k+"_array"] = true, true
		}
	}
	// NumPy's math ufuncs, which pickles name directly (a scikit-learn
	// FunctionTransformer(np.log1p)); _multiarray_umath also holds
	// fromfile and friends, so names are listed one by one.
	for _, u := range strings.Fields(`absolute add arccos arccosh arcsin arcsinh arctan arctan2 arctanh cbrt ceil conjugate
		cos cosh deg2rad degrees divide exp exp2 expm1 fabs floor floor_divide fmax fmin fmod hypot isfinite isinf isnan
		log log10 log1p log2 logaddexp logaddexp2 logical_and logical_not logical_or logical_xor maximum minimum mod
		multiply negative positive power rad2deg radians reciprocal remainder rint sign sin sinh sqrt square subtract
		tan tanh true_divide trunc clip`) {
		for _, mod := range []string{"numpy", "numpy.core._multiarray_umath", "numpy._core._multiarray_umath"} {
			safeGlobals[mod+"."+u] = true
		}
	}
}

func firstComponent(s string) string {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i]
	}
	return s
}

func hasComponent(s, c string) bool {
	for _, p := range strings.Split(s, ".") {
		if p == c {
			return true
		}
	}
	return false
}

// candidateModules lists the module and its dotted prefixes ("torch",
// "torch.utils", "torch.utils.collect_env"), and the components of a
// dotted name ("os" in "os.system").
func candidateModules(mod, name string) []string {
	var out []string
	parts := strings.Split(mod, ".")
	for i := range parts {
		out = append(out, strings.Join(parts[:i+1], "."))
	}
	if strings.Contains(name, ".") {
		np := strings.Split(name, ".")
		for i := range np[:len(np)-1] {
			out = append(out, strings.Join(np[:i+1], "."))
			out = append(out, mod+"."+strings.Join(np[:i+1], "."))
		}
	}
	return out
}
