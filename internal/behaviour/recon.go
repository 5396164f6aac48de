package behaviour

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/scan"
)

// Probe is one reconnaissance question: the rule that recognised it and its
// kind (tools, guardrails, configuration, environment, data_sources).
type Probe struct {
	Rule string
	Kind string
}

// probes is one user's recent probes.
type probes struct {
	times   []time.Time
	kinds   []string
	rules   []string
	alerted time.Time // start of the window last alerted on
}

// maxProbes bounds what one key keeps.
const maxProbes = 64

// recon counts a user's probes (or an address's, for anonymous callers)
// and reports a reconnaissance attempt when ReconThreshold of them, of at
// least two kinds, fall within ReconWindow: one question about tools is
// curiosity, a sweep across tools, guardrails and reach is mapping. One
// finding per window, however long the sweep goes on.
func (a *Analyzer) recon(e Event) (scan.Finding, bool) {
	who, whoKind := e.User, "user"
	if who == "" {
		who, whoKind = e.IP, "address"
	}
	if len(e.Probes) == 0 || who == "" {
		return scan.Finding{}, false
	}
	if a.counter != nil && a.habits != nil {
		if f, found, ok := a.sharedRecon(e, who, whoKind); ok {
			return f, found
		}
	}
	var f scan.Finding
	found := false
	a.state.Update("recon|"+e.Subscription+"|"+whoKind+"|"+who, e.Time, func(old any) any {
		p, _ := old.(*probes)
		if p == nil {
			p = &probes{}
		}
		// Forget what fell out of the window.
		cut := 0
		for cut < len(p.times) && e.Time.Sub(p.times[cut]) > a.cfg.ReconWindow {
			cut++
		}
		p.times, p.kinds, p.rules = p.times[cut:], p.kinds[cut:], p.rules[cut:]
		for _, pr := range e.Probes {
			if len(p.times) == maxProbes {
				p.times, p.kinds, p.rules = p.times[1:], p.kinds[1:], p.rules[1:]
			}
			p.times = append(p.times, e.Time)
			p.kinds = append(p.kinds, pr.Kind)
			p.rules = append(p.rules, pr.Rule)
		}
		kinds := slices.Compact(slices.Sorted(slices.Values(p.kinds)))
		start := p.times[0]
		if len(p.times) >= a.cfg.ReconThreshold && len(kinds) >= 2 && (p.alerted.IsZero() || start.Sub(p.alerted) > a.cfg.ReconWindow) {
			p.alerted = start
			rules := slices.Compact(slices.Sorted(slices.Values(p.rules)))
			f = finding("llm_reconnaissance", fmt.Sprintf("%s %s sent %d reconnaissance probes within %s: %s (rules %s)",
				whoKind, who, len(p.times), a.cfg.ReconWindow, strings.Join(kinds, ", "), strings.Join(rules, ", ")), 0.65)
			f.Severity = scan.SeverityLow
			found = true
		}
		return p
	})
	return f, found
}

// sharedRecon counts probes across replicas: the probes in fixed windows of
// the recon window (this one and the one before) as shared counts, and the
// kinds seen in them as shared habits; one replica claims the alert. ok is
// false when the shared store failed and this replica's memory must judge.
// Probes are rare, so the database round trips they cost are too.
func (a *Analyzer) sharedRecon(e Event, who, whoKind string) (f scan.Finding, found, ok bool) {
	key := "recon|" + e.Subscription + "|" + whoKind + "|" + who
	start := e.Time.Truncate(a.cfg.ReconWindow)
	prev := start.Add(-a.cfg.ReconWindow)
	cur, before, err := a.counter.Add(key, start, prev, len(e.Probes))
	if err != nil {
		return f, false, false
	}
	kindsKey := func(w time.Time) string { return key + "|kinds|" + w.UTC().Format(time.RFC3339) }
	for _, pr := range e.Probes {
		if _, _, err := a.habits.Learn(kindsKey(start), pr.Kind, e.Time); err != nil {
			return f, false, false
		}
	}
	kinds := map[string]bool{}
	for _, w := range []time.Time{prev, start} {
		ks, err := a.habits.Values(kindsKey(w))
		if err != nil {
			return f, false, false
		}
		for _, k := range ks {
			kinds[k] = true
		}
	}
	if cur+before < a.cfg.ReconThreshold || len(kinds) < 2 {
		return f, false, true
	}
	claimed, err := a.counter.Claim(key, start, prev)
	if err != nil {
		return f, false, false
	}
	if !claimed {
		return f, false, true
	}
	names := slices.Sorted(maps.Keys(kinds))
	f = finding("llm_reconnaissance", fmt.Sprintf("%s %s sent %d reconnaissance probes within %s across replicas: %s",
		whoKind, who, cur+before, 2*a.cfg.ReconWindow, strings.Join(names, ", ")), 0.65)
	f.Severity = scan.SeverityLow
	return f, true, true
}
