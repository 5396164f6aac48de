package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/mockllm"
)

// TestInteractionsCommand serves a subscription with data security on,
// sends two prompts, stops (the records are flushed at shutdown) and lists
// them with `warden interactions list`.
func TestInteractionsCommand(t *testing.T) {
	mock := httptest.NewServer(&mockllm.Mock{})
	defer mock.Close()
	dir := t.TempDir()
	addr := freePort(t)
	cfg := fmt.Sprintf(`listen: %s
data_dir: %s
log: {level: warn}
upstreams: [{name: m, url: %q}]
routes: [{name: o, style: openai, upstream: m, subscription: s}]
subscriptions: [{id: s, plan: true, mode: detect, data_security: true}]
identity: {headers: {end_user_id: X-End-User-Id, application_name: X-App}}
`, addr, filepath.Join(dir, "data"), mock.URL)
	path := filepath.Join(dir, "warden.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"serve", "--config", path}, nil, io.Discard, io.Discard) }()
	waitUp(t, "http://"+addr+"/healthz", done)
	for _, p := range []struct{ user, text string }{{"alice", "What is the capital of France?"}, {"bob", "My card is 4111 1111 1111 1111"}} {
		req, _ := http.NewRequest("POST", "http://"+addr+"/v1/chat/completions",
			strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"user","content":"`+p.text+`"}]}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-End-User-Id", p.user)
		req.Header.Set("X-App", "helpdesk")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"interactions", "list", "--json", "--data-dir", filepath.Join(dir, "data")}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rs []interaction.Record
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var r interaction.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	if len(rs) != 2 || rs[0].User != "bob" || rs[0].SensitiveTypes["credit_card"] != 1 || rs[1].User != "alice" || rs[1].Application != "helpdesk" {
		t.Errorf("interactions list: %+v; want bob's (a credit card) then alice's, from helpdesk", rs)
	}
	out.Reset()
	if err := Run(context.Background(), []string{"interactions", "list", "--data-dir", filepath.Join(dir, "data"), "--sensitive-type", "credit_card"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "bob (unverified)") || strings.Contains(out.String(), "alice") {
		t.Errorf("table filtered by sensitive type:\n%s", out.String())
	}
}
