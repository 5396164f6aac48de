package api

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Without tokens the API trusts where a request comes from: the loopback
// interface. That alone is not enough, because a browser on the same
// machine is a loopback client for every web page it shows:
//
//   - a page on another origin can POST a text/plain body (no preflight)
//     and the API would act on it as the local owner (CSRF);
//   - a name the attacker controls can be re-pointed at 127.0.0.1 (DNS
//     rebinding), making the API same-origin to the attacker's page.
//
// So a tokenless request must also be addressed to a loopback name, must
// not come from another origin, and, when it changes anything, must carry
// a JSON body and the X-Warden-Request header, which no cross-origin page
// can send without a preflight the API never grants. A reverse proxy or
// sidecar on the same host defeats all of this (every client becomes a
// loopback client): configure tokens behind one.

// CSRFHeader is the header a tokenless mutating request must carry (any
// value); the portal sends it.
const CSRFHeader = "X-Warden-Request"

// checkLocal reports why a tokenless request is refused, or nil.
func checkLocal(r *http.Request, mutating bool) *Error {
	if !isLoopback(r.RemoteAddr) {
		return &Error{Status: http.StatusUnauthorized, Message: "the API answers only local clients until api.tokens are configured"}
	}
	if !loopbackHost(r.Host) {
		return &Error{Status: http.StatusForbidden, Message: "without api.tokens, requests must be addressed to localhost or a loopback address (Host header); configure tokens to serve Warden under another name"}
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
		return &Error{Status: http.StatusForbidden, Message: "cross-origin requests are refused"}
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return &Error{Status: http.StatusForbidden, Message: "cross-origin requests are refused"}
	}
	if mutating {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/json" || r.Header.Get(CSRFHeader) == "" {
			return &Error{Status: http.StatusForbidden, Message: "without api.tokens, a change needs Content-Type: application/json and the " + CSRFHeader + " header"}
		}
	}
	return nil
}

// loopbackHost reports whether a Host header names this machine: localhost
// (or a name under .localhost) or a loopback address, any port.
func loopbackHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin reports whether an Origin header is this server's origin.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, host)
}

// LocalGuard serves h only to requests that a tokenless API would accept
// (loopback client, loopback Host, not cross-origin) when the Auth has no
// tokens; with tokens it serves every request (h does its own checks or
// needs none). The portal's page is wrapped in it.
func (a *Auth) LocalGuard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.open() {
			if e := checkLocal(r, false); e != nil {
				http.Error(w, e.Message, e.Status)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Scoped serves h only to callers allowed scope: with tokens, a bearer
// token that lists it; without, a local request as LocalGuard accepts.
func (a *Auth) Scoped(scope string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := a.authenticateFor(r, scope, false); err != nil {
			e := err.(*Error)
			if e.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="warden"`)
			}
			http.Error(w, e.Message, e.Status)
			return
		}
		h.ServeHTTP(w, r)
	})
}
