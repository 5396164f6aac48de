package modelscan

import (
	"fmt"
	"strings"

	"github.com/wardenhq/warden/internal/pickle"
)

// The modules and functions a Keras config names, which Keras imports and
// calls while loading: Keras's own that do more than build layers,
// TensorFlow's by their effect, anything else as the pickle policy judges
// an import.

// kerasFamily are the packages whose modules Keras configs name for their
// own layers and functions.
var kerasFamily = []string{"keras", "keras_hub", "keras_nlp", "keras_cv", "tf_keras", "tensorflow.keras", "tensorflow.python.keras"}

// kerasCallables are Keras's own callables that do more than build layers,
// wherever they sit (keras.utils, keras.src.utils.file_utils, tf_keras):
// a config that names one has Keras call it while loading.
var kerasCallables = map[string]Effect{
	"get_file": EffectFileWrite, "extract_archive": EffectFileWrite, "save_model": EffectFileWrite,
	"save_weights": EffectFileWrite, "load_model": EffectDeserialize, "load_model_from_hdf5": EffectDeserialize,
	"deserialize_model_from_bytecode": EffectDeserialize, "func_load": EffectExec, "enable_unsafe_deserialization": EffectExec,
	"load_weights": EffectFileRead, "load_img": EffectFileRead, "image_dataset_from_directory": EffectFileRead,
	"text_dataset_from_directory": EffectFileRead, "audio_dataset_from_directory": EffectFileRead, "from_preset": EffectNetwork,
}

func inPackages(mod string, pkgs []string) bool {
	for _, p := range pkgs {
		if mod == p || strings.HasPrefix(mod, p+".") {
			return true
		}
	}
	return false
}

// judgeKerasModule judges a module and name a config makes Keras import.
func (fs *fileScan) judgeKerasModule(member, mod, name string) {
	report := func(e Effect, what string) {
		fs.add(severityOf(e), "keras.dangerous-module", member, fmt.Sprintf("the config names %s.%s (%s), which Keras calls when the model is loaded", mod, name, what), recConvert)
	}
	if e, key := effectOf(mod, name); e != "" && strings.Contains(key, ".") && callableEffects[key] != "" {
		report(e, string(e))
		return
	}
	switch {
	case inPackages(mod, kerasFamily):
		if e, ok := kerasCallables[name]; ok {
			report(e, string(e))
		}
		return
	case inPackages(mod, []string{"tensorflow"}):
		if e, key := tfAPIEffect(strings.TrimPrefix(mod+"."+name, "tensorflow.")); e != "" {
			report(e, "tf."+key+": "+string(e))
		}
		return
	case mod == "builtins":
		if e, _ := effectOf(mod, name); name == "" || e == "" {
			return
		}
	}
	g := &pickle.Global{Module: mod, Name: name, Op: "config"}
	if j := judge(g); j != nil && rank(j.severity) >= rank(High) {
		fs.add(Critical, "keras.dangerous-module", member, fmt.Sprintf("the config names %s.%s, which Keras imports and calls when the model is loaded (CVE-2025-1550)", mod, name), recConvert)
		return
	}
	fs.add(Medium, "keras.custom-module", member, fmt.Sprintf("the config names %s.%s from outside Keras: its code runs when the model is loaded", mod, name), recReview)
}
