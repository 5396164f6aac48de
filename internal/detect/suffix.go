package detect

import (
	"context"
	"fmt"

	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/suffix"
)

// Suffix finds adversarial suffixes: a request followed by token salad
// (words no one writes in that order, markup and bracket debris, case
// changes inside words, several scripts at once), the output of attacks
// that optimise a suffix against a model (GCG and its kin). The salad is
// judged by a character language model of ordinary text (package suffix);
// the request itself is left to the other detectors, and a plain harmful
// question stays what it is.
type Suffix struct {
	m *suffix.Model
}

var _ scan.Detector = (*Suffix)(nil)

// NewSuffix returns the detector over the embedded language model.
func NewSuffix() (*Suffix, error) {
	m, err := suffix.Default()
	return &Suffix{m: m}, err
}

// Name implements scan.Detector.
func (*Suffix) Name() string { return "suffix" }

// Roles implements scan.RoleFilter.
func (*Suffix) Roles() []scan.Role { return []scan.Role{scan.RoleUser, scan.RoleSystem} }

// Detect implements scan.Detector.
func (d *Suffix) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for i, p := range in.Parts {
		if p.Role != scan.RoleUser && !(p.Role == scan.RoleSystem && in.JudgeSystem) {
			continue
		}
		sp, ok := d.m.Find(p.Text)
		if !ok {
			continue
		}
		out = append(out, scan.Finding{Category: scan.CategoryJailbreak, Type: "jailbreak", Confidence: 0.85,
			Severity: scan.SeverityMedium, Detector: "suffix", Part: i, Spans: []scan.Span{{sp.Start, sp.End}},
			Reason: fmt.Sprintf("adversarial suffix: %d tokens of salad after the request (%d odd, %.1f bits a character)", sp.Tokens, sp.Odd, sp.Bits)})
	}
	return out, nil
}
