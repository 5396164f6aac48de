package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/ediscovery"
	"github.com/wardenhq/warden/internal/interaction"
)

// roleTokens are a fixture's principals, one per role, reaching all
// subscriptions.
var roleTokens = map[string]string{
	RoleOwner:              "owner-token-0123456789",
	RoleContributor:        "contrib-all-0123456789",
	RoleSecurityAdmin:      "secadmin-token-0123456789",
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
	got := map[string]int{}
	for _, e := range all["events"].([]any) {
		got[e.(map[string]any)["action"].(string)]++
	}
	want := map[string]int{"policy.create": 1, "policy.delete": 1, "review.escalate": 1, "review.identify": 1,
		"api.change": 4, "api.refused": 2} // the invalid rule and the identification without a reason
	if status != 200 || len(got) != len(want) {
		t.Errorf("audit: %d %v, want %v", status, got, want)
	}
	for a, n := range want {
		if got[a] != n {
			t.Errorf("audit: %d %s, want %d", got[a], a, n)
		}
	}
}

// TestEDiscoveryFlow: a manager opens a case, searches captured content
// (full text through the blind index) with a metadata filter, places a
// hold for the case, exports it with content (each text read is a
// reveal), and the export verifies against its manifest, whose digest is
// the one sent and audited; closing the case releases its hold.
func TestEDiscoveryFlow(t *testing.T) {
	f, _ := newRoleFixture(t)
	k, _ := interaction.ParseKey("k1", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	sealer, _ := interaction.NewSealer([]interaction.Key{k})
	var ts []Token
	for role, tok := range roleTokens {
		ts = append(ts, Token{Name: role + "-person", Role: role, Token: tok})
	}
	f.h = New(f.st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Auth: NewAuth(ts), Sealer: sealer})
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	var rs []interaction.Record
	for i, text := range []string{"the Zanzibar acquisition closes Friday", "zanzibar pricing sheet", "lunch plans"} {
		r := interaction.Record{ID: fmt.Sprintf("r%d", i), At: t0.Add(time.Duration(i) * time.Minute), Subscription: "a",
			User: []string{"alice", "bob", "alice"}[i], UserContext: true, Verdict: "allow"}
		c := interaction.Content{Prompt: []interaction.Turn{{Role: "user", Text: text}}}
		r.ContentKey, r.Sealed, _ = sealer.Seal(r.ID, c)
		r.HasContent = true
		_, r.Terms = sealer.Terms(c)
		rs = append(rs, r)
	}
	if err := f.st.RecordInteractions(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	mgr := roleTokens[RoleEDiscoveryManager]
	const ip = "10.0.0.9:1234"
	status, c := f.do(t, "POST", "/api/cases", mgr, ip, "test", `{"name":"Zanzibar","description":"deal leak"}`)
	caseID, _ := c["id"].(string)
	if status != 200 || caseID == "" {
		t.Fatalf("open case: %d %v", status, c)
	}
	status, res := f.do(t, "POST", "/api/cases/"+caseID+"/searches", mgr, ip, "test", `{"text":"zanzibar","user":"alice"}`)
	if got, _ := res["results"].([]any); status != 200 || len(got) != 1 || got[0].(map[string]any)["id"] != "r0" {
		t.Fatalf("search: %d %v, want r0 (zanzibar, alice)", status, res)
	}
	if status, _ := f.do(t, "POST", "/api/cases/"+caseID+"/searches", mgr, ip, "test", `{"text":"\"pricing sheet\""}`); status != 200 {
		t.Fatalf("second search: %d", status)
	}
	if status, _ := f.do(t, "POST", "/api/cases/"+caseID+"/holds", mgr, ip, "test", `{"user":"alice"}`); status != 200 {
		t.Errorf("case hold: %d", status)
	}
	if status, _ := f.do(t, "GET", "/api/cases/"+caseID+"/export?content=1&reason=counsel+request", roleTokens[RoleOwner], ip, "test", ""); status != 403 {
		t.Errorf("owner exporting content: %d, want 403 (eDiscovery managers only)", status)
	}
	req := httptest.NewRequest("GET", "/api/cases/"+caseID+"/export?content=1&reason=counsel+request+7", nil)
	req.RemoteAddr = ip
	req.Header.Set("Authorization", "Bearer "+mgr)
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %s %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	archive := w.Body.Bytes()
	m, digest, err := ediscovery.Verify(bytes.NewReader(archive), int64(len(archive)))
	if err != nil || digest != w.Header().Get("X-Manifest-SHA256") {
		t.Fatalf("verify: %v, digest %s, header %s", err, digest, w.Header().Get("X-Manifest-SHA256"))
	}
	if len(m.Files) != 2 || m.Files[0].Lines != 2 || m.Files[1].Lines != 2 {
		t.Errorf("manifest files %+v, want 2 interactions (r0, r1) and their 2 contents", m.Files)
	}
	status, rv := f.do(t, "GET", "/api/interactions/r1/reveals", roleTokens[RoleOwner], ip, "test", "")
	if list, _ := rv["reveals"].([]any); status != 200 || len(list) != 1 || !strings.Contains(mustJSON(rv), "eDiscovery case Zanzibar: counsel request 7") {
		t.Errorf("reveals of an exported interaction: %d %v, want the export's reading with its reason", status, rv)
	}
	status, audit := f.do(t, "GET", "/api/audit?target=case:"+caseID, roleTokens[RoleOwner], ip, "test", "")
	if status != 200 || !strings.Contains(mustJSON(audit), digest) {
		t.Errorf("case audit %v, want the export with its manifest digest", audit)
	}
	if status, _ := f.do(t, "POST", "/api/cases/"+caseID+"/close", mgr, ip, "test", ""); status != 200 {
		t.Errorf("close: %d", status)
	}
	if hs, _ := f.st.Holds(context.Background()); len(hs) != 0 {
		t.Errorf("holds after closing %+v, want the case's released", hs)
	}
	if status, _ := f.do(t, "POST", "/api/cases/"+caseID+"/searches", mgr, ip, "test", `{"text":"x"}`); status != 409 {
		t.Errorf("search in a closed case: %d, want 409", status)
	}
}
