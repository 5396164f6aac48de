package api

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Who may call each route. Every route the source registers must be
// here (the test fails on one that is not), so a new route comes with
// its rule.
var (
	broad   = []string{RoleOwner, RoleContributor, RoleSecurityAdmin, RoleReader, RoleContentReader}
	writers = []string{RoleOwner, RoleContributor, RoleSecurityAdmin}
	owners  = []string{RoleOwner}
	cases   = []string{RoleOwner, RoleEDiscoveryManager}
	looks   = []string{RoleOwner, RoleContributor, RoleReader, RoleComplianceReviewer}
	acts    = []string{RoleOwner, RoleContributor, RoleComplianceReviewer}
)

var routeRoles = map[string][]string{
	"GET /api/alerts": broad, "GET /api/alerts/{id}": broad, "GET /api/alerts/{id}/activity": broad,
	"PATCH /api/alerts/{id}": writers, "POST /api/alerts/bulk": writers,
	"GET /api/incidents": broad, "GET /api/incidents/{id}": broad, "GET /api/incidents/{id}/activity": broad, "PATCH /api/incidents/{id}": writers,
	"GET /api/dashboard": broad, "GET /api/models": broad, "GET /api/reports/data-security": broad, "GET /api/reports/posture": broad,
	"GET /api/export/sinks": broad, "GET /api/export/sinks/{name}/dead-letters": broad, "GET /api/insider-risk": broad,
	"GET /api/subscriptions": broad, "GET /api/subscriptions/{id}": broad, "GET /api/subscriptions/{id}/changes": broad,
	"PATCH /api/subscriptions/{id}": writers, "POST /api/subscriptions": {RoleOwner, RoleContributor}, "DELETE /api/subscriptions/{id}": owners,
	"GET /api/suppressions": broad, "POST /api/suppressions": writers, "DELETE /api/suppressions/{id}": writers,
	"GET /api/policies": broad, "GET /api/policies/{id}": broad, "GET /api/policies/{id}/versions": broad,
	"POST /api/policies": writers, "PUT /api/policies/{id}": writers, "DELETE /api/policies/{id}": writers,
	"GET /api/interactions": broad, "GET /api/interactions/{id}/content": {RoleContentReader},
	"GET /api/interactions/{id}/reveals": {RoleOwner, RoleContentReader},
	"GET /api/holds":                     owners, "POST /api/holds": owners, "DELETE /api/holds/{id}": owners, "GET /api/audit": owners,
	"GET /api/compliance/policies": looks, "POST /api/compliance/policies": writers, "DELETE /api/compliance/policies/{id}": writers,
	"GET /api/compliance/queue": looks, "GET /api/compliance/items/{id}": looks, "GET /api/compliance/items/{id}/history": looks,
	"POST /api/compliance/items/{id}/resolve": acts, "POST /api/compliance/items/{id}/escalate": acts,
	"POST /api/compliance/items/{id}/identify": {RoleOwner, RoleComplianceReviewer},
	"GET /api/compliance/items/{id}/content":   {RoleComplianceReviewer},
	"GET /api/cases":                           cases, "POST /api/cases": cases, "GET /api/cases/{id}": cases, "POST /api/cases/{id}/close": cases,
	"POST /api/cases/{id}/searches": cases, "GET /api/cases/{id}/searches/{sid}/results": cases,
	"POST /api/cases/{id}/holds": cases, "GET /api/cases/{id}/export": cases,
	"GET /api/whoami": Roles,
}

// TestRouteRoles: every API route against every role. A role the table
// allows is not refused (it may still get 400 or 404 for the made-up
// body and ids); every other role gets 403; no token gets 401.
func TestRouteRoles(t *testing.T) {
	f, _ := newRoleFixture(t)
	fill := regexp.MustCompile(`\{[a-z]+\}`)
	patterns := routePatterns(t)
	for _, pat := range patterns {
		yes, ok := routeRoles[pat]
		if !ok {
			t.Errorf("%s is not in routeRoles: say who may call it", pat)
			continue
		}
		method, path, _ := strings.Cut(pat, " ")
		path = fill.ReplaceAllString(path, "none")
		for role, tok := range roleTokens {
			status, body := f.do(t, method, path, tok, "10.0.0.9:1234", "test", `{}`)
			allowed := slices.Contains(yes, role)
			if got := status != 403; got != allowed || status == 401 || status >= 500 {
				t.Errorf("%s as %s: %d %v, want allowed %v", pat, role, status, body, allowed)
			}
		}
		if status, _ := f.do(t, method, path, "", "10.0.0.9:1234", "test", `{}`); status != 401 {
			t.Errorf("%s without a token: %d, want 401", pat, status)
		}
	}
	for pat := range routeRoles {
		if !slices.Contains(patterns, pat) {
			t.Errorf("routeRoles names %s, which no code registers", pat)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
