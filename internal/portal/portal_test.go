package portal

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestServesThePage(t *testing.T) {
	h := Handler("/portal/")
	for _, tt := range []struct{ path, ctype, contains string }{
		{"/portal/", "text/html", `<script src="core.js" defer></script>`},
		{"/portal/core.js", "javascript", "function route()"},
		{"/portal/alerts.js", "javascript", "function openAlert("},
		{"/portal/style.css", "text/css", ".sev-critical"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), tt.ctype) || !strings.Contains(string(body), tt.contains) {
			t.Errorf("GET %s = %d %q, want 200 %s holding %q", tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.ctype, tt.contains)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q, want scripts from this origin only and no framing", tt.path, csp)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/portal/../portal.go", nil))
	if rec.Code == 200 {
		t.Errorf("GET outside the embedded tree = 200, want an error")
	}
}

// TestCallsExistingRoutes: every API call the page makes names a route the
// API serves, with the same method.
func TestCallsExistingRoutes(t *testing.T) {
	var js []byte
	scripts, _ := filepath.Glob("static/*.js")
	for _, f := range scripts {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		js = append(js, b...)
	}
	var routes []string
	files, _ := filepath.Glob("../api/*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`mux\.Handle\("(\w+) (/api/[^"]*)"`).FindAllStringSubmatch(string(b), -1) {
			routes = append(routes, m[1]+" "+m[2])
		}
	}
	calls := regexp.MustCompile(`api\("(\w+)", "(/api/[^"?]*)`).FindAllStringSubmatch(string(js), -1)
	if len(calls) < 8 {
		t.Fatalf("found %d API calls in the scripts, want the page's calls", len(calls))
	}
	for _, c := range calls {
		found := false
		for _, r := range routes {
			method, pattern, _ := strings.Cut(r, " ")
			// A call ending in "/" continues with an id: the route has a
			// {param} there.
			prefix := strings.Split(pattern, "{")[0]
			if method == c[1] && (pattern == c[2] || strings.HasSuffix(c[2], "/") && prefix == c[2]) {
				found = true
			}
		}
		if !found {
			t.Errorf("the console calls %s %s, which no API route serves (routes: %v)", c[1], c[2], routes)
		}
	}
}
