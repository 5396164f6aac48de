package gateway

import (
	"github.com/wardenhq/warden/internal/redact"
	"net/http"
	"strings"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/identity"
	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/subscription"
)

// alertContext gathers what alerts say about an interaction beyond its text:
// subscription and resource, and the end user from the three sources, in
// order of trust: a verified bearer token, then the application's
// user_security_context, then configured headers.
func (g *Gateway) alertContext(r *http.Request, ep endpoint, rt *route, req *llmapi.Request,
	sub subscription.Settings, reqID string) alert.Context {
	c := alert.Context{
		Subscription: rt.cfg.Subscription,
		Resource:     rt.cfg.Resource,
		Model:        req.Model,
		Route:        ep.style,
		RequestID:    reqID,
		SourceIP:     peerIP(r),
		UserAgent:    r.Header.Get("User-Agent"),
		Evidence:     sub.PromptEvidence,
		Skipped:      req.Skipped,
	}
	sc := g.cfg.Scan.Sensitive
	c.Redact = redact.Options{LastFour: sc.RedactLastFour, HashKey: redact.SubscriptionKey([]byte(sc.RedactHashKey), rt.cfg.Subscription)}
	if c.Resource == "" {
		c.Resource = ep.deployment
	}
	if c.Resource == "" {
		c.Resource = req.Model
	}

	// Headers first, so that the stronger sources below overwrite them.
	hc := g.cfg.Identity.Headers
	if v := header(r, hc.EndUserID); v != "" {
		c.UserID, c.AuthMethod = v, "header"
	}
	if v := header(r, hc.EndUserTenantID); v != "" {
		c.TenantID = v
	}
	if v := header(r, hc.ApplicationName); v != "" {
		c.Application = v
	}
	if v := header(r, hc.SourceIP); v != "" {
		c.EndUserIP = v
	}

	if usc := req.SecurityContext; usc != nil {
		if usc.EndUserID != "" {
			c.UserID, c.AuthMethod = usc.EndUserID, "user_security_context"
			c.TenantID = usc.EndUserTenantID
		}
		if usc.ApplicationName != "" {
			c.Application = usc.ApplicationName
		}
		if usc.SourceIP != "" {
			c.EndUserIP = usc.SourceIP
		}
	} else if c.UserID == "" && req.User != "" {
		c.UserID, c.AuthMethod = req.User, "request_user_field"
	}

	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		if raw := strings.TrimSpace(a[7:]); identity.LooksLikeJWT(raw) {
			t := g.verifier.Verify(raw, g.now())
			if t.Verified {
				c.UserID, c.TenantID, c.AuthMethod, c.UserVerified = t.UserID, t.TenantID, "jwt", true
				c.UserGroups = t.Groups
				if c.Application == "" {
					c.Application = t.AppID
				}
			} else if c.UserID == "" {
				// Record that a token was presented and not trusted;
				// its claims are not used for identity.
				c.AuthMethod = "jwt_unverified:" + t.Problem
			}
		}
	}
	return c
}

func header(r *http.Request, name string) string {
	if name == "" {
		return ""
	}
	return strings.TrimSpace(r.Header.Get(name))
}
