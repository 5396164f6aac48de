package scan

import (
	"context"
	"fmt"
	"sort"
)

// Verdict is the pipeline's decision for an input.
type Verdict string

// Verdicts, from harmless to blocked.
const (
	VerdictAllow Verdict = "allow"
	VerdictFlag  Verdict = "flag"
	VerdictBlock Verdict = "block"
)

// Policy sets the confidence at which a finding flags or blocks. Sensitivity
// per subscription (a later step) maps onto these two numbers.
type Policy struct {
	FlagAt  float64
	BlockAt float64
	// TrustSystem says the application composes system messages itself:
	// what is found in them is informational (advisory), never a block.
	TrustSystem bool
	// Rules are the team's policy in force for the request, when one
	// applies: which detectors run, actions per category and type, allow
	// patterns and the policy's own detectors.
	Rules *Rules
}

// Action is what a policy does with a finding of a category or type.
type Action string

// Actions. Redact is applied by the gateway (the subscription's redact
// list, which a policy may replace), so it does not appear here.
const (
	ActionAllow  Action = "allow"  // drop the finding
	ActionDetect Action = "detect" // report, never block
	ActionBlock  Action = "block"  // block from the flag threshold
)

// Rules are a compiled policy, as the pipeline applies it.
type Rules struct {
	// Name says which policy (and version) decided, for explanations.
	Name string
	// Only lists the detectors that run; nil, all of them.
	Only map[string]bool
	// Actions by finding type, else by category.
	Actions map[string]Action
	// Allow drops findings whose matched text matches one of them.
	Allow []Matcher
	// Extra are the policy's own detectors (deny rules, denied topics,
	// custom sensitive types), run after the pipeline's.
	Extra []Detector
}

// action is r's action for f ("" when the policy says nothing).
func (r *Rules) action(f Finding) Action {
	if r == nil {
		return ""
	}
	if a, ok := r.Actions[f.Type]; ok {
		return a
	}
	return r.Actions[string(f.Category)]
}

// DefaultPolicy flags from 0.5 and blocks from 0.8.
var DefaultPolicy = Policy{FlagAt: 0.5, BlockAt: 0.8}

// ForSensitivity adjusts base for a subscription's sensitivity: low raises
// both thresholds (fewer alerts and blocks), high lowers them. Medium or
// empty leaves base as configured.
func ForSensitivity(base Policy, sensitivity string) Policy {
	switch sensitivity {
	case "low":
		return Policy{FlagAt: min(base.FlagAt+0.2, 0.95), BlockAt: min(base.BlockAt+0.15, 0.99)}
	case "high":
		return Policy{FlagAt: max(base.FlagAt-0.15, 0.05), BlockAt: max(base.BlockAt-0.2, 0.3)}
	}
	return base
}

// Result is the outcome of one scan.
type Result struct {
	Findings []Finding
	Verdict  Verdict
	// Errors lists detectors that could not judge the input, as
	// "name: error"; a scan with errors still reports what the others found.
	Errors []string
}

// Pipeline runs detectors in order over an input. It is safe for concurrent
// use; its detectors must be too.
type Pipeline struct {
	detectors []Detector
	allow     []Matcher
	judge     Judge
	band      [2]float64
	observe   Observer
}

// Observer is told when a detector starts on an input and returns what the
// pipeline calls when it is done, with how many findings it had: tracing
// makes a span of each.
type Observer func(ctx context.Context, detector string) func(findings int, err error)

// Observe makes the pipeline report each detector's run to o. It returns
// p; call it before the pipeline is used.
func (p *Pipeline) Observe(o Observer) *Pipeline {
	p.observe = o
	return p
}

// Judge is a second opinion for the parts the detectors are unsure of: a
// classifier the team runs itself (a guard model behind an HTTP endpoint),
// too slow or too costly to ask about everything.
type Judge interface {
	Name() string
	// Judge returns its finding about part i of in, if it found an attack.
	Judge(ctx context.Context, in *Input, i int) (Finding, bool, error)
}

// WithJudge makes the pipeline ask j about each prompt-attack part whose
// highest attack confidence from the detectors is at least lo and below
// hi: the uncertain band. It returns p.
func (p *Pipeline) WithJudge(j Judge, lo, hi float64) *Pipeline {
	p.judge, p.band = j, [2]float64{lo, hi}
	return p
}

// maxJudged bounds the calls one scan makes to the judge.
const maxJudged = 4

// Matcher reports whether text matches; *regexp.Regexp implements it.
type Matcher interface {
	MatchString(s string) bool
}

// Allow makes the pipeline drop findings whose matched text matches one of
// ms: the patterns a team declares benign, so false positives stop without
// retraining anything.
func (p *Pipeline) Allow(ms ...Matcher) *Pipeline {
	p.allow = append(p.allow, ms...)
	return p
}

// allowed reports whether every span of f is text the allow-list accepts.
func (p *Pipeline) allowed(in *Input, f Finding) bool { return allowedBy(p.allow, in, f) }

