package modelscan

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestSARIFGolden writes the SARIF report of a few fixtures and compares it
// with testdata/golden.sarif (go test -run TestSARIFGolden -update
// rewrites it), then checks the fields SARIF 2.1.0 requires.
func TestSARIFGolden(t *testing.T) {
	rep := newTestScanner(t).ScanPaths(context.Background(), []string{
		"testdata/benign_model.pt", "testdata/memo_ctf.pkl", "testdata/nested_zip.zip", "testdata/secret_config.json", "testdata/missing.pt"})
	var b bytes.Buffer
	if err := WriteSARIF(&b, rep, "test"); err != nil {
		t.Fatal(err)
	}
	if *update {
		os.WriteFile("testdata/golden.sarif", b.Bytes(), 0o644)
	}
	want, err := os.ReadFile("testdata/golden.sarif")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("SARIF differs from testdata/golden.sarif (run with -update if the change is intended):\n%s", b.String())
	}
	// The 2.1.0 schema's required properties.
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
			Invocations []struct {
				ExecutionSuccessful *bool `json:"executionSuccessful"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name == "" {
		t.Fatalf("version %q, %d runs: want 2.1.0 and one run with a driver name", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if len(run.Results) == 0 || len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful == nil || *run.Invocations[0].ExecutionSuccessful {
		t.Errorf("results %d, invocations %+v: want results and an unsuccessful invocation (a file was missing)", len(run.Results), run.Invocations)
	}
	rules := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		rules[r.ID] = true
	}
	for _, r := range run.Results {
		if !rules[r.RuleID] || r.Message.Text == "" || len(r.Locations) == 0 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("result %+v lacks a known rule, a message or a location", r)
		}
		switch r.Level {
		case "error", "warning", "note", "none":
		default:
			t.Errorf("level %q is not a SARIF level", r.Level)
		}
	}
}
