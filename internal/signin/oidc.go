package signin

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/wardenhq/warden/internal/config"
)

// oidcFlow is the authorization-code flow with PKCE against one provider.
type oidcFlow struct {
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
	groups   string
	roles    map[string]string
	secure   bool
}

// roleOrder decides between the roles of a user's several groups: the
// first in this order wins.
var roleOrder = []string{"owner", "contributor", "security_admin", "content_reader", "reader", "compliance_reviewer", "ediscovery_manager"}

func newOIDC(ctx context.Context, c config.OIDC, secure bool) (*oidcFlow, error) {
	if c.ClientID == "" || c.RedirectURL == "" || len(c.Roles) == 0 {
		return nil, fmt.Errorf("signin.oidc: client_id, redirect_url and roles are required")
	}
	for g, r := range c.Roles {
		if !slices.Contains(roleOrder, r) {
			return nil, fmt.Errorf("signin.oidc.roles[%s]: %q is not a role (%s)", g, r, strings.Join(roleOrder, ", "))
		}
	}
	// The provider's keys are fetched later with the context it was made
	// with: the server's, not the first request's.
	p, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("signin.oidc: %w", err)
	}
	groups := c.GroupsClaim
	if groups == "" {
		groups = "groups"
	}
	return &oidcFlow{verifier: p.Verifier(&oidc.Config{ClientID: c.ClientID}), groups: groups, roles: c.Roles, secure: secure,
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: p.Endpoint(), RedirectURL: c.RedirectURL,
			Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}}, nil
}

const flowCookie = "warden_oidc"

// oidcLogin sends the browser to the provider, remembering the state,
// nonce and PKCE verifier in a short-lived cookie.
func (s *Service) oidcLogin(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := randomToken(24), randomToken(24), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: state + "." + nonce + "." + verifier, Path: "/auth/oidc/", MaxAge: 600,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, s.oidc.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// oidcCallback finishes the flow: the state must be the one sent, the ID
// token must verify and carry the nonce, and one of the user's groups
// must map to a role.
func (s *Service) oidcCallback(w http.ResponseWriter, r *http.Request) {
	refuse := func(who, why string) {
		s.audit(r.Context(), who, "signin.failed", "oidc: "+why+"; from "+clientIP(r))
		http.Error(w, "sign-in failed: "+why, http.StatusForbidden)
	}
	c, err := r.Cookie(flowCookie)
	if err != nil {
		refuse("(unknown)", "no sign-in in progress (cookie missing or expired)")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: s.secure})
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || r.URL.Query().Get("state") == "" || r.URL.Query().Get("state") != parts[0] {
		refuse("(unknown)", "state does not match")
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		refuse("(unknown)", "the provider said "+e)
		return
	}
	tok, err := s.oidc.oauth.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(parts[2]))
	if err != nil {
		refuse("(unknown)", "code exchange failed")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := s.oidc.verifier.Verify(r.Context(), raw)
	if err != nil {
		refuse("(unknown)", "ID token does not verify")
		return
	}
	if idt.Nonce != parts[1] {
		refuse(idt.Subject, "nonce does not match")
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		refuse(idt.Subject, "claims unreadable")
		return
	}
	name := idt.Subject
	for _, k := range []string{"preferred_username", "email"} {
		if v, ok := claims[k].(string); ok && v != "" {
			name = v
			break
		}
	}
	role, err := s.oidc.role(claims)
	if err != nil {
		refuse(name, err.Error())
		return
	}
	if _, err := s.start(r.Context(), w, Session{Name: name, Role: role, Method: "oidc"}); err != nil {
		s.log.Error("session not stored", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.audit(r.Context(), name, "signin", "oidc as "+role+"; from "+clientIP(r))
	http.Redirect(w, r, "/portal/", http.StatusFound)
}

// role is the highest role any of the user's groups maps to.
func (f *oidcFlow) role(claims map[string]any) (string, error) {
	list, _ := claims[f.groups].([]any)
	var got []string
	for _, g := range list {
		if s, ok := g.(string); ok {
			if r, ok := f.roles[s]; ok {
				got = append(got, r)
			}
		}
	}
	for _, r := range roleOrder {
		if slices.Contains(got, r) {
			return r, nil
		}
	}
	return "", errNoRole
}
