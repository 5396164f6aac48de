package scan

import (
	"context"
	"testing"
)

// constant reports a finding of a constant confidence on every part.
type constant float64

func (constant) Name() string { return "constant" }
func (c constant) Detect(_ context.Context, in *Input) ([]Finding, error) {
	var fs []Finding
	for i := range in.Parts {
		fs = append(fs, Finding{Category: CategoryJailbreak, Type: "jailbreak", Confidence: float64(c), Part: i, Detector: "constant"})
	}
	return fs, nil
}

type countingJudge struct{ asked []int }

func (*countingJudge) Name() string { return "judge" }
func (j *countingJudge) Judge(_ context.Context, _ *Input, i int) (Finding, bool, error) {
	j.asked = append(j.asked, i)
	return Finding{Category: CategoryJailbreak, Type: "jailbreak", Confidence: 0.95, Part: i, Detector: "judge"}, true, nil
}

// TestJudgeBand: the judge is asked about the parts in the uncertain band
// only, and its finding counts in the verdict.
func TestJudgeBand(t *testing.T) {
	for _, tt := range []struct {
		conf      float64
		wantAsked int
		want      Verdict
	}{
		{0.2, 0, VerdictAllow},  // sure it is fine
		{0.6, 2, VerdictBlock},  // unsure: asked, and it says attack
		{0.85, 0, VerdictBlock}, // sure it is an attack
	} {
		j := &countingJudge{}
		p := NewPipeline(constant(tt.conf)).WithJudge(j, 0.3, 0.8)
		in := &Input{Parts: []Part{{Role: RoleUser, Text: "a"}, {Role: RoleUser, Text: "b"}}}
		res := p.Scan(context.Background(), in, DefaultPolicy)
		if len(j.asked) != tt.wantAsked || res.Verdict != tt.want {
			t.Errorf("confidence %v: judge asked about %v, verdict %s; want %d parts asked, %s", tt.conf, j.asked, res.Verdict, tt.wantAsked, tt.want)
		}
	}
}
