package detect

import (
	"github.com/wardenhq/warden/internal/redact"
	"github.com/wardenhq/warden/internal/sensitive"
)

// Redactor applies redaction to any text: every credential the secrets
// detector finds and every sensitive value the classifier finds is
// replaced by a typed placeholder ([REDACTED:GITHUB_TOKEN], [CREDIT_CARD]).
// Values below MinConfidence (low 65 by default) stay.
type Redactor struct {
	Secrets       *Secrets
	Sensitive     *sensitive.Classifier
	Options       redact.Options
	MinConfidence int
}

// NewRedactor returns a redactor over the built-in credential rules and
// sensitive information types.
func NewRedactor(o redact.Options) (*Redactor, error) {
	s, err := DefaultSecrets()
	if err != nil {
		return nil, err
	}
	c, err := sensitive.Default()
	if err != nil {
		return nil, err
	}
	return &Redactor{Secrets: s, Sensitive: c, Options: o, MinConfidence: sensitive.Low}, nil
}

// Redact returns text with every credential and sensitive value replaced.
func (r *Redactor) Redact(text string) string {
	var marks []redact.Mark
	if r.Secrets != nil {
		for _, m := range r.Secrets.Find(text) {
			marks = append(marks, redact.Mark{Start: m.Span[0], End: m.Span[1], Kind: m.Kind, Secret: true})
		}
	}
	if r.Sensitive != nil {
		for _, m := range r.Sensitive.Find(text) {
			if m.Confidence >= r.MinConfidence {
				marks = append(marks, redact.Mark{Start: m.Span[0], End: m.Span[1], Kind: m.Type})
			}
		}
	}
	out, _ := redact.Apply(text, marks, r.Options)
	return out
}