// allowedBy reports whether every span of f is text one of allow accepts.
func allowedBy(allow []Matcher, in *Input, f Finding) bool {
	if len(allow) == 0 || f.Part < 0 || f.Part >= len(in.Parts) || len(f.Spans) == 0 {
		return false
	}
	text := in.Parts[f.Part].Text
	for _, sp := range f.Spans {
		if sp[0] < 0 || sp[1] > len(text) || sp[0] > sp[1] {
			return false
		}
		ok := false
		for _, m := range allow {
			if m.MatchString(text[sp[0]:sp[1]]) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// NewPipeline returns a pipeline over the given detectors.
func NewPipeline(detectors ...Detector) *Pipeline {
	return &Pipeline{detectors: detectors}
}

// Wants reports whether any detector judges parts of role r.
func (p *Pipeline) Wants(r Role) bool {
	for _, d := range p.detectors {
		rf, ok := d.(RoleFilter)
		if !ok {
			return true
		}
		for _, x := range rf.Roles() {
			if x == r {
				return true
			}
		}
	}
	return false
}

// Detectors returns the names of the pipeline's detectors, in order.
func (p *Pipeline) Detectors() []string {
	names := make([]string, len(p.detectors))
	for i, d := range p.detectors {
		names[i] = d.Name()
	}
	return names
}

// Scan runs every detector on in and decides a verdict under pol. Findings
// below pol.FlagAt are dropped: they are noise by the subscription's own
// standard.
func (p *Pipeline) Scan(ctx context.Context, in *Input, pol Policy) Result {
	var res Result
	rules := pol.Rules
	keep := func(f Finding) {
		if f.Confidence < pol.FlagAt || p.allowed(in, f) {
			return
		}
		if rules != nil {
			switch {
			case rules.action(f) == ActionAllow, allowedBy(rules.Allow, in, f):
				return
			case rules.action(f) == ActionDetect:
				f.Advisory = true
			case rules.action(f) == ActionBlock:
				// The team asks to stop it: a user's own data in a
				// prompt is advisory by default, not under this policy.
				f.Advisory = false
			}
		}
		if pol.TrustSystem && f.Part >= 0 && f.Part < len(in.Parts) && in.Parts[f.Part].Role == RoleSystem {
			f.Advisory = true
		}
		res.Findings = append(res.Findings, f)
	}
	var top map[int]float64 // part -> highest attack confidence, for the judge
	if p.judge != nil {
		top = map[int]float64{}
	}
	detectors := p.detectors
	if rules != nil {
		if rules.Only != nil {
			detectors = make([]Detector, 0, len(p.detectors))
			for _, d := range p.detectors {
				if rules.Only[d.Name()] {
					detectors = append(detectors, d)
				}
			}
		}
		if len(rules.Extra) > 0 {
			detectors = append(detectors[:len(detectors):len(detectors)], rules.Extra...)
		}
	}
	for _, d := range detectors {
		if err := ctx.Err(); err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", d.Name(), err))
			break
		}
		var done func(int, error)
		if p.observe != nil {
			done = p.observe(ctx, d.Name())
		}
		fs, err := d.Detect(ctx, in)
		if done != nil {
			done(len(fs), err)
		}
		if err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", d.Name(), err))
		}
		for _, f := range fs {
			if top != nil && (f.Category == CategoryJailbreak || f.Category == CategoryDataPoisoning) {
				top[f.Part] = max(top[f.Part], f.Confidence)
			}
			keep(f)
		}
	}
	if p.judge != nil {
		p.askJudge(ctx, in, top, &res, keep)
	}
	res.Verdict = VerdictOf(res.Findings, pol)
	sort.SliceStable(res.Findings, func(i, j int) bool {
		return res.Findings[i].Confidence > res.Findings[j].Confidence
	})
	return res
}

// askJudge asks the judge about the parts in the uncertain band, in part
// order, at most maxJudged of them.
func (p *Pipeline) askJudge(ctx context.Context, in *Input, top map[int]float64, res *Result, keep func(Finding)) {
	asked := 0
	for i := range in.Parts {
		c, ok := top[i]
		if !ok || c < p.band[0] || c >= p.band[1] || asked == maxJudged {
			continue
		}
		asked++
		f, found, err := p.judge.Judge(ctx, in, i)
		if err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", p.judge.Name(), err))
		}
		if found {
			keep(f)
		}
	}
}

// VerdictOf decides the verdict for findings under pol.
func VerdictOf(fs []Finding, pol Policy) Verdict {
	v := VerdictAllow
	for _, f := range fs {
		blockAt := pol.BlockAt
		if pol.Rules.action(f) == ActionBlock {
			blockAt = pol.FlagAt // the policy blocks what it flags
		}
		switch {
		case f.Confidence >= blockAt && !f.Advisory && !f.Redacted:
			return VerdictBlock
		case f.Confidence >= pol.FlagAt:
			v = VerdictFlag
		}
	}
	return v
}
