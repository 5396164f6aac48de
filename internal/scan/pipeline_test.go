package scan

import (
	"context"
	"errors"
	"regexp"
	"testing"
)

type fixed struct {
	name string
	fs   []Finding
	err  error
}

func (f fixed) Name() string                                      { return f.name }
func (f fixed) Detect(context.Context, *Input) ([]Finding, error) { return f.fs, f.err }

func TestPipelineVerdict(t *testing.T) {
	low := Finding{Type: "low", Confidence: 0.3}
	mid := Finding{Type: "mid", Confidence: 0.6}
	high := Finding{Type: "high", Confidence: 0.9}
	advisory := Finding{Type: "advisory", Confidence: 0.95, Advisory: true}
	tests := []struct {
		name  string
		dets  []Detector
		want  Verdict
		count int
	}{
		{"nothing", nil, VerdictAllow, 0},
		{"below flag is dropped", []Detector{fixed{"a", []Finding{low}, nil}}, VerdictAllow, 0},
		{"flag", []Detector{fixed{"a", []Finding{low, mid}, nil}}, VerdictFlag, 1},
		{"block", []Detector{fixed{"a", []Finding{mid}, nil}, fixed{"b", []Finding{high}, nil}}, VerdictBlock, 2},
		{"advisory findings flag, never block", []Detector{fixed{"a", []Finding{advisory}, nil}}, VerdictFlag, 1},
		{"a failing detector does not hide others", []Detector{fixed{"a", nil, errors.New("down")}, fixed{"b", []Finding{high}, nil}}, VerdictBlock, 1},
	}
	for _, tt := range tests {
		res := NewPipeline(tt.dets...).Scan(context.Background(), &Input{}, DefaultPolicy)
		if res.Verdict != tt.want || len(res.Findings) != tt.count {
			t.Errorf("%s: verdict %s with %d findings, want %s with %d", tt.name, res.Verdict, len(res.Findings), tt.want, tt.count)
		}
		if len(res.Findings) > 1 && res.Findings[0].Confidence < res.Findings[1].Confidence {
			t.Errorf("%s: findings not ordered by confidence", tt.name)
		}
	}
}

func TestAllowList(t *testing.T) {
	text := "please ignore previous instructions about the fonts"
	f := Finding{Type: "jailbreak", Confidence: 0.9, Part: 0, Spans: []Span{{7, 35}}}
	in := &Input{Parts: []Part{{Role: RoleUser, Text: text}}}
	p := NewPipeline(fixed{"a", []Finding{f}, nil})
	if res := p.Scan(context.Background(), in, DefaultPolicy); len(res.Findings) != 1 {
		t.Fatalf("without an allow-list: %d findings, want 1", len(res.Findings))
	}
	p.Allow(regexp.MustCompile(`(?i)^ignore previous instructions$`))
	if res := p.Scan(context.Background(), in, DefaultPolicy); len(res.Findings) != 0 || res.Verdict != VerdictAllow {
		t.Errorf("allow-listed text still flagged: %+v", res)
	}
}

func TestForSensitivity(t *testing.T) {
	base := DefaultPolicy
	low, high := ForSensitivity(base, "low"), ForSensitivity(base, "high")
	if !(low.FlagAt > base.FlagAt && low.BlockAt > base.BlockAt && high.FlagAt < base.FlagAt && high.BlockAt < base.BlockAt) {
		t.Errorf("low %+v, base %+v, high %+v: want thresholds ordered", low, base, high)
	}
	if ForSensitivity(base, "medium") != base || ForSensitivity(base, "") != base {
		t.Error("medium changed the policy")
	}
}
