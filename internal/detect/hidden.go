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
	// minRepeats of one short token in a row: no prose does that, and
	// long runs of a token are a known way to make a model lose track of
	// its instructions.
	minRepeats = 40
)

// repeatedToken finds the longest run of one short token (at most four
// bytes, separated by white space) repeated back to back, and returns its
// span, the token and the count.
func repeatedToken(s string) (scan.Span, string, int) {
	var best scan.Span
	bestTok, bestN := "", 0
	runStart, runTok, runN := 0, "", 0
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' && s[j] != '\r' {
			j++
		}
		if j == i {
			break
		}
		tok := s[i:j]
		if len(tok) <= 4 && tok == runTok {
			runN++
		} else {
			runStart, runTok, runN = i, tok, 1
			if len(tok) > 4 {
				runTok, runN = "", 0
			}
		}
		if runN > bestN {
			best, bestTok, bestN = scan.Span{runStart, j}, runTok, runN
		}
		i = j
	}
	return best, bestTok, bestN
}

// Name implements scan.Detector.
func (Hidden) Name() string { return "hidden" }

// Detect implements scan.Detector.
func (Hidden) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for i := range in.Parts {
		p := &in.Parts[i]
		if p.Role == scan.RoleSystem {
			continue
		}
		if p.Role == scan.RoleUser || p.Role == scan.RoleDocument || p.Role == scan.RoleTool {
			if sp, tok, n := repeatedToken(p.Text); n >= minRepeats {
				cat, typ := scan.CategoryJailbreak, "repeated_token_attack"
				if p.Role != scan.RoleUser {
					cat = scan.CategoryDataPoisoning
				}
				out = append(out, scan.Finding{Category: cat, Type: typ, Confidence: 0.85, Severity: scan.SeverityMedium,
					Detector: "hidden", Part: i, Spans: []scan.Span{sp}, Quote: []string{tok},
					Reason: fmt.Sprintf("one token repeated %d times, a way to push a model off its instructions", n)})
			}
		}
		if plainASCII(p.Text) {
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
