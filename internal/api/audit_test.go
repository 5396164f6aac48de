package api

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// routePatterns are the API's routes as registered in its source
// (mux.Handle("METHOD /path", ...)), so a route added later is covered
// without touching the tests that walk them.
func routePatterns(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`mux\.Handle\("([A-Z]+ /api/[^"]*)",`)
	verbs := regexp.MustCompile(`"POST /api/compliance/items/\{id\}/"\+a\.verb`)
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			out = append(out, m[1])
		}
		if verbs.Match(b) {
			out = append(out, "POST /api/compliance/items/{id}/resolve", "POST /api/compliance/items/{id}/escalate")
		}
	}
	if len(out) < 40 {
		t.Fatalf("found %d routes in the source; the pattern no longer matches how routes are registered", len(out))
	}
	return out
}

// TestAuditCompleteness: every mutating route leaves an audit record,
// whoever calls it and whatever the outcome (a change, a refusal, a
// denial), and so does a failed authentication on any route.
func TestAuditCompleteness(t *testing.T) {
	f, _ := newRoleFixture(t)
	fill := regexp.MustCompile(`\{[a-z]+\}`)
	n := 0
	for _, pat := range routePatterns(t) {
		method, path, _ := strings.Cut(pat, " ")
		path = fill.ReplaceAllString(path, "none")
		mutating := method != "GET"
		callers := map[string]string{"owner": roleTokens[RoleOwner], "reader": roleTokens[RoleReader], "bad token": "not-a-token-0123456789"}
		for who, tok := range callers {
			if !mutating && who != "bad token" {
				continue
			}
			before, err := f.st.AuditEvents(context.Background(), method+" "+path, 0)
			if err != nil {
				t.Fatal(err)
			}
			status, _ := f.do(t, method, path, tok, "10.0.0.9:1234", "test", `{}`)
			after, err := f.st.AuditEvents(context.Background(), method+" "+path, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before)+1 {
				t.Errorf("%s %s as %s (%d) left %d audit records, want 1", method, path, who, status, len(after)-len(before))
			}
			n++
		}
	}
	t.Logf("%d calls checked", n)
	// A read without any credentials (the console asking who is signed
	// in) is not a failed authentication; one with a wrong token is.
	before, _ := f.st.AuditEvents(context.Background(), "GET /api/whoami", 0)
	if status, _ := f.do(t, "GET", "/api/whoami", "", "10.0.0.9:1234", "test", ""); status != 401 {
		t.Fatalf("whoami without credentials: %d", status)
	}
	if after, _ := f.st.AuditEvents(context.Background(), "GET /api/whoami", 0); len(after) != len(before) {
		t.Errorf("an anonymous read left %d audit records, want none", len(after)-len(before))
	}
}
