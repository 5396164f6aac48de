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
	g.interactions.Record(interactionOf(ex, status, err))
}

// interactionOf is an exchange's record.
func interactionOf(ex *exchange, status int, err error) interaction.Record {
	c := ex.actx
	ip := c.EndUserIP
	if ip == "" {
		ip = c.SourceIP
	}
	r := interaction.Record{ID: ex.reqID, At: ex.start.UTC(), Subscription: c.Subscription, Resource: c.Resource,
		Application: c.Application, User: c.UserID, UserSource: c.AuthMethod, UserContext: c.UserID != "" && c.UserVerified,
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
	// Content is captured only where the subscription asks for it: all
	// interactions, or those with a finding (a sensitive type or a
	// threat). The writer seals it before it is stored.
	if cap := ex.sub.Capture; cap == subscription.CaptureAll || cap == subscription.CaptureFindings && len(r.FindingTypes) > 0 {
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
