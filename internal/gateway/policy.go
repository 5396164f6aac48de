package gateway

import (
	"net/http"
	"strings"

	"github.com/wardenhq/warden/internal/identity"
	"github.com/wardenhq/warden/internal/policy"
	"github.com/wardenhq/warden/internal/scan"
)

// applyPolicy puts the detection policy for the request in force: its
// sensitivity, its rules (detectors, actions, allow and deny rules,
// topics, custom types) and its redact list, and names it in the alert
// context and the decision log. It runs before anything is scanned.
func (g *Gateway) applyPolicy(ex *exchange, r *http.Request) {
	if g.policies == nil {
		return
	}
	p, rules, ok := g.policies.For(ex.route.cfg.Subscription, ex.actx.Application, ex.route.cfg.Name, policy.KeyID(clientKey(r)))
	if !ok {
		return
	}
	if p.Sensitivity != "" {
		trust := ex.policy.TrustSystem
		ex.policy = scan.ForSensitivity(g.policy, p.Sensitivity)
		ex.policy.TrustSystem = trust
	}
	if p.FlagAt != nil {
		ex.policy.FlagAt = *p.FlagAt
	}
	if p.BlockAt != nil {
		ex.policy.BlockAt = *p.BlockAt
	}
	ex.policy.Rules = rules
	if p.Redact != nil {
		ex.sub.Redact = p.Redact
		ex.redact = ex.scan && len(p.Redact) > 0
	}
	ex.actx.Policy = rules.Name
}

// clientKey is the API key the client sent the provider (OpenAI's bearer
// key, Azure's api-key, Anthropic's x-api-key); a bearer JWT is an
// identity, not a key.
func clientKey(r *http.Request) string {
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		if k := strings.TrimSpace(a[7:]); !identity.LooksLikeJWT(k) {
			return k
		}
	}
	if k := r.Header.Get("api-key"); k != "" {
		return k
	}
	return r.Header.Get("x-api-key")
}
