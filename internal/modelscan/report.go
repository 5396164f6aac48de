package modelscan

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteJSON writes the report as one JSON object.
func WriteJSON(w io.Writer, r Report) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(r)
}

// WriteText writes the report for people: one line per finding, then the
// summary.
func WriteText(w io.Writer, r Report) error {
	for _, f := range r.Files {
		switch {
		case f.Error != "":
			fmt.Fprintf(w, "%s [%s]: NOT SCANNED: %s\n", f.Path, f.Format, f.Error)
		case len(f.Findings) == 0:
			fmt.Fprintf(w, "%s [%s]: clean\n", f.Path, f.Format)
		}
		for _, x := range f.Findings {
			where := f.Path
			if x.Member != "" {
				where += "!/" + x.Member
			}
			fmt.Fprintf(w, "%s [%s]: %s %s: %s\n    -> %s\n", where, f.Format, strings.ToUpper(x.Severity), x.Rule, x.Detail, x.Recommendation)
		}
	}
	s := r.Summary
	_, err := fmt.Fprintf(w, "\n%d files: %d clean, %d with findings, %d not scanned; findings: %d critical, %d high, %d medium, %d low\n",
		s.Files, s.Clean, s.WithFindings, s.Errors, s.BySeverity[Critical], s.BySeverity[High], s.BySeverity[Medium], s.BySeverity[Low])
	return err
}

// SARIF 2.1.0, the subset code-scanning dashboards read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Results     []sarifResult     `json:"results"`
	Invocations []sarifInvocation `json:"invocations"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	ShortDescription sarifText      `json:"shortDescription"`
	Help             sarifText      `json:"help"`
	Properties       map[string]any `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical     `json:"physicalLocation"`
	LogicalLocations []sarifLogicalLoc `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifLogicalLoc struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

// sarifLevel maps severities to SARIF levels; the numeric security
// severity goes in the rule's properties, as code-scanning tools read it.
func sarifLevel(sev string) (string, string) {
	switch sev {
	case Critical:
		return "error", "9.5"
	case High:
		return "error", "8.0"
	case Medium:
		return "warning", "5.5"
	}
	return "note", "2.0"
}

// WriteSARIF writes the report as SARIF 2.1.0. Files that could not be
// scanned are tool execution notifications, and make the run unsuccessful.
func WriteSARIF(w io.Writer, r Report, version string) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "warden-models", Version: version,
		InformationURI: "https://github.com/wardenhq/warden", Rules: []sarifRule{}}}, Results: []sarifResult{}}
	index := map[string]int{}
	var rules []string
	sevOf := map[string]string{}
	for _, f := range r.Files {
		for _, x := range f.Findings {
			if _, ok := index[x.Rule]; !ok {
				index[x.Rule] = -1
				rules = append(rules, x.Rule)
			}
			if rank(x.Severity) > rank(sevOf[x.Rule]) {
				sevOf[x.Rule] = x.Severity
			}
		}
	}
	sort.Strings(rules)
	for i, id := range rules {
		index[id] = i
		_, score := sarifLevel(sevOf[id])
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: id,
			ShortDescription: sarifText{Text: ruleDescription(id)}, Help: sarifText{Text: ruleDescription(id)},
			Properties: map[string]any{"security-severity": score, "tags": []string{"security", "ml-model"}}})
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, f := range r.Files {
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri(f.Path)}}}
		if f.Error != "" {
			inv.ExecutionSuccessful = false
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "error",
				Message: sarifText{Text: "not scanned: " + f.Error}, Locations: []sarifLocation{loc}})
		}
		for _, x := range f.Findings {
			level, _ := sarifLevel(x.Severity)
			l := loc
			if x.Member != "" {
				l.LogicalLocations = []sarifLogicalLoc{{FullyQualifiedName: x.Member, Kind: "member"}}
			}
			run.Results = append(run.Results, sarifResult{RuleID: x.Rule, RuleIndex: index[x.Rule], Level: level,
				Message:   sarifText{Text: strings.ToUpper(x.Severity) + ": " + x.Detail + " Recommendation: " + x.Recommendation},
				Locations: []sarifLocation{l}})
		}
	}
	run.Invocations = []sarifInvocation{inv}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

// uri turns a path into a relative URI reference, slashes forward.
func uri(p string) string { return strings.ReplaceAll(p, "\\", "/") }

// ruleDescription is a rule's one-line description, from its family.
func ruleDescription(id string) string {
	fam, _, _ := strings.Cut(id, ".")
	switch {
	case strings.HasPrefix(id, "secret."):
		return "A credential is exposed in a model file"
	case strings.HasPrefix(id, "malware."):
		return "Malware or a malicious payload in a model file"
	}
	d := map[string]string{
		"pickle": "Unsafe pickle content: loading the model runs code", "zip": "An archive built to confuse scanners or loaders",
		"tar": "An archive that writes outside its directory", "file": "A file whose name or structure hides what it is",
		"numpy": "A NumPy file that unpickles objects", "safetensors": "A malformed safetensors header",
		"gguf": "A GGUF chat template that reaches Python internals", "keras": "A Keras model that runs code when loaded",
		"onnx": "An ONNX model that reaches outside its directory or loads custom code", "tensorflow": "A TensorFlow graph with operations that reach outside the model",
		"template": "A chat template that reaches Python internals",
	}[fam]
	if d == "" {
		return id
	}
	return d
}
