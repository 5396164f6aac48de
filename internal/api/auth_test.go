package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/signin"
)

// fakeSessions signs in whoever sends the cookie "ana".
type fakeSessions struct{}

func (fakeSessions) Lookup(r *http.Request) (signin.Session, bool) {
	c, err := r.Cookie(signin.CookieName)
	if err != nil || c.Value != "ana" {
		return signin.Session{}, false
	}
	return signin.Session{Name: "ana", Role: RoleSecurityAdmin, CSRF: "csrf-123", Method: "password"}, true
}

// TestSessionAuth: with sign-in on, a session reaches the API with its
// role, a change needs the session's CSRF token, the loopback shortcut is
// off, and machine scopes need a token.
func TestSessionAuth(t *testing.T) {
	a := NewAuth(nil).WithSessions(fakeSessions{})
	req := func(method, cookie, csrf string) *http.Request {
		r := httptest.NewRequest(method, "http://localhost/api/alerts", strings.NewReader("{}"))
		r.RemoteAddr = "127.0.0.1:4000"
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(CSRFHeader, "1")
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: signin.CookieName, Value: cookie})
		}
		if csrf != "" {
			r.Header.Set(signin.CSRFHeader, csrf)
		}
		return r
	}
	cases := []struct {
		name, method, cookie, csrf string
		status                     int
		role                       string
	}{
		{"read with a session", "GET", "ana", "", 0, RoleSecurityAdmin},
		{"change with its CSRF token", "PATCH", "ana", "csrf-123", 0, RoleSecurityAdmin},
		{"change without it", "PATCH", "ana", "", 403, ""},
		{"change with another", "PATCH", "ana", "csrf-999", 403, ""},
		{"local, no session: no longer the owner", "GET", "", "", 401, ""},
		{"unknown session", "GET", "mallory", "", 401, ""},
	}
	for _, c := range cases {
		p, err := a.authenticate(req(c.method, c.cookie, c.csrf))
		status := 0
		if e, ok := err.(*Error); ok {
			status = e.Status
		}
		if status != c.status || p.Role != c.role {
			t.Errorf("%s: %+v %v, want status %d role %q", c.name, p, err, c.status, c.role)
		}
	}
	if _, err := a.authenticateFor(req("GET", "ana", ""), ScopeMetrics, false); err == nil {
		t.Error("a session reached the metrics scope")
	}
}
