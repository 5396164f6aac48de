package detect

import (
	"context"
	"fmt"

	"github.com/wardenhq/warden/internal/scan"
)

// Hidden reports text hidden from people but read by models: Unicode tag
// characters that spell out ASCII ("ASCII smuggling"), and runs of
// zero-width and other invisible characters. The normaliser has already
// decoded tag characters, so what they say is judged by the other
// detectors too; this one says that something was hidden.
type Hidden struct{}

var _ scan.Detector = Hidden{}

// Thresholds: a few stray invisible characters occur in pasted text
// (zero-width joiners in emoji, a byte-order mark); a word's worth of tag
// characters never does.
const (
	minTagged      = 4
	minHidden      = 8
	minConfusables = 3
)

// Name implements scan.Detector.
func (Hidden) Name() string { return "hidden" }

// Detect implements scan.Detector.
func (Hidden) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for i := range in.Parts {
		p := &in.Parts[i]
		if p.Role == scan.RoleSystem || plainASCII(p.Text) {
			// Hidden characters are all outside ASCII: plain text needs
			// no normalising, which matters for stream windows.
			continue
		}
		n := p.Normalized()
		if n.Tagged >= minTagged {
			out = append(out, scan.Finding{Category: scan.CategoryDataPoisoning, Type: "ascii_smuggling", Confidence: 0.95,
				Severity: scan.SeverityHigh, Detector: "hidden", Part: i, Spans: []scan.Span{n.TagSpan},
				Reason: fmt.Sprintf("%d Unicode tag characters encode hidden ASCII text", n.Tagged)})
		}
		if n.Confusables >= minConfusables {
			cat, typ := scan.CategoryJailbreak, "homoglyph_obfuscation"
			if p.Role != scan.RoleUser {
				cat = scan.CategoryDataPoisoning
			}
			out = append(out, scan.Finding{Category: cat, Type: typ, Confidence: 0.7, Severity: scan.SeverityLow,
				Detector: "hidden", Part: i, Spans: []scan.Span{{0, len(p.Text)}},
				Reason: fmt.Sprintf("%d letters from other scripts disguised as Latin letters inside words", n.Confusables)})
		}
		if n.Hidden >= minHidden {
			out = append(out, scan.Finding{Category: scan.CategoryDataPoisoning, Type: "hidden_text", Confidence: 0.6,
				Severity: scan.SeverityLow, Detector: "hidden", Part: i, Spans: []scan.Span{{0, len(p.Text)}},
				Reason: fmt.Sprintf("%d invisible characters (zero-width, bidi controls, variation selectors)", n.Hidden)})
		}
	}
	return out, nil
}

func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
