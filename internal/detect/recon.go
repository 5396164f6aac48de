package detect

import (
	_ "embed"

	"github.com/wardenhq/warden/internal/scan"
)

//go:embed recon.yaml
var reconRules []byte

// Probe is one reconnaissance question found in a user turn: the rule that
// matched and the kind of probe (tools, guardrails, configuration,
// environment, data_sources).
type Probe struct {
	Rule string
	Kind string
}

// Recon finds reconnaissance probes in user turns. It is not a pipeline
// detector: one question about a model's tools is ordinary, so probes feed
// behaviour analysis, which raises an alert when one user sends several.
type Recon struct{ sig *Signatures }

// DefaultRecon returns the probe finder over the built-in rules.
func DefaultRecon() (*Recon, error) {
	rs, err := ParseRules(reconRules)
	if err != nil {
		return nil, err
	}
	sig, err := NewSignatures(rs)
	if err != nil {
		return nil, err
	}
	return &Recon{sig: sig}, nil
}

// Probes returns the probes in the last user turn of in, at most one per
// rule. Only the last: a chat request carries the whole conversation, and
// a question asked once must not count again with every later message.
func (r *Recon) Probes(in *scan.Input) []Probe {
	for i := len(in.Parts) - 1; i >= 0; i-- {
		p := &in.Parts[i]
		if p.Role != scan.RoleUser {
			continue
		}
		var out []Probe
		for _, rule := range r.sig.matching(p) {
			out = append(out, Probe{Rule: rule.ID, Kind: rule.Family})
		}
		return out
	}
	return nil
}

// matching returns the rules that match part p, in rule order.
func (d *Signatures) matching(p *scan.Part) []*Rule {
	n := p.Normalized()
	hp := d.hits.Get().(*[][]int)
	defer d.hits.Put(hp)
	hits := *hp
	d.keywordHits(n.Text, hits)
	var out []*Rule
	for ri, r := range d.rules {
		if len(hits[ri]) > 0 && r.roles[p.Role] && len(r.find(n.Text, hits[ri])) > 0 {
			out = append(out, r)
		}
	}
	return out
}
