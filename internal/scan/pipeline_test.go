package scan

import (
	"context"
	"errors"
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
