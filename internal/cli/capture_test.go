package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/mockllm"
)

// TestContentCapture serves a subscription capturing the content of
// interactions with findings, sealed with a key from the environment.
// The database files hold no prompt text; the owner may not read content;
// a content reader must give a reason, gets the text, and the reading is
// in the audit; an interaction without findings kept no content.
func TestContentCapture(t *testing.T) {
	mock := httptest.NewServer(&mockllm.Mock{})
	defer mock.Close()
	dir := t.TempDir()
	addr := freePort(t)
	data := filepath.Join(dir, "data")
	const owner, reader = "owner-token-0123456789", "content-token-0123456789"
	cfg := fmt.Sprintf(`listen: %s
data_dir: %s
log: {level: warn}
upstreams: [{name: m, url: %q}]
routes: [{name: o, style: openai, upstream: m, subscription: s}]
subscriptions: [{id: s, plan: true, mode: detect, data_security: true, capture: findings}]
data_security: {content_keys: [{id: k1, env: TEST_CONTENT_KEY}]}
api:
  tokens:
    - {name: olivia, role: owner, token: %s}
    - {name: cora, role: content_reader, token: %s}
`, addr, data, mock.URL, owner, reader)
	path := filepath.Join(dir, "warden.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	rand.Read(key) //nolint:errcheck
	env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string {
		if k == "TEST_CONTENT_KEY" {
			return base64.StdEncoding.EncodeToString(key)
		}
		return ""
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunWith(ctx, env, []string{"serve", "--config", path}) }()
	base := "http://" + addr
	waitUp(t, base+"/healthz", done)
	const secret = "Project Nightingale budget 4111 1111 1111 1111"
	for _, text := range []string{"What is the capital of France?", secret} {
		req, _ := http.NewRequest("POST", base+"/v1/chat/completions",
			strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"user","content":"`+text+`"}]}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
	}
	get := func(path, token string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v) //nolint:errcheck
		return resp.StatusCode, v
	}
	// Records are written in batches: wait for both.
	var list []any
	for range 100 {
		_, v := get("/api/interactions", owner)
		if list, _ = v["interactions"].([]any); len(list) == 2 {
			break
		}
		waitABit()
	}
	if len(list) != 2 {
		t.Fatalf("%d interactions listed, want 2", len(list))
	}
	ids := map[bool]string{} // has content -> id
	for _, x := range list {
		m := x.(map[string]any)
		has, _ := m["has_content"].(bool)
		ids[has] = m["id"].(string)
	}
	if ids[true] == "" || ids[false] == "" {
		t.Fatalf("want one interaction with content (the card) and one without: %v", list)
	}
	withContent := "/api/interactions/" + ids[true] + "/content"
	if status, _ := get(withContent+"?reason=investigating+INC-42", owner); status != 403 {
		t.Errorf("owner reading content: %d, want 403 (content_reader only)", status)
	}
	if status, _ := get(withContent, reader); status != 400 {
		t.Errorf("content reader without a reason: %d, want 400", status)
	}
	if status, _ := get("/api/interactions/"+ids[false]+"/content?reason=investigating+INC-42", reader); status != 404 {
		t.Errorf("interaction without findings: %d, want 404 (nothing kept)", status)
	}
	status, v := get(withContent+"?reason="+url.QueryEscape("investigating INC-42"), reader)
	b, _ := json.Marshal(v["content"])
	if status != 200 || !strings.Contains(string(b), secret) {
		t.Errorf("content reader: %d %s, want the prompt", status, b)
	}
	status, v = get("/api/interactions/"+ids[true]+"/reveals", owner)
	rv, _ := v["reveals"].([]any)
	if status != 200 || len(rv) != 1 || !strings.Contains(fmt.Sprint(rv[0]), "cora") || !strings.Contains(fmt.Sprint(rv[0]), "INC-42") {
		t.Errorf("reveals: %d %v, want one reading by cora for INC-42", status, rv)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// No prompt text anywhere in the database's files.
	files, _ := filepath.Glob(filepath.Join(data, "warden.db*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"Nightingale", "4111 1111", "capital of France"} {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds %q in plaintext", filepath.Base(f), s)
			}
		}
	}
	if len(files) == 0 {
		t.Fatal("no database files to check")
	}
}

func waitABit() { <-time.After(50 * time.Millisecond) }
