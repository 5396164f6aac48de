package gateway

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/identity"
)

const testIssuer = "https://login.microsoftonline.com/tenant-1/v2.0"

func signToken(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func userEntity(as []alert.Alert) (alert.Entity, bool) {
	for _, a := range as {
		for _, e := range a.Entities {
			if e.Kind == "user" {
				return e, true
			}
		}
	}
	return alert.Entity{}, false
}

func entity(as []alert.Alert, kind string) string {
	for _, a := range as {
		for _, e := range a.Entities {
			if e.Kind == kind {
				return e.ID
			}
		}
	}
	return ""
}

// TestUserContext checks that end-user context from each of the three
// sources lands on the alert, and that an unverified token is not trusted.
func TestUserContext(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	ks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
	verifier := identity.NewVerifier([]identity.Issuer{{Issuer: testIssuer, Audiences: []string{"api://warden"}, Keys: ks}})
	now := time.Now()
	good := signToken(t, key, "k1", map[string]any{"iss": testIssuer, "aud": "api://warden", "sub": "s-1",
		"oid": "oid-alice", "tid": "tenant-1", "azp": "app-chat", "exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix()})
	forged := signToken(t, other, "k1", map[string]any{"iss": testIssuer, "aud": "api://warden", "oid": "oid-mallory",
		"exp": now.Add(time.Hour).Unix()})
	expired := signToken(t, key, "k1", map[string]any{"iss": testIssuer, "aud": "api://warden", "oid": "oid-old",
		"exp": now.Add(-time.Hour).Unix()})

	usc := `{"model":"gpt-4o","messages":[{"role":"user","content":"` + jailbreak + `"}],` +
		`"user_security_context":{"application_name":"HR bot","end_user_id":"bob@contoso.com","end_user_tenant_id":"t-2","source_ip":"203.0.113.9"}}`
	tests := []struct {
		name     string
		body     string
		hdr      map[string]string
		wantUser string
		verified string
		wantApp  string
		wantIP   string
	}{
		{"verified jwt", chatBody(jailbreak, false), map[string]string{"Authorization": "Bearer " + good}, "oid-alice", "true", "app-chat", ""},
		{"user_security_context", usc, nil, "bob@contoso.com", "false", "HR bot", "203.0.113.9"},
		{"headers", chatBody(jailbreak, false), map[string]string{"X-End-User-Id": "carol", "X-App": "support-portal"}, "carol", "false", "support-portal", ""},
		{"jwt wins over body", usc, map[string]string{"Authorization": "Bearer " + good}, "oid-alice", "true", "HR bot", "203.0.113.9"},
		{"forged jwt not trusted", chatBody(jailbreak, false), map[string]string{"Authorization": "Bearer " + forged}, "", "", "", ""},
		{"expired jwt not trusted", chatBody(jailbreak, false), map[string]string{"Authorization": "Bearer " + expired}, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarnessWith(t, verifier)
			h.do("POST", "/v1/chat/completions", tt.body, tt.hdr)
			as := h.alerts()
			if len(as) == 0 {
				t.Fatal("no alert")
			}
			u, ok := userEntity(as)
			if tt.wantUser == "" {
				if ok {
					t.Errorf("user entity %+v from an untrusted token", u)
				}
				return
			}
			if !ok || u.ID != tt.wantUser || u.Attrs["verified"] != tt.verified {
				t.Errorf("user = %+v, want %s verified=%s", u, tt.wantUser, tt.verified)
			}
			if got := entity(as, "application"); got != tt.wantApp {
				t.Errorf("application = %q, want %q", got, tt.wantApp)
			}
			if tt.wantIP != "" {
				if got := entity(as, "ip"); got != tt.wantIP {
					t.Errorf("ip = %q, want %q", got, tt.wantIP)
				}
			}
		})
	}
}
