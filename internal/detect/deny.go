package detect

import (
	"context"
	"fmt"

	regexp "github.com/wasilibs/go-re2"

	"github.com/wardenhq/warden/internal/scan"
)

// DenyRule is a team's own rule: a pattern over normalised text.
type DenyRule struct {
	ID          string
	Pattern     string
	Confidence  float64 // 0 means 0.9
	Description string
	// Category is what a match is; empty means policy. A policy rule's
	// finding is of type custom_rule; an attack category's has that
	// category's type for the part (jailbreak in a user turn, indirect
	// injection in a document).
	Category scan.Category
}

// Deny runs a team's own rules on user turns, documents and tool results:
// the second thing users of every detector ask for, after a way to stop
// false positives.
type Deny struct {
	rules []DenyRule
	res   []*regexp.Regexp
}

var _ scan.Detector = (*Deny)(nil)

// NewDeny compiles rules.
func NewDeny(rules []DenyRule) (*Deny, error) {
	d := &Deny{rules: rules}
	for i, r := range rules {
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("deny rule %s: %w", r.ID, err)
		}
		if r.Confidence == 0 {
			d.rules[i].Confidence = 0.9
		}
		d.res = append(d.res, re)
	}
	return d, nil
}

// Name implements scan.Detector.
func (*Deny) Name() string { return "deny" }

// Roles implements scan.RoleFilter.
func (*Deny) Roles() []scan.Role { return attackRoles }

// Detect implements scan.Detector.
func (d *Deny) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for ap := range attackParts(in) {
		i, p, cat, typ := ap.i, ap.p, ap.cat, ap.typ
		n := p.Normalized()
		for k, re := range d.res {
			if loc := re.FindStringIndex(n.Text); loc != nil {
				r := d.rules[k]
				cat, typ := cat, typ
				switch r.Category {
				case "", scan.CategoryPolicy:
					cat, typ = scan.CategoryPolicy, "custom_rule"
				case scan.CategoryJailbreak, scan.CategoryDataPoisoning:
					// The role decides which of the two, as for signatures.
				default:
					cat, typ = r.Category, "custom_rule"
				}
				out = append(out, scan.Finding{Category: cat, Type: typ, Confidence: r.Confidence, Severity: scan.SeverityMedium,
					Detector: "deny", Part: i, Spans: []scan.Span{n.Original(loc[0], loc[1])}, Reason: "custom rule " + r.ID})
			}
		}
	}
	return out, nil
}
