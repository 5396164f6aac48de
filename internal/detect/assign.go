package detect

import (
	"fmt"
	"strings"

	"github.com/wardenhq/warden/internal/credkv"
	"github.com/wardenhq/warden/internal/scan"
)

// assignments weighs the name = value pairs of text (credkv) against the
// rules' matches ms: a generic rule's match whose value the validator
// takes for a look-alike (a variable, a placeholder, an id) is dropped,
// and a pair the rules missed that the validator takes for a credential
// is added, as generic (a provider's rule for the same value wins).
func (d *Secrets) assignments(text, lower string, hits []credkv.Hit, ms []Match) []Match {
	cands := credkv.FindAt(text, lower, hits)
	if len(cands) == 0 {
		return ms
	}
	scores := make([]float64, len(cands))
	for i, c := range cands {
		scores[i] = d.kv.Score(c, lineAround(text, c.Start, c.End))
	}
	out := ms[:0]
	for _, m := range ms {
		veto := false
		if m.generic {
			for i, c := range cands {
				if c.Start < m.Span[1] && m.Span[0] < c.End && scores[i] < d.kv.Veto {
					veto = true
					break
				}
			}
		}
		if !veto {
			out = append(out, m)
		}
	}
	for i, c := range cands {
		if scores[i] < d.kv.Threshold || overlaps(out, c.Start, c.End) {
			continue
		}
		line := lineAround(text, c.Start, c.End)
		out = append(out, Match{Kind: assignmentKind(c.Key), Span: scan.Span{c.Start, c.End},
			Confidence: 0.6 + 0.3*(scores[i]-d.kv.Threshold)/(1-d.kv.Threshold), generic: true,
			desc: fmt.Sprintf("a value assigned to a secret's name (%s), judged a credential by the validator (%.2f: %s)",
				c.Syntax, scores[i], strings.Join(d.kv.Why(c, line, 3), ", "))})
	}
	return out
}

// assignmentKind names the kind of an assigned secret by its name.
func assignmentKind(key string) string {
	k := strings.ToLower(key)
	for _, w := range []string{"pass", "pwd", "psw", "identified by"} {
		if strings.Contains(k, w) {
			return "password_assignment"
		}
	}
	if k == "url_password" {
		return "url_password"
	}
	return "secret_assignment"
}

func overlaps(ms []Match, s, e int) bool {
	for _, m := range ms {
		if m.Span[0] < e && s < m.Span[1] {
			return true
		}
	}
	return false
}

// inBlock reports whether offset i of text is inside a PEM block whose
// BEGIN line names one of labels ("PUBLIC KEY", "CERTIFICATE").
func inBlock(text string, i int, labels []string) bool {
	b := strings.LastIndex(text[:i], "-----BEGIN ")
	if b < 0 || strings.Contains(text[b:i], "-----END ") {
		return false
	}
	head := text[b:min(len(text), b+80)]
	if nl := strings.IndexByte(head, '\n'); nl > 0 {
		head = head[:nl]
	}
	for _, l := range labels {
		if strings.Contains(head, l) {
			return true
		}
	}
	return false
}
