package main

import (
	"context"
	"fmt"
	"os"
	"testing"

	gldetect "github.com/zricethezav/gitleaks/v8/detect"

	"github.com/wardenhq/warden/internal/classifier"
	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/scan"
)

// TestCredProbe measures the secrets detector on the CredSweeper lines of the
// shared data, one line at a time as they would appear in a chat (role
// assistant): recall on secrets, false positives on the look-alikes, and
// gitleaks' own detector (its default configuration, as a library) on the
// same lines for comparison. An experiment: WARDEN_EXPERIMENTS=1.
func TestCredProbe(t *testing.T) {
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 to run it")
	}
	rows, err := classifier.ReadFile("../../../shared/datasets/credsweeper/data.jsonl")
	if err != nil {
		t.Skip(err)
	}
	d, err := detect.DefaultSecrets()
	if err != nil {
		t.Fatal(err)
	}
	gl, err := gldetect.NewDetectorDefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	type score struct{ tp, fn, fp, tn int }
	var w, g score
	count := func(s *score, secret, found bool) {
		switch {
		case secret && found:
			s.tp++
		case secret:
			s.fn++
		case found:
			s.fp++
		default:
			s.tn++
		}
	}
	for _, r := range rows {
		fs, _ := d.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: scan.RoleAssistant, Text: r.Text}}})
		count(&w, r.Label == "secret", len(fs) > 0)
		count(&g, r.Label == "secret", len(gl.DetectString(r.Text)) > 0)
	}
	for _, x := range []struct {
		name string
		s    score
	}{{"warden", w}, {"gitleaks", g}} {
		fmt.Printf("%-8s recall %.3f (%d/%d), false positives %.3f (%d/%d)\n", x.name,
			float64(x.s.tp)/float64(x.s.tp+x.s.fn), x.s.tp, x.s.tp+x.s.fn, float64(x.s.fp)/float64(x.s.fp+x.s.tn), x.s.fp, x.s.fp+x.s.tn)
	}
	fmt.Printf("credential kinds: %d\n", len(d.Kinds()))
}
