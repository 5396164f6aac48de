package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestModelsScanExitCodes checks ClamAV's exit codes: 0 clean, 1 findings,
// 2 a file that could not be scanned or bad usage; and that the JSON form
// is one object with files and a summary.
func TestModelsScanExitCodes(t *testing.T) {
	td := "../modelscan/testdata/"
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"models", "scan", td + "benign_model.pt", td + "benign.safetensors"}, 0},
		{[]string{"models", "scan", td + "benign_model.pt", td + "memo_ctf.pkl"}, 1},
		{[]string{"models", "scan", td + "memo_ctf.pkl", td + "no-such-file.pt"}, 2},
		{[]string{"models", "scan"}, 2},
		{[]string{"models", "scan", "--format", "xml", td + "benign.npy"}, 2},
		{[]string{"models"}, 2},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := Run(context.Background(), tt.args, strings.NewReader(""), &out, &bytes.Buffer{})
		got := 0
		if err != nil {
			got = ExitCode(err)
		}
		if got != tt.want {
			t.Errorf("warden %s: exit %d (%v), want %d", strings.Join(tt.args, " "), got, err, tt.want)
		}
	}
	var out bytes.Buffer
	Run(context.Background(), []string{"models", "scan", "--format", "json", td + "nested_zip.zip"}, strings.NewReader(""), &out, &bytes.Buffer{})
	var rep struct {
		Files []struct {
			Path     string
			Format   string
			Findings []struct{ Severity, Rule, Member, Detail, Recommendation string }
		}
		Summary map[string]any
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, out.String())
	}
	if len(rep.Files) != 1 || len(rep.Files[0].Findings) == 0 || rep.Files[0].Findings[0].Member != "model.pt!/archive/data.pkl" || rep.Summary["highest"] != "critical" {
		t.Errorf("JSON report: %+v", rep)
	}
}
