package alert

import (
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/redact"
	"github.com/wardenhq/warden/internal/scan"
)

// Build turns the findings of one interaction into alerts: one alert per
// alert type, carrying every finding of that type, the highest confidence
// and severity among them, and evidence as the subscription allows.
// blocked says whether the interaction was blocked.
func Build(c Context, in *scan.Input, fs []scan.Finding, blocked bool, now time.Time) []Alert {
	marks := sensitiveMarks(fs)
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
				Policy:         c.Policy,
				SkippedContent: c.Skipped,
			})
		}
		a := &out[i]
		switch {
		case len(a.Findings) == 0 && f.Redacted && !blocked:
			a.Action = ActionRedacted
		case !f.Redacted && a.Action == ActionRedacted:
			a.Action = ActionDetected
		}
		f.Quote = quotes(f.Quote, c.Evidence)
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
					Text: redactedSnippet(p.Text, sp, snippetContext, marks[f.Part], c.Redact),
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

// sensitiveMarks collects, per part, the spans of credential and sensitive
// data findings: evidence never shows such a value, whatever finding the
// snippet is about.
func sensitiveMarks(fs []scan.Finding) map[int][]redact.Mark {
	m := map[int][]redact.Mark{}
	for _, f := range fs {
		secret := f.Type == "credential_in_response" || f.Type == "secret_in_prompt"
		if !secret && f.Kind == "" {
			continue
		}
		kind := f.Kind
		if kind == "" {
			kind = "credential"
		}
		for _, sp := range f.Spans {
			m[f.Part] = append(m[f.Part], redact.Mark{Start: sp[0], End: sp[1], Kind: kind, Secret: secret})
		}
	}
	return m
}

// redactedSnippet is Snippet with every marked value inside it, and every
// key-shaped token near it (redact.Shapes), replaced by a typed
// placeholder. Shapes are looked for in a margin wider than the snippet,
// so a key cut by the snippet's edge is still seen whole.
func redactedSnippet(text string, span scan.Span, ctx int, marks []redact.Mark, o redact.Options) string {
	lo, hi := max(0, span[0]-ctx-shapeMargin), min(len(text), span[1]+ctx+shapeMargin)
	if lo > hi {
		return ""
	}
	for _, m := range redact.Shapes(text[lo:hi]) {
		m.Start, m.End = m.Start+lo, m.End+lo
		marks = append(marks, m)
	}
	if len(marks) == 0 {
		return Snippet(text, span, ctx)
	}
	masked, at := redact.Apply(text, marks, o)
	return Snippet(masked, scan.Span{at(span[0]), at(span[1])}, ctx)
}

// shapeMargin is how far beyond a snippet key shapes are looked for: more
// than the longest key a snippet edge could cut.
const shapeMargin = 256

// quotes returns what an alert keeps of a finding's quoted words: nothing
// where evidence is off, the words with key-shaped tokens masked where it
// is on.
func quotes(q []string, evidence bool) []string {
	if !evidence || len(q) == 0 {
		return nil
	}
	out := make([]string, len(q))
	for i, w := range q {
		masked, _ := redact.Apply(w, redact.Shapes(w), redact.Options{})
		out[i] = masked
	}
	return out
}
