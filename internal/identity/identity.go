// Package identity verifies Entra ID-style bearer JWTs against configured
// issuers (their JWKS, audiences and validity period) and says who they
// name: user, tenant and application. It is one of the three ways the
// gateway works out an inference request's end user, beside the body's
// user_security_context and configured headers, and the only one trusted
// as proof: a token that fails any check yields no identity, only the
// reason (recorded as such).
package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer is a trusted token issuer.
type Issuer struct {
	Issuer    string
	Audiences []string
	Keys      jose.JSONWebKeySet
}

// LoadIssuer reads an issuer's JWKS file.
func LoadIssuer(iss string, audiences []string, jwksFile string) (Issuer, error) {
	b, err := os.ReadFile(jwksFile)
	if err != nil {
		return Issuer{}, fmt.Errorf("read JWKS: %w", err)
	}
	var ks jose.JSONWebKeySet
	if err := json.Unmarshal(b, &ks); err != nil {
		return Issuer{}, fmt.Errorf("parse JWKS %s: %w", jwksFile, err)
	}
	if len(ks.Keys) == 0 {
		return Issuer{}, fmt.Errorf("JWKS %s has no keys", jwksFile)
	}
	return Issuer{Issuer: iss, Audiences: audiences, Keys: ks}, nil
}

// Verifier checks bearer JWTs against trusted issuers.
type Verifier struct {
	issuers []Issuer
}

// NewVerifier returns a verifier trusting issuers.
func NewVerifier(issuers []Issuer) *Verifier { return &Verifier{issuers: issuers} }

// Token is what a bearer token says about the user.
type Token struct {
	// Verified is true only when the signature, issuer, audience and
	// validity period all checked out.
	Verified bool
	UserID   string   // oid, else sub
	TenantID string   // tid
	AppID    string   // azp or appid
	Groups   []string // groups (Entra ID group object ids or names)
	// Problem says why an unverified token was not trusted.
	Problem string
}

var algs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

type entraClaims struct {
	OID   string `json:"oid"`
	TID   string `json:"tid"`
	AZP   string `json:"azp"`
	AppID string `json:"appid"`
	// Groups is a list in Entra ID; a token from elsewhere may carry
	// anything under the name, which is then ignored.
	Groups json.RawMessage `json:"groups"`
}

// LooksLikeJWT reports whether a bearer credential has the shape of a JWS
// compact token (three base64url segments), as opposed to an API key.
func LooksLikeJWT(s string) bool {
	return strings.Count(s, ".") == 2 && strings.HasPrefix(s, "eyJ")
}

// Verify checks raw at time now. It never returns identity from a token it
// could not verify.
func (v *Verifier) Verify(raw string, now time.Time) Token {
	tok, err := jwt.ParseSigned(raw, algs)
	if err != nil {
		return Token{Problem: "malformed token"}
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return Token{Problem: "malformed claims"}
	}
	var iss *Issuer
	for i := range v.issuers {
		if v.issuers[i].Issuer == unverified.Issuer {
			iss = &v.issuers[i]
			break
		}
	}
	if iss == nil {
		return Token{Problem: "untrusted issuer"}
	}
	var std jwt.Claims
	var extra entraClaims
	if err := tok.Claims(iss.Keys, &std, &extra); err != nil {
		return Token{Problem: "bad signature"}
	}
	exp := jwt.Expected{Issuer: iss.Issuer, AnyAudience: iss.Audiences, Time: now}
	if err := std.ValidateWithLeeway(exp, time.Minute); err != nil {
		switch {
		case errors.Is(err, jwt.ErrExpired):
			return Token{Problem: "expired"}
		case errors.Is(err, jwt.ErrInvalidAudience):
			return Token{Problem: "wrong audience"}
		}
		return Token{Problem: "invalid claims"}
	}
	t := Token{Verified: true, UserID: extra.OID, TenantID: extra.TID, AppID: extra.AZP}
	json.Unmarshal(extra.Groups, &t.Groups) //nolint:errcheck // not a list of strings: no groups
	if t.UserID == "" {
		t.UserID = std.Subject
	}
	if t.AppID == "" {
		t.AppID = extra.AppID
	}
	return t
}
