package signin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"go.uber.org/goleak"

	"github.com/wardenhq/warden/internal/config"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %s: want the PHC argon2id form with OWASP's parameters", h)
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, c := range []struct {
		hash, pw string
		want     bool
	}{
		{h, "correct horse battery staple", true},
		{h, "correct horse battery stapl", false},
		{h, "", false},
		{"$argon2id$v=19$m=0,t=2,p=1$AAAA$AAAA", "x", false},
		{"plaintext", "plaintext", false},
		{strings.Replace(h, "argon2id", "argon2i", 1), "correct horse battery staple", false},
	} {
		if got := CheckPassword(c.hash, c.pw); got != c.want {
			t.Errorf("CheckPassword(%.30s..., %q) = %v, want %v", c.hash, c.pw, got, c.want)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
}

type memStore struct {
	mu       sync.Mutex
	accounts map[string]Account
	sessions map[string]Session
}

func (m *memStore) Account(_ context.Context, name string) (Account, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[name]
	return a, ok, nil
}
func (m *memStore) PutSession(_ context.Context, k string, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[k] = s
	return nil
}
func (m *memStore) Session(_ context.Context, k string) (Session, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[k]
	return s, ok, nil
}
func (m *memStore) DeleteSession(_ context.Context, k string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, k)
	return nil
}

type events struct {
	mu  sync.Mutex
	got []string
}

func (e *events) add(_ context.Context, who, action, _ string) {
	e.mu.Lock()
	e.got = append(e.got, action+":"+who)
	e.mu.Unlock()
}

func (e *events) count(s string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, g := range e.got {
		if g == s {
			n++
		}
	}
	return n
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestLocalSignIn: a right password opens a session whose cookie is
// HttpOnly and Strict, and whose CSRF token logout needs; a wrong one is
// 401 and audited; after ten failures the name is refused even with the
// right password, until the window passes; a body that is not JSON is
// refused (no login CSRF from a form).
func TestLocalSignIn(t *testing.T) {
	hash, _ := HashPassword("correct horse battery staple")
	st := &memStore{accounts: map[string]Account{"ana": {Name: "ana", Role: "security_admin", Hash: hash},
		"old": {Name: "old", Role: "owner", Hash: hash, Disabled: true}}, sessions: map[string]Session{}}
	ev := &events{}
	s, err := New(context.Background(), st, config.SignIn{Local: true}, ev.add, discard())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	h := s.Handler()
	ip := "192.0.2.1:5000"
	login := func(name, pw, ctype string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/auth/login", strings.NewReader(`{"name":"`+name+`","password":"`+pw+`"}`))
		req.Header.Set("Content-Type", ctype)
		req.RemoteAddr = ip
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := login("ana", "correct horse battery staple", "text/plain"); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("form-style login: %d, want 415", w.Code)
	}
	w := login("ana", "correct horse battery staple", "application/json")
	if w.Code != 200 {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	var sess Session
	json.NewDecoder(w.Body).Decode(&sess)
	cookie := w.Result().Cookies()[0]
	if cookie.Name != CookieName || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteStrictMode || sess.Role != "security_admin" || sess.CSRF == "" {
		t.Errorf("session %+v cookie %+v: want HttpOnly, Secure, Strict, the account's role and a CSRF token", sess, cookie)
	}
	req := httptest.NewRequest("GET", "/auth/session", nil)
	req.AddCookie(cookie)
	if got, ok := s.Lookup(req); !ok || got.Name != "ana" {
		t.Errorf("Lookup: %+v %v", got, ok)
	}
	ip = "192.0.2.2:5000" // failures count per address too: another one
	for range 3 {
		if w := login("old", "correct horse battery staple", "application/json"); w.Code != 401 {
			t.Errorf("disabled account: %d, want 401", w.Code)
		}
	}
	ip = "192.0.2.1:5000"
	for range 10 {
		if w := login("ana", "wrong password!", "application/json"); w.Code != 401 {
			t.Errorf("wrong password: %d, want 401", w.Code)
		}
	}
	if w := login("ana", "correct horse battery staple", "application/json"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("after ten failures: %d, want 429 with Retry-After", w.Code)
	}
	if ev.count("signin.failed:ana") != 10 || ev.count("signin.limited:ana") != 1 || ev.count("signin:ana") != 1 {
		t.Errorf("audit %v", ev.got)
	}
	now = now.Add(16 * time.Minute)
	if w := login("ana", "correct horse battery staple", "application/json"); w.Code != 200 {
		t.Errorf("after the window: %d, want 200", w.Code)
	}
	out := func(csrf string) int {
		req := httptest.NewRequest("POST", "/auth/logout", nil)
		req.AddCookie(cookie)
		if csrf != "" {
			req.Header.Set(CSRFHeader, csrf)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	if code := out(""); code != 403 {
		t.Errorf("logout without CSRF: %d, want 403", code)
	}
	if code := out(sess.CSRF); code != 200 {
		t.Errorf("logout: %d", code)
	}
	if _, ok := s.Lookup(req); ok {
		t.Error("the session outlived its logout")
	}
}

// provider is a small OpenID Connect provider: discovery, keys, an
// authorize endpoint that signs in whoever the test says, and a token
// endpoint that checks the PKCE verifier.
type provider struct {
	srv    *httptest.Server
	key    *ecdsa.PrivateKey
	user   string
	groups []string
	mu     sync.Mutex
	codes  map[string][2]string // code -> nonce, challenge
}

func newProvider(t *testing.T) *provider {
	p := &provider{codes: map[string][2]string{}}
	p.key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mux := http.NewServeMux()
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	iss := p.srv.URL
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
			"jwks_uri": iss + "/jwks", "id_token_signing_alg_values_supported": []string{"ES256"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k", Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" {
			http.Error(w, "PKCE required", 400)
			return
		}
		code := randomToken(16)
		p.mu.Lock()
		p.codes[code] = [2]string{q.Get("nonce"), q.Get("code_challenge")}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		p.mu.Lock()
		c, ok := p.codes[r.Form.Get("code")]
		delete(p.codes, r.Form.Get("code"))
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != c[1] {
			http.Error(w, `{"error":"invalid_grant"}`, 400)
			return
		}
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: p.key, KeyID: "k"}}, nil)
		now := time.Now()
		raw, _ := jwt.Signed(signer).Claims(jwt.Claims{Issuer: iss, Subject: "sub-" + p.user, Audience: jwt.Audience{"warden"},
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}).
			Claims(map[string]any{"nonce": c[0], "preferred_username": p.user, "groups": p.groups}).Serialize()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "id_token": raw, "expires_in": 3600})
	})
	return p
}

