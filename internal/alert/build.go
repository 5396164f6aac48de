package alert

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/scan"
)

// Build turns the findings of one interaction into alerts: one alert per
// alert type, carrying every finding of that type, the highest confidence
// and severity among them, and evidence as the subscription allows.
// blocked says whether the interaction was blocked.
func Build(c Context, in *scan.Input, fs []scan.Finding, blocked bool, now time.Time) []Alert {
	secrets := secretSpans(fs)
	var out []Alert
	index := map[string]int{}
	for _, f := range fs {
		k := KindFor(f, blocked)
		i, ok := index[k.Type]
		if !ok {
			i = len(out)
			index[k.Type] = i
			action := ActionDetected
			if blocked {
				action = ActionBlocked
			}
			out = append(out, Alert{
				ID:             newID(),
				Type:           k.Type,
				DisplayName:    k.DisplayName,
				Description:    k.Description,
				Severity:       k.Severity,
				Tactics:        k.Tactics,
				Techniques:     k.Techniques,
				Subscription:   c.Subscription,
				Resource:       c.Resource,
				Entities:       c.Entities(),
				Action:         action,
				FirstSeen:      now,
				LastSeen:       now,
				Count:          1,
				Remediation:    k.Remediation,
				Evidence:       Evidence{Masked: !c.Evidence},
				Fingerprint:    Fingerprint(k.Type, c),
				RequestID:      c.RequestID,
				SkippedContent: c.Skipped,
			})
		}
		a := &out[i]
		a.Findings = append(a.Findings, f)
		if f.Confidence > a.Confidence {
			a.Confidence = f.Confidence
		}
		if f.Severity.Rank() > a.Severity.Rank() {
			a.Severity = f.Severity
		}
		if c.Evidence && in != nil && f.Part >= 0 && f.Part < len(in.Parts) && len(a.Evidence.Segments) < maxSegments {
			p := in.Parts[f.Part]
			for _, sp := range f.Spans {
				if len(a.Evidence.Segments) == maxSegments {
					break
				}
				a.Evidence.Segments = append(a.Evidence.Segments, Segment{
					Role: string(p.Role),
					Text: redactedSnippet(p.Text, sp, snippetContext, secrets[f.Part]),
					Span: sp,
				})
			}
		}
	}
	return out
}

const (
	maxSegments    = 3
	snippetContext = 80
)

// Snippet cuts text around span with up to ctx bytes on each side, on rune
// boundaries, marking cuts with an ellipsis.
func Snippet(text string, span scan.Span, ctx int) string {
	start, end := span[0]-ctx, span[1]+ctx
	if start < 0 {
		start = 0
	}
	if end > len(text) {
		end = len(text)
	}
	if span[0] > len(text) || span[1] < span[0] {
		return ""
	}
	for start > 0 && !utf8.RuneStart(text[start]) {
		start--
	}
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end++
	}
	s := text[start:end]
	if start > 0 {
		s = "…" + s
	}
	if end < len(text) {
		s += "…"
	}
	return s
}

// secret is a credential's span and kind, to be masked in evidence.
type secret struct {
	span scan.Span
	kind string
}

// secretSpans collects, per part, the spans of credential findings: evidence
// never shows a secret, whatever finding the snippet is about.
func secretSpans(fs []scan.Finding) map[int][]secret {
	m := map[int][]secret{}
	for _, f := range fs {
		if f.Category == scan.CategoryCredentialTheft || f.Type == "secret_in_prompt" {
			for _, sp := range f.Spans {
				m[f.Part] = append(m[f.Part], secret{sp, "SECRET"})
			}
		}
	}
	return m
}

// redactedSnippet is Snippet with every secret inside it replaced by a
// typed placeholder.
func redactedSnippet(text string, span scan.Span, ctx int, secrets []secret) string {
	if len(secrets) == 0 {
		return Snippet(text, span, ctx)
	}
	var b strings.Builder
	last := 0
	// Secrets in text order, without overlaps.
	sort.Slice(secrets, func(i, j int) bool { return secrets[i].span[0] < secrets[j].span[0] })
	for _, s := range secrets {
		if s.span[0] < last || s.span[1] > len(text) {
			continue
		}
		b.WriteString(text[last:s.span[0]])
		b.WriteString("[" + s.kind + "]")
		last = s.span[1]
	}
	b.WriteString(text[last:])
	masked := b.String()
	// Map the span into the masked text: shift by what was replaced before it.
	shift := func(off int) int {
		d := 0
		for _, s := range secrets {
			switch {
			case s.span[1] <= off:
				d += len("["+s.kind+"]") - (s.span[1] - s.span[0])
			case s.span[0] < off:
				return s.span[0] + d
			}
		}
		return off + d
	}
	return Snippet(masked, scan.Span{shift(span[0]), shift(span[1])}, ctx)
}
