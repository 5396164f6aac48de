package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTokenlessRequestsMustBeLocal: without tokens, a loopback client is
// the local owner only when it addresses a loopback name, is not another
// origin's page, and sends a change as JSON with the CSRF header. Every
// request here comes from 127.0.0.1, as a browser's would.
func TestTokenlessRequestsMustBeLocal(t *testing.T) {
	f := newFixture(t)
	f.h = New(f.st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	json := map[string]string{"Content-Type": "application/json", CSRFHeader: "1"}
	with := func(base map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for bk, bv := range base {
			out[bk] = bv
		}
		return out
	}
	tests := []struct {
		name, method, host string
		hdr                map[string]string
		want               int
	}{
		{"curl read", "GET", "localhost:8080", nil, 200},
		{"read by loopback address", "GET", "127.0.0.1:8080", nil, 200},
		{"read by IPv6 loopback", "GET", "[::1]:8080", nil, 200},
		{"same-origin portal read", "GET", "localhost:8080", map[string]string{"Origin": "http://localhost:8080", "Sec-Fetch-Site": "same-origin"}, 200},
		{"same-origin portal change", "PATCH", "localhost:8080", with(json, "Origin", "http://localhost:8080"), 200},
		{"curl change with the header", "PATCH", "127.0.0.1:8080", json, 200},
		{"DNS rebinding", "GET", "attacker.example", nil, 403},
		{"DNS rebinding with port", "PATCH", "attacker.example:8080", json, 403},
		{"cross-origin text/plain form", "PATCH", "localhost:8080", map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403},
		{"cross-origin JSON", "PATCH", "localhost:8080", with(json, "Origin", "https://evil.example"), 403},
		{"cross-site fetch metadata", "GET", "localhost:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same-site other port", "GET", "localhost:8080", map[string]string{"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}, 403},
		{"change without the header", "PATCH", "localhost:8080", map[string]string{"Content-Type": "application/json"}, 403},
		{"change as text/plain", "PATCH", "localhost:8080", map[string]string{"Content-Type": "text/plain", CSRFHeader: "1"}, 403},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, "/api/subscriptions/a", strings.NewReader(`{"sensitivity":"high"}`))
		if tt.method == "GET" {
			req = httptest.NewRequest("GET", "/api/alerts", nil)
		}
		req.RemoteAddr, req.Host = "127.0.0.1:5555", tt.host
		for k, v := range tt.hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: %s from %s = %d %s, want %d", tt.name, tt.method, tt.host, rec.Code, rec.Body, tt.want)
		}
	}
}

// TestScopes: with tokens, the shield and metrics endpoints need a token
// that lists their scope; an API token alone is not enough, and without
// tokens the same local rules as the API's apply.
func TestScopes(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	withTokens := NewAuth([]Token{
		{Name: "app", Role: RoleReader, Token: "shield-token-0123456789", Scopes: []string{ScopeShield}},
		{Name: "soc", Role: RoleOwner, Token: "owner-token-0123456789"},
	})
	tests := []struct {
		name   string
		auth   *Auth
		scope  string
		token  string
		remote string
		host   string
		want   int
	}{
		{"shield with its scope", withTokens, ScopeShield, "shield-token-0123456789", "192.0.2.1:1", "warden.corp", 200},
		{"shield with an API token", withTokens, ScopeShield, "owner-token-0123456789", "192.0.2.1:1", "warden.corp", 403},
		{"shield without a token", withTokens, ScopeShield, "", "127.0.0.1:1", "localhost", 401},
		{"metrics with the shield token", withTokens, ScopeMetrics, "shield-token-0123456789", "192.0.2.1:1", "warden.corp", 403},
		{"tokenless local", NewAuth(nil), ScopeShield, "", "127.0.0.1:1", "localhost:8080", 200},
		{"tokenless remote", NewAuth(nil), ScopeShield, "", "192.0.2.1:1", "localhost:8080", 401},
		{"tokenless rebinding", NewAuth(nil), ScopeShield, "", "127.0.0.1:1", "evil.example", 403},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("POST", "/contentsafety/text:shieldPrompt", strings.NewReader(`{}`))
		req.RemoteAddr, req.Host = tt.remote, tt.host
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		rec := httptest.NewRecorder()
		tt.auth.Scoped(tt.scope, ok).ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.want)
		}
	}
}
