package api

import (
	"context"
	"crypto/sha256"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/wardenhq/warden/internal/signin"
)

// Roles, named as in the clouds whose subscriptions Warden mirrors: only an
// owner or contributor may change a subscription's protection or triage
// alerts; a reader may look.
const (
	RoleOwner       = "owner"
	RoleContributor = "contributor"
	RoleReader      = "reader"
	// RoleContentReader reads what a reader does and, alone, the captured
	// text of interactions (each reading audited).
	RoleContentReader = "content_reader"
	// RoleComplianceReviewer works the communication-compliance review
	// queue (users pseudonymised) and nothing else.
	RoleComplianceReviewer = "compliance_reviewer"
	// RoleEDiscoveryManager runs eDiscovery cases (search, holds, export)
	// and nothing else.
	RoleEDiscoveryManager = "ediscovery_manager"
	// RoleSecurityAdmin sits between contributor and reader, as the
	// clouds' Security Admin does: it changes protection (plan, mode,
	// components, policies, suppressions) and triages, but does not
	// create, rename or delete subscriptions.
	RoleSecurityAdmin = "security_admin"
)

// Roles lists every role, for configuration checks.
var Roles = []string{RoleOwner, RoleContributor, RoleSecurityAdmin, RoleReader, RoleContentReader, RoleComplianceReviewer, RoleEDiscoveryManager}

// narrow reports whether a role reaches only its own routes (the review
// queue, eDiscovery): such principals must not read alerts or the
// explorer, which name users.
func narrow(role string) bool { return role == RoleComplianceReviewer || role == RoleEDiscoveryManager }

// allowFunc decides whether a principal may make a request, after it was
// recognised.
type allowFunc func(p Principal, r *http.Request) error

