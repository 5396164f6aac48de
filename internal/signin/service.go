package signin

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/wardenhq/warden/internal/config"
)

// Auditor records sign-in events (who, what, detail) in the audit log.
type Auditor func(ctx context.Context, principal, action, detail string)

// Service signs people in.
type Service struct {
	store  Store
	local  bool
	oidc   *oidcFlow
	ttl    time.Duration
	secure bool
	audit  Auditor
	limit  *limiter
	log    *slog.Logger
	now    func() time.Time
}

// New returns the sign-in service the configuration describes, or nil
// when sign-in is off. With OIDC it reads the provider's discovery
// document now: a provider that cannot be reached stops the start.
func New(ctx context.Context, st Store, c config.SignIn, audit Auditor, log *slog.Logger) (*Service, error) {
	if !c.Local && c.OIDC.Issuer == "" {
		return nil, nil
	}
	s := &Service{store: st, local: c.Local, ttl: c.SessionTTL, secure: !c.InsecureCookies, audit: audit,
		limit: &limiter{fails: map[string]*window{}}, log: log, now: time.Now}
	if s.ttl <= 0 {
		s.ttl = 12 * time.Hour
	}
	if c.OIDC.Issuer != "" {
		f, err := newOIDC(ctx, c.OIDC, s.secure)
		if err != nil {
			return nil, err
		}
		s.oidc = f
	}
	return s, nil
}

// Handler serves /auth/: login, logout, session, and the OIDC flow.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/login", s.login)
	mux.HandleFunc("POST /auth/logout", s.logout)
	mux.HandleFunc("GET /auth/session", s.session)
	if s.oidc != nil {
		mux.HandleFunc("GET /auth/oidc/login", s.oidcLogin)
		mux.HandleFunc("GET /auth/oidc/callback", s.oidcCallback)
	}
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// login signs in with a local account. The body must be JSON (a form on
// another site cannot send it without a preflight, so nobody can be
// signed in to an attacker's account unawares).
func (s *Service) login(w http.ResponseWriter, r *http.Request) {
	if !s.local {
		fail(w, http.StatusNotFound, "local accounts are not enabled")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		fail(w, http.StatusUnsupportedMediaType, "the body must be JSON")
		return
	}
	var req struct{ Name, Password string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil || req.Name == "" {
		fail(w, http.StatusBadRequest, "the body must be {\"name\": ..., \"password\": ...}")
		return
	}
	now := s.now()
	ipKey, nameKey := "ip:"+clientIP(r), "name:"+req.Name
	for _, k := range []string{ipKey, nameKey} {
		if blocked, until := s.limit.blocked(k, now); blocked {
			w.Header().Set("Retry-After", strconv.Itoa(int(until.Sub(now).Seconds())+1))
			s.audit(r.Context(), req.Name, "signin.limited", "from "+clientIP(r))
			fail(w, http.StatusTooManyRequests, "too many failed sign-ins: try again later")
			return
		}
	}
	a, ok, err := s.store.Account(r.Context(), req.Name)
	if err != nil {
		s.log.Error("account lookup failed", "err", err)
		fail(w, http.StatusInternalServerError, "internal error")
		return
	}
	hash := dummyHash()
	if ok && !a.Disabled {
		hash = a.Hash
	}
	if !CheckPassword(hash, req.Password) || !ok || a.Disabled {
		s.limit.fail(ipKey, now)
		s.limit.fail(nameKey, now)
		s.audit(r.Context(), req.Name, "signin.failed", "password; from "+clientIP(r))
		fail(w, http.StatusUnauthorized, "name or password is wrong")
		return
	}
	s.limit.reset(nameKey)
	sess, err := s.start(r.Context(), w, Session{Name: a.Name, Role: a.Role, Subscriptions: a.Subscriptions, Method: "password"})
	if err != nil {
		s.log.Error("session not stored", "err", err)
		fail(w, http.StatusInternalServerError, "internal error")
		return
	}
	s.audit(r.Context(), a.Name, "signin", "password; from "+clientIP(r))
	writeJSON(w, http.StatusOK, sess)
}

func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.Lookup(r)
	if !ok {
		fail(w, http.StatusUnauthorized, "not signed in")
		return
	}
	if !CheckCSRF(r, sess) {
		fail(w, http.StatusForbidden, "the "+CSRFHeader+" header is missing or wrong")
		return
	}
	c, _ := r.Cookie(CookieName)
	if err := s.store.DeleteSession(r.Context(), sessionKey(c.Value)); err != nil {
		s.log.Error("session not deleted", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	s.audit(r.Context(), sess.Name, "signout", "")
	writeJSON(w, http.StatusOK, map[string]string{"signed_out": sess.Name})
}

// session says who is signed in (with the CSRF token the portal sends),
// or, with 401, how one may sign in.
func (s *Service) session(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.Lookup(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "not signed in", "local": s.local, "oidc": s.oidc != nil})
		return
	}
	writeJSON(w, http.StatusOK, sess)
}

var errNoRole = errors.New("none of your groups has a role in Warden")
