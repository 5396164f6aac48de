package api

import (
	"io"
	"log/slog"
	"strings"
	"testing"
)

// TestPolicyRoutes: a policy is created, read, edited by version (a stale
// edit is refused), listed within reach, and deleted; its history keeps
// every version and the audit log has before and after of each change.
// Invalid policies, readers and principals out of reach are refused.
func TestPolicyRoutes(t *testing.T) {
	f := newFixture(t)
	changed := 0
	f.h = New(f.st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Auth: NewAuth([]Token{
		{Name: "olivia", Role: RoleOwner, Token: "owner-token-0123456789"},
		{Name: "carl", Role: RoleContributor, Token: "contrib-token-0123456789", Subscriptions: []string{"a"}},
		{Name: "rita", Role: RoleReader, Token: "reader-token-0123456789"},
	}), Detectors: []string{"signatures", "sensitive"}, PolicyChanged: func() { changed++ }})
	const owner, contrib, reader, ip = "owner-token-0123456789", "contrib-token-0123456789", "reader-token-0123456789", "10.0.0.9:1234"
	create := `{"id":"helpdesk","subscription":"a","application":"helpdesk","actions":{"jailbreak":"block"},"denied_topics":[{"name":"medical","keywords":["diagnosis"]}]}`
	for _, tc := range []struct {
		name, token, body string
		status            int
	}{
		{"reader", reader, create, 403},
		{"contributor of a, for b", contrib, strings.Replace(create, `"subscription":"a"`, `"subscription":"b"`, 1), 403},
		{"unknown detector", owner, `{"id":"x","subscription":"a","detectors":["nope"]}`, 400},
		{"bad pattern", owner, `{"id":"x","subscription":"a","deny":[{"id":"r","pattern":"(unclosed"}]}`, 400},
		{"unknown field", owner, `{"id":"x","subscription":"a","colour":"red"}`, 400},
		{"contributor of a", contrib, create, 200},
		{"same id again", owner, create, 409},
	} {
		if status, body := f.do(t, "POST", "/api/policies", tc.token, ip, "test", tc.body); status != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.name, status, body, tc.status)
		}
	}
	status, p := f.do(t, "GET", "/api/policies/helpdesk", reader, ip, "test", "")
	if status != 200 || p["version"] != 1.0 || p["updated_by"] != "carl" {
		t.Fatalf("read: %d %v", status, p)
	}
	edit := `{"version":1,"subscription":"a","application":"helpdesk","actions":{"jailbreak":"detect"}}`
	if status, body := f.do(t, "PUT", "/api/policies/helpdesk", owner, ip, "test", edit); status != 200 || body["version"] != 2.0 {
		t.Errorf("edit: %d %v, want version 2", status, body)
	}
	if status, _ := f.do(t, "PUT", "/api/policies/helpdesk", owner, ip, "test", edit); status != 409 {
		t.Errorf("stale edit (version 1 again): %d, want 409", status)
	}
	if status, _ := f.do(t, "PUT", "/api/policies/helpdesk", owner, ip, "test", strings.Replace(edit, `"version":1,`, "", 1)); status != 400 {
		t.Errorf("edit without a version: %d, want 400", status)
	}
	status, vs := f.do(t, "GET", "/api/policies/helpdesk/versions", owner, ip, "test", "")
	if list, _ := vs["versions"].([]any); status != 200 || len(list) != 2 {
		t.Errorf("versions: %d %v, want 2", status, vs)
	}
	if status, _ := f.do(t, "DELETE", "/api/policies/helpdesk", reader, ip, "test", ""); status != 403 {
		t.Errorf("reader deleting: %d, want 403", status)
	}
	if status, _ := f.do(t, "DELETE", "/api/policies/helpdesk", owner, ip, "test", ""); status != 200 {
		t.Errorf("delete: %d", status)
	}
	if status, _ := f.do(t, "GET", "/api/policies/helpdesk", owner, ip, "test", ""); status != 404 {
		t.Errorf("read after delete: %d, want 404", status)
	}
	if changed != 3 {
		t.Errorf("gateway told of %d changes, want 3 (create, edit, delete)", changed)
	}
	evs, err := f.st.AuditEvents(t.Context(), "policy:helpdesk", 0)
	if err != nil || len(evs) != 3 {
		t.Fatalf("audit %v (%v), want 3 events", evs, err)
	}
	upd := evs[1] // newest first: delete, update, create
	if upd.Action != "policy.update" || !strings.Contains(upd.Detail, `"before"`) || !strings.Contains(upd.Detail, `"block"`) || !strings.Contains(upd.Detail, `"detect"`) {
		t.Errorf("update audit %+v, want before (block) and after (detect)", upd)
	}
}
