package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/store"
)

// roleTokens are a fixture's principals, one per role, reaching all
// subscriptions.
var roleTokens = map[string]string{
	RoleOwner:              "owner-token-0123456789",
	RoleContributor:        "contrib-all-0123456789",
	RoleReader:             "reader-token-0123456789",
	RoleContentReader:      "content-token-0123456789",
	RoleComplianceReviewer: "review-token-0123456789",
	RoleEDiscoveryManager:  "ediscovery-token-0123456789",
}

// newRoleFixture is newFixture with a principal of every role and a
// policy-change counter.
func newRoleFixture(t *testing.T) (*apiFixture, *int) {
	f := newFixture(t)
	var ts []Token
	for role, tok := range roleTokens {
		ts = append(ts, Token{Name: role + "-person", Role: role, Token: tok})
	}
	changed := 0
	f.h = New(f.st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Auth: NewAuth(ts), PoliciesChanged: func() { changed++ }})
	return f, &changed
}

// TestComplianceFlow: an owner writes a policy, hits recorded with the
// interactions fill the queue, a reviewer sees pseudonyms (in the queue
// and in the item's record), escalates with a note, identifies the user
// with a reason, and every act is in the item's history.
func TestComplianceFlow(t *testing.T) {
	f, changed := newRoleFixture(t)
	owner, reviewer := roleTokens[RoleOwner], roleTokens[RoleComplianceReviewer]
	const ip = "10.0.0.9:1234"
	if status, _ := f.do(t, "POST", "/api/compliance/policies", owner, ip, "test", `{"name":"x","rules":[{"name":"r","pattern":"("}]}`); status != 400 {
		t.Errorf("invalid rule: %d, want 400", status)
	}
	status, pol := f.do(t, "POST", "/api/compliance/policies", owner, ip, "test", `{"name":"merger","keywords":["project falcon"]}`)
	pid, _ := pol["id"].(string)
	if status != 200 || pid == "" || pol["created_by"] != "owner-person" || *changed != 1 {
		t.Fatalf("add policy: %d %v, changed %d; want it stored, the writer told", status, pol, *changed)
	}
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	if err := f.st.RecordInteractions(context.Background(), []interaction.Record{{ID: "req-1", At: t0, Subscription: "a", Application: "chat",
		User: "alice@contoso.com", UserContext: true, ClientIP: "192.0.2.7", Verdict: "allow", Policies: []string{pid},
		Reviews: []interaction.Hit{{Policy: pid, Reasons: []string{"keyword project falcon"}}}}}); err != nil {
		t.Fatal(err)
	}
	status, q := f.do(t, "GET", "/api/compliance/queue?status=pending", reviewer, ip, "test", "")
	items, _ := q["items"].([]any)
	if status != 200 || len(items) != 1 {
		t.Fatalf("queue: %d %v, want one item", status, q)
	}
	item := items[0].(map[string]any)
	id, pseudonym := item["id"].(string), item["pseudonym"].(string)
	status, one := f.do(t, "GET", "/api/compliance/items/"+id, reviewer, ip, "test", "")
	if status != 200 || strings.Contains(mustJSON(q)+mustJSON(one), "alice") || strings.Contains(mustJSON(one), "192.0.2.7") {
		t.Errorf("reviewer sees the user or the client address: %d %v %v", status, q, one)
	}
	if rec, _ := one["interaction"].(map[string]any); rec["user"] != pseudonym {
		t.Errorf("item's record user %v, want the pseudonym %s", rec["user"], pseudonym)
	}
	if status, _ := f.do(t, "POST", "/api/compliance/items/"+id+"/escalate", reviewer, ip, "test", `{"note":"looks like a leak of deal terms"}`); status != 200 {
		t.Errorf("escalate: %d", status)
	}
	if status, _ := f.do(t, "POST", "/api/compliance/items/"+id+"/identify", reviewer, ip, "test", `{}`); status != 400 {
		t.Errorf("identify without a reason: %d, want 400", status)
	}
	status, who := f.do(t, "POST", "/api/compliance/items/"+id+"/identify", reviewer, ip, "test", `{"reason":"escalated to HR, case 12"}`)
	if status != 200 || who["user"] != "alice@contoso.com" {
		t.Errorf("identify: %d %v", status, who)
	}
	status, hist := f.do(t, "GET", "/api/compliance/items/"+id+"/history", reviewer, ip, "test", "")
	evs, _ := hist["history"].([]any)
	if status != 200 || len(evs) != 2 || !strings.Contains(mustJSON(hist), "compliance_reviewer-person") || !strings.Contains(mustJSON(hist), "case 12") {
		t.Errorf("history: %d %v, want the escalation and the identification, by whom and why", status, hist)
	}
	if status, _ := f.do(t, "DELETE", "/api/compliance/policies/"+pid, owner, ip, "test", ""); status != 200 || *changed != 2 {
		t.Errorf("delete policy: %d, changed %d", status, *changed)
	}
	status, all := f.do(t, "GET", "/api/audit", owner, ip, "test", "")
	if evs, _ := all["events"].([]any); status != 200 || len(evs) != 4 {
		t.Errorf("audit: %d %v, want policy create and delete, escalate, identify", status, all)
	}
}

