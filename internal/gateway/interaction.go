package gateway

import (
	"slices"

	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/subscription"
)

// recordInteraction sends the audit record of a finished exchange: one for
// every scanned request of a subscription with data security on, blocked
// or not, with the identity it carried and what was found; never its text.
func (g *Gateway) recordInteraction(ex *exchange, status int, err error) {
	if g.interactions == nil || ex == nil || !ex.scan || !ex.sub.DataSecurity {
		return
	}
	g.interactions.Record(interactionOf(ex, status, err, g.interactions.WantsText(ex.actx.Subscription)))
}

// countTraffic counts a finished exchange for the dashboard: scanned or
// not, blocked or not, and how long detection took (on the request path,
// or off it for detect mode).
func (g *Gateway) countTraffic(ex *exchange, err error) {
	if g.traffic == nil || ex == nil {
		return
	}
	g.traffic.Observe(ex.route.cfg.Subscription, ex.scan, verdictOf(ex, err, true) == "block", ex.promptScan+ex.respScan+ex.asyncScan)
}

// interactionOf is an exchange's record, with its text when the
// subscription may keep it or wantsText (compliance policies read it).
func interactionOf(ex *exchange, status int, err error, wantsText bool) interaction.Record {
	c := ex.actx
	ip := c.EndUserIP
	if ip == "" {
		ip = c.SourceIP
	}
	r := interaction.Record{ID: ex.reqID, At: ex.start.UTC(), Subscription: c.Subscription, Resource: c.Resource,
		Application: c.Application, User: c.UserID, UserSource: c.AuthMethod, UserContext: c.UserID != "" && c.UserVerified,
		Groups: slices.Clone(c.UserGroups), Capture: ex.sub.Capture,
		ClientIP: ip, API: string(ex.ep.api), Route: ex.ep.style, Model: c.Model, Status: status,
		Verdict: verdictOf(ex, err, true), Alerts: slices.Clone(ex.alertIDs)}
	size := 0
	for _, p := range ex.prompt.Parts {
		size += len(p.Text)
		if p.Role == scan.RoleTool || p.Role == scan.RoleToolCall {
			r.Agent = true
		}
	}
	r.PromptTokens = (size + 3) / 4
	size = 0
	for _, p := range ex.response {
		size += len(p.Text)
		if p.Role == llmapi.RoleToolCall {
			r.Agent = true
		}
	}
	r.CompletionTokens = (size + 3) / 4
	pf, rf := ex.findings()
	for _, f := range append(slices.Clone(pf), rf...) {
		if !slices.Contains(r.FindingTypes, f.Type) {
			r.FindingTypes = append(r.FindingTypes, f.Type)
		}
		if c := string(f.Category); c != "" && !slices.Contains(r.Categories, c) {
			r.Categories = append(r.Categories, c)
		}
		if f.Kind != "" && (f.Category == scan.CategoryDataLeakage || f.Category == scan.CategoryCredentialTheft) {
			if r.SensitiveTypes == nil {
				r.SensitiveTypes = map[string]int{}
			}
			r.SensitiveTypes[f.Kind]++
		}
	}
	slices.Sort(r.FindingTypes)
	slices.Sort(r.Categories)
	// Text goes with the record only where it may be kept (the
	// subscription captures all interactions, or those with a finding: a
	// sensitive type, a threat or a compliance policy met) or compliance
	// policies read it. The writer matches the policies, then seals what
	// is kept and drops the rest.
	// (Without policies reading text, a finding is known here: an
	// interaction without one under "findings" has nothing to keep.)
	if cap := ex.sub.Capture; cap == subscription.CaptureAll || wantsText || cap == subscription.CaptureFindings && len(r.FindingTypes) > 0 {
		c := &interaction.Content{}
		for _, p := range ex.prompt.Parts {
			c.Prompt = append(c.Prompt, interaction.Turn{Role: string(p.Role), Text: p.Text})
		}
		for _, p := range ex.response {
			c.Response = append(c.Response, interaction.Turn{Role: p.Role, Text: p.Text})
		}
		r.Content = c
	}
	return r
}