// TestOIDCSignIn runs the authorization-code flow with PKCE against the
// test's provider: a user whose group maps to a role is signed in with
// it (the highest of several), one in no mapped group is refused, and a
// callback whose state is not the one sent is refused.
func TestOIDCSignIn(t *testing.T) {
	prov := newProvider(t)
	st := &memStore{accounts: map[string]Account{}, sessions: map[string]Session{}}
	ev := &events{}
	var warden *httptest.Server
	mux := http.NewServeMux()
	warden = httptest.NewServer(mux)
	defer warden.Close()
	s, err := New(context.Background(), st, config.SignIn{InsecureCookies: true, OIDC: config.OIDC{Issuer: prov.srv.URL, ClientID: "warden",
		ClientSecret: "secret", RedirectURL: warden.URL + "/auth/oidc/callback",
		Roles: map[string]string{"soc": "reader", "sec-admins": "security_admin"}}}, ev.add, discard())
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/auth/", s.Handler())
	mux.HandleFunc("/portal/", func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.Lookup(r)
		if !ok {
			http.Error(w, "not signed in", 401)
			return
		}
		io.WriteString(w, sess.Name+" "+sess.Role)
	})
	signIn := func(user string, groups ...string) (int, string) {
		prov.user, prov.groups = user, groups
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.Get(warden.URL + "/auth/oidc/login")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := signIn("ana", "soc", "sec-admins", "everyone"); code != 200 || body != "ana security_admin" {
		t.Errorf("ana: %d %q, want signed in as security_admin (the higher of her groups' roles)", code, body)
	}
	if code, body := signIn("eve", "everyone"); code != 403 || !strings.Contains(body, "none of your groups") {
		t.Errorf("eve: %d %q, want refused: no group has a role", code, body)
	}
	// A callback with a state of the attacker's choosing.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(warden.URL + "/auth/oidc/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.Get(warden.URL + "/auth/oidc/callback?code=x&state=forged")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("forged state: %d, want 403", resp.StatusCode)
	}
	if ev.count("signin:ana") != 1 || ev.count("signin.failed:eve") != 1 || ev.count("signin.failed:(unknown)") != 1 {
		t.Errorf("audit %v", ev.got)
	}
}