// TestRouteRoles: every data-security route against every role. Narrow
// roles (reviewer, eDiscovery) reach their own routes only; content,
// holds and the audit log are for the roles named.
func TestRouteRoles(t *testing.T) {
	f, _ := newRoleFixture(t)
	if err := f.st.RecordInteractions(context.Background(), []interaction.Record{{ID: "req-1", At: time.Now(), Subscription: "a",
		User: "alice", UserContext: true, Verdict: "allow", Reviews: []interaction.Hit{{Policy: "p", Reasons: []string{"x"}}}}}); err != nil {
		t.Fatal(err)
	}
	items, _, err := f.st.ReviewItems(context.Background(), store.ReviewFilter{})
	if err != nil || len(items) != 1 {
		t.Fatal(items, err)
	}
	item := items[0].ID
	// yes lists the roles allowed; any other gets 403.
	const (
		own, con, rea, cr, rev, edm = RoleOwner, RoleContributor, RoleReader, RoleContentReader, RoleComplianceReviewer, RoleEDiscoveryManager
	)
	routes := []struct {
		method, path, body string
		yes                []string
	}{
		{"GET", "/api/alerts", "", []string{own, con, rea, cr}},
		{"GET", "/api/interactions", "", []string{own, con, rea, cr}},
		{"GET", "/api/interactions/req-1/content?reason=checking+a+leak", "", []string{cr}},
		{"GET", "/api/interactions/req-1/reveals", "", []string{own, cr}},
		{"GET", "/api/reports/posture", "", []string{own, con, rea, cr}},
		{"GET", "/api/insider-risk", "", []string{own, con, rea, cr}},
		{"GET", "/api/holds", "", []string{own}},
		{"POST", "/api/holds", `{"user":"alice","reason":"litigation 7"}`, []string{own}},
		{"GET", "/api/compliance/policies", "", []string{own, con, rea, rev}},
		{"POST", "/api/compliance/policies", `{"name":"p","keywords":["k"]}`, []string{own, con}},
		{"GET", "/api/compliance/queue", "", []string{own, con, rea, rev}},
		{"GET", "/api/compliance/items/" + item, "", []string{own, con, rea, rev}},
		{"GET", "/api/compliance/items/" + item + "/history", "", []string{own, con, rea, rev}},
		{"GET", "/api/compliance/items/" + item + "/content?reason=judging+the+match", "", []string{rev}},
		{"POST", "/api/compliance/items/" + item + "/resolve", `{"note":"ok"}`, []string{own, con, rev}},
		{"POST", "/api/compliance/items/" + item + "/identify", `{"reason":"escalated to HR"}`, []string{own, rev}},
		{"GET", "/api/audit", "", []string{own}},
	}
	for _, rt := range routes {
		for role, tok := range roleTokens {
			status, body := f.do(t, rt.method, rt.path, tok, "10.0.0.9:1234", "test", rt.body)
			allowed := false
			for _, y := range rt.yes {
				allowed = allowed || y == role
			}
			if got := status != 403; got != allowed || status == 401 || status >= 500 {
				t.Errorf("%s %s as %s: %d %v, want allowed %v", rt.method, rt.path, role, status, body, allowed)
			}
		}
		if status, _ := f.do(t, rt.method, rt.path, "", "10.0.0.9:1234", "test", rt.body); status != 401 {
			t.Errorf("%s %s without a token: %d, want 401", rt.method, rt.path, status)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
