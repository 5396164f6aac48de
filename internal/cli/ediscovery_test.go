package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// TestComplianceAndEDiscovery drives the gateway end to end: a
// compliance policy scoped to a group puts a verified user's matching
// prompt in review (pseudonymised) and keeps its text; the same words
// from an unverified user do not (the user-context rule). eDiscovery finds
// the kept text by full-text search, exports the case, and `warden
// ediscovery verify` accepts the export and refuses a tampered copy. The
// database file holds none of the prompt's words.
func TestComplianceAndEDiscovery(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwk := jose.JSONWebKey{Key: &key.PublicKey, KeyID: "k", Algorithm: "ES256", Use: "sig"}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk}})
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	const iss, owner, reviewer, manager = "https://login.example/t/v2.0", "owner-token-0123456789", "review-token-0123456789", "edisc-token-0123456789"
	ck := make([]byte, 32)
	rand.Read(ck) //nolint:errcheck
	srv := serveWith(t, fmt.Sprintf(`routes: [{name: o, style: openai, upstream: m, subscription: s}]
subscriptions: [{id: s, plan: true, mode: detect, data_security: true, capture: findings}]
data_security: {content_keys: [{id: k1, env: TEST_CONTENT_KEY}]}
identity:
  jwt: [{issuer: %q, audiences: [api://warden], jwks_file: %q}]
  headers: {end_user_id: X-End-User-Id}
api:
  tokens:
    - {name: olivia, role: owner, token: %s}
    - {name: rhea, role: compliance_reviewer, token: %s}
    - {name: erin, role: ediscovery_manager, token: %s}
`, iss, filepath.Join(dir, "jwks.json"), owner, reviewer, manager), "", func(k string) string {
		if k == "TEST_CONTENT_KEY" {
			return base64.StdEncoding.EncodeToString(ck)
		}
		return ""
	})
	base, data := srv.base, srv.data
	call := func(method, path, token, body string) (int, map[string]any, http.Header, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var v map[string]any
		json.Unmarshal(raw, &v) //nolint:errcheck // a zip is not JSON
		return resp.StatusCode, v, resp.Header, raw
	}
	if status, v, _, _ := call("POST", "/api/compliance/policies", owner, `{"name":"deal","keywords":["zanzibar"],"groups":["finance"]}`); status != 200 {
		t.Fatalf("policy: %d %v", status, v)
	}
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k"}}, (&jose.SignerOptions{}).WithType("JWT"))
	now := time.Now()
	tok, _ := jwt.Signed(signer).Claims(jwt.Claims{Issuer: iss, Subject: "alice", Audience: jwt.Audience{"api://warden"},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}).Claims(map[string]any{"groups": []string{"finance"}}).Serialize()
	chat := func(text string, hdr map[string]string) {
		req, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"user","content":"`+text+`"}]}`))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
	}
	// The policy reaches the writer at once in one process; give its
	// reload a moment all the same.
	time.Sleep(300 * time.Millisecond)
	chat("What are the Zanzibar deal terms for Kilimanjaro?", map[string]string{"Authorization": "Bearer " + tok})
	chat("Zanzibar deal terms please", map[string]string{"X-End-User-Id": "mallory"})
	chat("What is for lunch?", map[string]string{"Authorization": "Bearer " + tok})
	for range 100 {
		if _, v, _, _ := call("GET", "/api/interactions", owner, ""); len(v["interactions"].([]any)) == 3 {
			break
		}
		waitABit()
	}
	_, q, _, raw := call("GET", "/api/compliance/queue", reviewer, "")
	items, _ := q["items"].([]any)
	if len(items) != 1 || strings.Contains(string(raw), "alice") || strings.Contains(string(raw), "mallory") {
		t.Fatalf("review queue %s: want one item (alice's, pseudonymised); mallory has no verified identity", raw)
	}
	status, c, _, _ := call("POST", "/api/cases", manager, `{"name":"Zanzibar"}`)
	caseID, _ := c["id"].(string)
	if status != 200 {
		t.Fatalf("case: %d %v", status, c)
	}
	_, res, _, _ := call("POST", "/api/cases/"+caseID+"/searches", manager, `{"text":"zanzibar terms"}`)
	if rs, _ := res["results"].([]any); len(rs) != 1 || rs[0].(map[string]any)["user"] != "alice" {
		t.Fatalf("search: %v, want alice's interaction (the only one whose text was kept)", res)
	}
	status, _, hdr, archive := call("GET", "/api/cases/"+caseID+"/export?content=true&reason=legal+request+12", manager, "")
	if status != 200 {
		t.Fatalf("export: %d %s", status, archive)
	}
	file := filepath.Join(dir, "case.zip")
	os.WriteFile(file, archive, 0o600) //nolint:errcheck
	var out bytes.Buffer
	err := RunWith(context.Background(), Env{Stdout: &out, Stderr: io.Discard, Getenv: func(string) string { return "" }},
		[]string{"ediscovery", "verify", "--digest", hdr.Get("X-Manifest-SHA256"), file})
	if err != nil || !strings.Contains(out.String(), "content.jsonl: 1 records") {
		t.Errorf("verify: %v\n%s", err, out.String())
	}
	tampered := bytes.Clone(archive)
	i := bytes.Index(tampered, []byte("manifest.json")) // corrupt a byte of the first file's data
	tampered[i/2] ^= 0xff
	os.WriteFile(file, tampered, 0o600) //nolint:errcheck
	err = RunWith(context.Background(), Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }},
		[]string{"ediscovery", "verify", file})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Errorf("tampered export: %v, want exit 1", err)
	}
	t.Run("console", func(t *testing.T) { reviewInConsole(t, base, reviewer, manager) })
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"warden.db", "warden.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(data, name))
		// The policy's keyword and the search's words are people's
		// configuration, kept as written; the prompt's own words are not.
		if bytes.Contains(bytes.ToLower(b), []byte("kilimanjaro")) || bytes.Contains(b, []byte("What are the")) {
			t.Errorf("%s holds words of a prompt", name)
		}
	}
}

// reviewInConsole works the same queue and case in the console, with the
// reviewer's and the manager's tokens: the reviewer lands on the queue,
// sees a pseudonym, identifies the person with a reason; the manager
// lands on the cases and sees the search that found the interaction.
func reviewInConsole(t *testing.T, base, reviewer, manager string) {
	c := newConsole(t, base)
	as := func(token string) {
		c.open("")
		c.eval(fmt.Sprintf(`(() => { sessionStorage.setItem("warden-token", %q); return "" })()`, token))
		c.open("?as=" + token[:6]) // a new address: the page loads again, with the token
	}
	as(reviewer)
	c.wait("the review queue", `document.querySelectorAll('tbody tr.clickable').length === 1`)
	if row := c.eval(`document.querySelector('tbody tr.clickable').textContent`); !strings.Contains(row, "user-") || strings.Contains(row, "alice") {
		t.Errorf("queue row %q, want a pseudonym, not the user", row)
	}
	if tabs := c.eval(`[...document.querySelectorAll('nav a')].filter((a) => a.offsetParent !== null).map((a) => a.textContent).join(",")`); tabs != "Compliance" {
		t.Errorf("a reviewer's tabs: %q, want Compliance alone", tabs)
	}
	c.shot("review-queue")
	c.eval(`(() => { document.querySelector('tbody tr.clickable').click(); return "" })()`)
	c.wait("the item's panel", `!document.querySelector('#panel').hidden && [...document.querySelectorAll('#panel button')].some((b) => b.textContent === "Identify…")`)
	c.eval(`(() => { [...document.querySelectorAll('#panel button')].find((b) => b.textContent === "Identify…").click();
		document.querySelector('#panel input[name=reason]').value = "HR case 12 asks who this is"; document.querySelector('#panel button.go').click(); return "" })()`)
	c.wait("the person identified", `!!document.querySelector('#panel .identified') && document.querySelector('#panel .identified').textContent.includes("alice")`)
	c.shot("review-identified")
	as(manager)
	c.wait("the cases", `document.querySelectorAll('tbody tr.clickable').length === 1`)
	c.eval(`(() => { document.querySelector('tbody tr.clickable').click(); return "" })()`)
	c.wait("the case", `!!document.querySelector('.detail h2') && document.querySelector('.detail').textContent.includes("zanzibar terms")`)
	c.shot("case")
}