// defaultAllow is the rule of most routes: any broad role reads, only an
// owner or contributor changes.
func defaultAllow(p Principal, r *http.Request) error {
	if narrow(p.Role) {
		return &Error{Status: http.StatusForbidden, Message: "the " + p.Role + " role does not reach this"}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !p.CanWrite() {
		return errReadOnly
	}
	return nil
}

// allowRoles admits the roles listed, whatever the method.
func allowRoles(roles ...string) allowFunc {
	return func(p Principal, _ *http.Request) error {
		if !slices.Contains(roles, p.Role) {
			return &Error{Status: http.StatusForbidden, Message: "this needs one of the roles " + strings.Join(roles, ", ")}
		}
		return nil
	}
}

// Principal is who is calling the API.
type Principal struct {
	Name string
	Role string
	// Method is how the principal was recognised: "token" or "local".
	Method string
	// Subscriptions limits what the principal reaches; empty, all.
	Subscriptions []string
	// Scopes are the endpoints the principal may use (ScopeAPI,
	// ScopeShield, ScopeMetrics).
	Scopes []string
}

// Scopes: the REST API (by role), the Prompt Shields-compatible endpoint,
// and /metrics where it is protected.
const (
	ScopeAPI     = "api"
	ScopeShield  = "shield"
	ScopeMetrics = "metrics"
)

// CanWrite reports whether the principal may change protection and
// triage (routes check further what only owners or contributors do).
func (p Principal) CanWrite() bool {
	return p.Role == RoleOwner || p.Role == RoleContributor || p.Role == RoleSecurityAdmin
}

// CanManage reports whether the principal may create and rename
// subscriptions (owners and contributors; deleting is the owner's).
func (p Principal) CanManage() bool { return p.Role == RoleOwner || p.Role == RoleContributor }

// Reaches reports whether the principal may see or change subscription sub.
func (p Principal) Reaches(sub string) bool {
	return len(p.Subscriptions) == 0 || slices.Contains(p.Subscriptions, sub)
}

// Token is one configured bearer token. Scopes empty means the API only.
type Token struct {
	Name, Role, Token string
	Subscriptions     []string
	Scopes            []string
}

// Auth recognises callers. With no tokens it admits loopback clients only,
// as the local owner: a laptop install works out of the box, and an API
// exposed on a network is closed until tokens are configured.
type Auth struct {
	// Tokens are kept by their SHA-256, so a lookup compares hashes, not
	// secrets, and takes the same time however close a guess is.
	tokens map[[32]byte]Principal
	// sessions recognises people signed in (nil: sign-in is off).
	sessions Sessions
}

// Sessions finds the signed-in person a request's cookie belongs to (the
// signin service).
type Sessions interface {
	Lookup(r *http.Request) (signin.Session, bool)
}

// WithSessions makes a recognise signed-in people too; the loopback
// shortcut is then off, as with tokens. It returns a.
func (a *Auth) WithSessions(s Sessions) *Auth {
	a.sessions = s
	return a
}

// NewAuth returns the authenticator for the configured tokens.
func NewAuth(ts []Token) *Auth {
	a := &Auth{tokens: map[[32]byte]Principal{}}
	for _, t := range ts {
		scopes := t.Scopes
		if len(scopes) == 0 {
			scopes = []string{ScopeAPI}
		}
		a.tokens[sha256.Sum256([]byte(t.Token))] = Principal{Name: t.Name, Role: t.Role, Method: "token", Subscriptions: t.Subscriptions, Scopes: scopes}
	}
	return a
}

var errSignIn = &Error{Status: http.StatusUnauthorized, Message: "sign in (/portal/) or send an API token (Authorization: Bearer ...)"}

var errUnauthenticated = &Error{Status: http.StatusUnauthorized, Message: "a valid API token is required (Authorization: Bearer ...)"}

// open reports whether neither tokens nor sign-in are configured: local
// requests only.
func (a *Auth) open() bool { return a == nil || len(a.tokens) == 0 && a.sessions == nil }

// authenticate recognises an API caller (see authenticateFor).
func (a *Auth) authenticate(r *http.Request) (Principal, error) {
	return a.authenticateFor(r, ScopeAPI, r.Method != http.MethodGet && r.Method != http.MethodHead)
}

// authenticateFor recognises a caller of an endpoint of scope. Without
// tokens, a local request (see checkLocal) is the local owner; with
// tokens, the bearer token must be known and list the scope.
func (a *Auth) authenticateFor(r *http.Request, scope string, mutating bool) (Principal, error) {
	if a.open() {
		if e := checkLocal(r, mutating); e != nil {
			return Principal{}, e
		}
		return Principal{Name: "local", Role: RoleOwner, Method: "local"}, nil
	}
	h := r.Header.Get("Authorization")
	if h == "" && a.sessions != nil {
		if sess, ok := a.sessions.Lookup(r); ok {
			// A session is for people: the API, never the machine
			// scopes; a change must carry the session's CSRF token.
			if scope != ScopeAPI {
				return Principal{}, &Error{Status: http.StatusForbidden, Message: "a session reaches the API only; " + scope + " needs a token"}
			}
			if mutating && !signin.CheckCSRF(r, sess) {
				return Principal{}, &Error{Status: http.StatusForbidden, Message: "a change made with a session needs its " + signin.CSRFHeader + " header"}
			}
			return Principal{Name: sess.Name, Role: sess.Role, Method: "session", Subscriptions: sess.Subscriptions, Scopes: []string{ScopeAPI}}, nil
		}
		return Principal{}, errSignIn
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return Principal{}, errUnauthenticated
	}
	p, ok := a.tokens[sha256.Sum256([]byte(strings.TrimSpace(tok)))]
	if !ok {
		return Principal{}, errUnauthenticated
	}
	if !slices.Contains(p.Scopes, scope) {
		return Principal{}, &Error{Status: http.StatusForbidden, Message: "this token's scopes do not include " + scope}
	}
	return p, nil
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clientIP is the connection's address. Forwarding headers are not
// trusted: they are what a caller hiding its address would set.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type principalKey struct{}

func principalOf(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// scopeFilter applies the principal's reach to a list query's subscription
// filter: a principal limited to one subscription gets it by default, one
// limited to several must name one.
func scopeFilter(p Principal, sub string) (string, error) {
	if len(p.Subscriptions) == 0 {
		return sub, nil
	}
	if sub == "" {
		if len(p.Subscriptions) == 1 {
			return p.Subscriptions[0], nil
		}
		return "", &Error{Status: http.StatusForbidden, Message: "name a subscription (?subscription=): this token reaches several"}
	}
	if !p.Reaches(sub) {
		return "", errForbidden
	}
	return sub, nil
}

var errForbidden = &Error{Status: http.StatusForbidden, Message: "this principal may not reach that subscription"}

var errReadOnly = &Error{Status: http.StatusForbidden, Message: "only an owner, contributor or security admin may change this"}

// reach is the subscriptions a list query covers: the one named (if the
// principal reaches it), else those the principal is limited to, else nil
// (all).
func reach(p Principal, sub string) ([]string, error) {
	switch {
	case sub != "" && !p.Reaches(sub):
		return nil, errForbidden
	case sub != "":
		return []string{sub}, nil
	case len(p.Subscriptions) > 0:
		return p.Subscriptions, nil
	}
	return nil, nil
}
