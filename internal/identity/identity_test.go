package identity

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const iss = "https://login.example/tenant/v2.0"

var now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

type keyPair struct {
	priv any
	pub  jose.JSONWebKey
	alg  jose.SignatureAlgorithm
}

func newRSA(t *testing.T, kid string) keyPair {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{priv: k, pub: jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}, alg: jose.RS256}
}

func newEC(t *testing.T, kid string) keyPair {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{priv: k, pub: jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"}, alg: jose.ES256}
}

func sign(t *testing.T, k keyPair, std jwt.Claims, extra map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.pub.KeyID}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(std).Claims(extra).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestVerify(t *testing.T) {
	rsaKey, ecKey, other := newRSA(t, "r1"), newEC(t, "e1"), newRSA(t, "r1")
	v := NewVerifier([]Issuer{{Issuer: iss, Audiences: []string{"api://warden"}, Keys: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{rsaKey.pub, ecKey.pub}}}})
	valid := jwt.Claims{Issuer: iss, Subject: "sub-1", Audience: jwt.Audience{"api://warden"},
		IssuedAt: jwt.NewNumericDate(now.Add(-time.Minute)), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}
	with := func(f func(*jwt.Claims)) jwt.Claims { c := valid; f(&c); return c }
	entra := map[string]any{"oid": "user-oid", "tid": "tenant-1", "azp": "app-1"}
	tests := []struct {
		name string
		raw  string
		want Token
	}{
		{"RS256 with Entra claims", sign(t, rsaKey, valid, entra), Token{Verified: true, UserID: "user-oid", TenantID: "tenant-1", AppID: "app-1"}},
		{"ES256, sub and appid when oid and azp are absent", sign(t, ecKey, valid, map[string]any{"appid": "app-2"}), Token{Verified: true, UserID: "sub-1", AppID: "app-2"}},
		{"expired beyond the minute of leeway", sign(t, rsaKey, with(func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(now.Add(-2 * time.Minute)) }), entra), Token{Problem: "expired"}},
		{"expired within the leeway", sign(t, rsaKey, with(func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(now.Add(-30 * time.Second)) }), entra), Token{Verified: true, UserID: "user-oid", TenantID: "tenant-1", AppID: "app-1"}},
		{"not yet valid", sign(t, rsaKey, with(func(c *jwt.Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(10 * time.Minute)) }), entra), Token{Problem: "invalid claims"}},
		{"wrong audience", sign(t, rsaKey, with(func(c *jwt.Claims) { c.Audience = jwt.Audience{"api://other"} }), entra), Token{Problem: "wrong audience"}},
		{"untrusted issuer", sign(t, rsaKey, with(func(c *jwt.Claims) { c.Issuer = "https://evil.example" }), entra), Token{Problem: "untrusted issuer"}},
		{"signed by another key with the same kid", sign(t, other, valid, entra), Token{Problem: "bad signature"}},
		{"claims not JSON", "eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln", Token{Problem: "malformed claims"}},
		{"not three segments", "eyJhbGciOiJSUzI1NiJ9.e30", Token{Problem: "malformed token"}},
		{"an API key", "sk-proj-abc", Token{Problem: "malformed token"}},
		{"alg none", unsigned(t, valid), Token{Problem: "malformed token"}},
		{"groups claim", sign(t, rsaKey, valid, map[string]any{"oid": "u", "groups": []string{"finance", "staff"}}),
			Token{Verified: true, UserID: "u", Groups: []string{"finance", "staff"}}},
		{"groups claim not a list", sign(t, rsaKey, valid, map[string]any{"oid": "u", "groups": "finance"}), Token{Verified: true, UserID: "u"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := v.Verify(tt.raw, now); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Verify = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// unsigned is a token with alg none, which must never verify.
func unsigned(t *testing.T, c jwt.Claims) string {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(b) + "."
}

// TestHMACWithPublicKeyRejected checks the algorithm-confusion attack: a
// token signed with HS256 using the issuer's public key bytes as the
// secret is refused before any key is tried.
func TestHMACWithPublicKeyRejected(t *testing.T) {
	k := newRSA(t, "r1")
	v := NewVerifier([]Issuer{{Issuer: iss, Keys: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.pub}}}})
	pub, err := json.Marshal(k.pub)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pub}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(jwt.Claims{Issuer: iss, Subject: "x"}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Verify(raw, now); got.Verified || got.UserID != "" {
		t.Errorf("HS256 token verified: %+v", got)
	}
}

func TestLoadIssuer(t *testing.T) {
	dir := t.TempDir()
	k := newRSA(t, "r1")
	good, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.pub}})
	files := map[string]string{"good.json": string(good), "bad.json": "{not json", "empty.json": `{"keys": []}`}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		file, wantErr string
	}{
		{"good.json", ""},
		{"bad.json", "parse JWKS"},
		{"empty.json", "has no keys"},
		{"missing.json", "read JWKS"},
	}
	for _, tt := range tests {
		is, err := LoadIssuer(iss, []string{"api://warden"}, filepath.Join(dir, tt.file))
		switch {
		case tt.wantErr == "" && (err != nil || len(is.Keys.Keys) != 1 || is.Issuer != iss):
			t.Errorf("LoadIssuer(%s) = %+v, %v; want one key", tt.file, is, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("LoadIssuer(%s) error %v, want %q", tt.file, err, tt.wantErr)
		}
	}
}

func TestLooksLikeJWT(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", true},
		{"sk-proj-abc.def.ghi", false},
		{"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := LooksLikeJWT(tt.in); got != tt.want {
			t.Errorf("LooksLikeJWT(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzVerify feeds arbitrary bearer values (untrusted bytes from clients):
// no panic, and nothing verifies without the issuer's key.
func FuzzVerify(f *testing.F) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	v := NewVerifier([]Issuer{{Issuer: iss, Keys: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "r1"}}}}})
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2xvZ2luLmV4YW1wbGUvdGVuYW50L3YyLjAifQ.c2ln")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, raw string) {
		if got := v.Verify(raw, now); got.Verified {
			t.Errorf("Verify(%q) verified without a signature by the key", raw)
		}
	})
}
