package modelscan

import (
	"fmt"
	"regexp"
	"strings"
)

// The config stage reads every text file shipped with a model for what a
// loader instantiates or runs: Hydra/OmegaConf `_target_` entries (YAML
// beside the model, inside NeMo archives, in safetensors metadata),
// remote-code pointers (`auto_map`, `trust_remote_code`), Python files
// shipped for trust_remote_code, and chat templates kept outside GGUF.

var (
	// A _target_ key in YAML or JSON, and the dotted callable it names.
	targetRe = regexp.MustCompile(`["']?_target_["']?\s*[:=]\s*["']?([A-Za-z_][\w.]*)`)
	// auto_map entries name a module shipped with the model (or, with
	// "repo--", in another repository) and a class in it.
	autoMapRe = regexp.MustCompile(`"auto_map"\s*:`)
	remoteRe  = regexp.MustCompile(`"([\w.-]+/[\w.-]+)--([\w.]+)"`)
	trustRe   = regexp.MustCompile(`trust_remote_code["']?\s*[:=]\s*(?i:true)`)
	// A target computed by interpolation (${...}), resolved by OmegaConf
	// before Hydra imports it: what it names is not written there.
	computedTargetRe = regexp.MustCompile(`["']?_target_["']?\s*[:=]\s*["']?\$\{`)
	// The path a locating target (hydra.utils.get_method and kin) imports.
	pathRe = regexp.MustCompile(`["']?path["']?\s*[:=]\s*["']?([A-Za-z_][\w.]*)`)
)

// locators are Hydra's functions that import whatever dotted path they
// are given: as a target, the config's path is what gets imported.
var locators = map[string]bool{"hydra.utils.get_method": true, "hydra.utils.get_class": true, "hydra.utils.get_object": true,
	"hydra.utils._locate": true, "hydra._internal.utils._locate": true}

// trustedTargets are the packages whose classes model configs
// instantiate by the thousand (NeMo, PyTorch, Lightning, Transformers):
// a target in them that is not a known dangerous callable is normal.
var trustedTargets = []string{"nemo.", "torch.", "torchaudio.", "torchvision.", "transformers.", "lightning.",
	"pytorch_lightning.", "omegaconf.", "hydra.", "megatron.", "apex.", "peft.", "timm.", "datasets.", "sklearn.",
	"numpy.", "diffusers.", "accelerate.", "sentencepiece.", "tokenizers."}

// scanTargets reports instantiation targets in text: by their effect when
// they reach something dangerous, as unknown code when they are outside
// the libraries configs use.
func (fs *fileScan) scanTargets(member, text string) {
	if computedTargetRe.MatchString(text) {
		fs.add(High, "config.computed-target", member, "a _target_ is an interpolation (${...}): OmegaConf computes what Hydra imports and calls, so the config does not say what runs", recReview)
	}
	seen := map[string]bool{}
	for _, m := range targetRe.FindAllStringSubmatch(text, 200) {
		target := m[1]
		if seen[target] {
			continue
		}
		seen[target] = true
		if locators[target] {
			fs.judgeLocated(member, target, text)
			continue
		}
		if e, key := effectOf(splitDotted(target)); e != "" {
			fs.add(severityOf(e), "config.instantiation", member, fmt.Sprintf("_target_ %s: Hydra/OmegaConf instantiate() calls it when the config is loaded (%s: %s)", target, key, e), recConvert)
			continue
		}
		trusted := false
		for _, p := range trustedTargets {
			trusted = trusted || strings.HasPrefix(target, p)
		}
		if !trusted {
			fs.add(Medium, "config.unknown-target", member, fmt.Sprintf("_target_ %s: a callable from outside the libraries model configs use, called when the config is instantiated", target), recReview)
		}
	}
}

// scanRemoteCode reports configs that make a loader fetch or run code.
func (fs *fileScan) scanRemoteCode(member, text string) {
	if autoMapRe.MatchString(text) {
		if m := remoteRe.FindStringSubmatch(text); m != nil {
			fs.add(High, "config.remote-code", member, fmt.Sprintf("auto_map points at code in another repository (%s, %s): trust_remote_code=True downloads and runs it", m[1], m[2]), recReview)
		} else {
			fs.add(Medium, "config.shipped-code", member, "auto_map names Python modules shipped with the model: loading with trust_remote_code=True runs them", recReview)
		}
	}
	if trustRe.MatchString(text) {
		fs.add(Medium, "config.trust-remote-code", member, "the config turns trust_remote_code on: the loader runs the model's own Python", recReview)
	}
}

// pythonCalls are the calls in shipped Python that do more than build a
// model, by effect.
var pythonCalls = []struct {
	re     *regexp.Regexp
	effect Effect
}{
	{regexp.MustCompile(`\b(?:eval|exec|compile|__import__)\s*\(`), EffectExec},
	{regexp.MustCompile(`\bos\.(?:system|popen|exec\w*|spawn\w*|fork\w*|posix_spawn\w*)\s*\(`), EffectProcess},
	{regexp.MustCompile(`\bsubprocess\.\w+\s*\(`), EffectProcess},
	{regexp.MustCompile(`\b(?:pickle|cPickle|dill|marshal|joblib)\.loads?\s*\(`), EffectDeserialize},
	{regexp.MustCompile(`\bctypes\.(?:CDLL|cdll|WinDLL|windll)\b`), EffectExec},
	{regexp.MustCompile(`\bsocket\.(?:socket|create_connection)\s*\(|\burllib\.request\.urlopen\s*\(|\brequests\.(?:get|post|put)\s*\(`), EffectNetwork},
}

// scanPython reports what Python shipped with a model does beyond
// defining it.
func (fs *fileScan) scanPython(member, text string) {
	for _, c := range pythonCalls {
		if m := c.re.FindString(text); m != "" {
			fs.add(severityOf(c.effect), "python.dangerous-call", member, fmt.Sprintf("Python shipped with the model calls %s (%s): it runs when the model is loaded with trust_remote_code", strings.TrimSpace(m), c.effect), recConvert)
		}
	}
}

// isTemplateFile reports a chat template kept as its own file.
func isTemplateFile(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".jinja") || strings.HasSuffix(n, ".jinja2") || strings.HasSuffix(n, ".j2") || strings.Contains(n, "chat_template")
}

// splitDotted splits a dotted callable into its module and name.
func splitDotted(s string) (mod, name string) {
	if i := strings.LastIndexByte(s, '.'); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// judgeLocated judges what a locating target imports: each path in the
// config, by its effect; with no path to read, the locator itself.
func (fs *fileScan) judgeLocated(member, target, text string) {
	paths := pathRe.FindAllStringSubmatch(text, 50)
	if len(paths) == 0 {
		fs.add(High, "config.instantiation", member, fmt.Sprintf("_target_ %s imports whatever path it is given, and the config names none the scanner can read", target), recReview)
		return
	}
	for _, p := range paths {
		if e, key := effectOf(splitDotted(p[1])); e != "" {
			fs.add(severityOf(e), "config.instantiation", member, fmt.Sprintf("_target_ %s imports %s (%s: %s) when the config is instantiated", target, p[1], key, e), recConvert)
		}
	}
}
