// Package policyset is the policies in force: each policy compiled into
// the rules the scan pipeline applies (its deny rules and denied topics as
// a deny detector, its custom sensitive types as a sensitive-data
// detector), indexed by scope so a request finds the most specific one,
// and kept current from the store without a restart.
package policyset

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/policy"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/sensitive"
)

// Check validates a policy as the API must before storing it: its fields,
// then its patterns, by compiling it.
func Check(p policy.Policy, known []string) error {
	if err := p.Validate(known); err != nil {
		return err
	}
	_, err := Compile(p)
	return err
}

// Compiled is a policy ready for the pipeline.
type Compiled struct {
	Policy policy.Policy
	Rules  *scan.Rules
}

// Compile prepares p for the pipeline.
func Compile(p policy.Policy) (*Compiled, error) {
	r, err := rules(p)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", p.ID, err)
	}
	return &Compiled{Policy: p, Rules: r}, nil
}

func rules(p policy.Policy) (*scan.Rules, error) {
	r := &scan.Rules{Name: fmt.Sprintf("%s v%d (%s)", p.ID, p.Version, p.Scope())}
	if len(p.Detectors) > 0 {
		r.Only = map[string]bool{}
		for _, d := range p.Detectors {
			r.Only[d] = true
		}
	}
	if len(p.Actions) > 0 {
		r.Actions = map[string]scan.Action{}
		for k, a := range p.Actions {
			r.Actions[k] = scan.Action(a)
		}
	}
	for _, a := range p.Allow {
		re, err := regexp.Compile(a)
		if err != nil {
			return nil, fmt.Errorf("allow %q: %w", a, err)
		}
		r.Allow = append(r.Allow, re)
	}
	var deny []detect.DenyRule
	for _, d := range p.Deny {
		if d.ID == "" {
			return nil, errors.New("deny rule: an id is required")
		}
		deny = append(deny, detect.DenyRule{ID: p.ID + "/" + d.ID, Pattern: d.Pattern, Description: "policy " + p.ID + " deny rule " + d.ID})
	}
	for _, t := range p.DeniedTopics {
		if t.Name == "" || len(t.Keywords) == 0 {
			return nil, errors.New("denied topic: a name and keywords are required")
		}
		var alts []string
		for _, k := range t.Keywords {
			alts = append(alts, strings.Join(strings.Fields(regexp.QuoteMeta(strings.ToLower(k))), `\s+`))
		}
		deny = append(deny, detect.DenyRule{ID: p.ID + "/topic/" + t.Name, Pattern: `(?i)\b(?:` + strings.Join(alts, "|") + `)\b`,
			Description: "policy " + p.ID + " denied topic " + t.Name})
	}
	if len(deny) > 0 {
		d, err := detect.NewDeny(deny)
		if err != nil {
			return nil, err
		}
		r.Extra = append(r.Extra, d)
	}
	if len(p.SensitiveTypes) > 0 {
		var ts []sensitive.Type
		for _, t := range p.SensitiveTypes {
			if t.ID == "" || len(t.Patterns) == 0 {
				return nil, errors.New("sensitive type: an id and patterns are required")
			}
			st := sensitive.Type{ID: t.ID, Name: t.Name, Class: "custom", Keywords: t.Keywords}
			for _, pat := range t.Patterns {
				st.Patterns = append(st.Patterns, sensitive.Pattern{Regex: pat, Alone: sensitive.High, Keyword: sensitive.High})
			}
			ts = append(ts, st)
		}
		c, err := sensitive.New(ts)
		if err != nil {
			return nil, fmt.Errorf("sensitive types: %w", err)
		}
		r.Extra = append(r.Extra, &detect.Sensitive{C: c})
	}
	return r, nil
}
