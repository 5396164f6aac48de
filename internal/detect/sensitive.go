package detect

import (
	"context"
	"fmt"

	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/sensitive"
)

// Sensitive finds sensitive information types (card numbers, national ids,
// contact details, ...) with the sensitive package. In a model's answer a
// value of a financial, national-id or health type (or one of the team's
// own exact-data records or custom types) is data leakage that can block; contact and
// network details in an answer, and anything a user sends, are advisory:
// recorded for the data security component, never a reason to refuse.
type Sensitive struct {
	C *sensitive.Classifier
}

var _ scan.Detector = (*Sensitive)(nil)

// Name implements scan.Detector.
func (*Sensitive) Name() string { return "sensitive" }

// blocking are the classes whose leak in a response is serious enough to
// block at high confidence.
var blocking = map[string]bool{"financial": true, "national_id": true, "health": true, "exact_data": true, "custom": true}

// Detect implements scan.Detector.
func (d *Sensitive) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for i, p := range in.Parts {
		if p.Role == scan.RoleSystem {
			continue
		}
		for _, m := range d.C.Find(p.Text) {
			f := scan.Finding{Category: scan.CategoryDataLeakage, Type: "sensitive_data_in_prompt",
				Confidence: float64(m.Confidence) / 100, Severity: scan.SeverityLow, Detector: "sensitive",
				Part: i, Spans: []scan.Span{scan.Span(m.Span)}, Kind: m.Type, Advisory: true,
				Reason: fmt.Sprintf("sensitive type %s (%s), %s confidence", m.Type, m.Class, level(m.Confidence))}
			if p.Role == scan.RoleAssistant || p.Role == scan.RoleToolCall {
				f.Type = "sensitive_data_in_response"
				f.Severity = leakSeverity(m)
				f.Advisory = !blocking[m.Class]
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// leakSeverity grades a leak by what leaked and how sure the match is.
func leakSeverity(m sensitive.Match) scan.Severity {
	switch {
	case blocking[m.Class] && m.Confidence >= sensitive.High:
		return scan.SeverityHigh
	case blocking[m.Class], m.Confidence >= sensitive.High:
		return scan.SeverityMedium
	}
	return scan.SeverityLow
}

func level(c int) string {
	switch {
	case c >= sensitive.High:
		return "high"
	case c >= sensitive.Medium:
		return "medium"
	}
	return "low"
}
