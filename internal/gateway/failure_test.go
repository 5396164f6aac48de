package gateway

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/subscription"
)

// checkStillServes sends a good request after a failure.
func checkStillServes(t *testing.T, h *harness) {
	t.Helper()
	resp, b := h.do("POST", "/v1/chat/completions", chatBody("hello", false), nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the failure, a good request got %d: %s", resp.StatusCode, b)
	}
}

// TestBadRequests checks that bad input gets a clear error in the
// provider's shape and never reaches the upstream.
func TestBadRequests(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name   string
		path   string
		body   string
		hdr    map[string]string
		status int
		code   string
		style  string
	}{
		{"malformed json", "/v1/chat/completions", `{"model":"x","messages":[`, nil, 400, "invalid_request", "openai"},
		{"not an object", "/v1/messages", `[1,2]`, nil, 400, "invalid_request", "anthropic"},
		{"wrong content shape", "/openai/deployments/d/chat/completions", `{"messages":[{"role":"user","content":42}]}`, nil, 400, "invalid_request", "azure_openai"},
		{"wrong content type", "/v1/chat/completions", `{}`, map[string]string{"Content-Type": "text/plain"}, 415, "unsupported_media_type", "openai"},
		{"oversized body", "/v1/chat/completions", `{"messages":[{"role":"user","content":"` + strings.Repeat("a", 2000) + `"}]}`, nil, 413, "request_too_large", "openai"},
		{"unknown path", "/v2/whatever", `{}`, nil, 404, "not_found", "openai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withMode(subscription.ModeBlock), func(c *config.Config, _ memSettings) { c.Limits.MaxBodyBytes = 1024 })
			resp, b := h.do("POST", tt.path, tt.body, tt.hdr)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, b)
			}
			checkErrorShape(t, tt.style, b, tt.code)
			if strings.Contains(string(b), "aaaa") {
				t.Errorf("error echoes the request body: %s", b)
			}
			if n := h.mock.Hits.Load(); n != 0 {
				t.Errorf("upstream called %d times", n)
			}
			checkStillServes(t, h)
			h.close()
		})
	}
}

// TestUpstreamFailures covers an upstream that refuses connections, hangs,
// or closes the connection mid-stream.
func TestUpstreamFailures(t *testing.T) {
	defer goleak.VerifyNone(t)
	t.Run("refused", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		h := newHarness(t, func(c *config.Config, _ memSettings) {
			c.Upstreams = append(c.Upstreams, config.Upstream{Name: "dead", URL: "http://" + addr})
			c.Routes[3].Upstream = "dead" // anthropic
		})
		resp, b := h.do("POST", "/v1/messages", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, nil)
		if resp.StatusCode != http.StatusBadGateway {
			t.Fatalf("status %d, want 502: %s", resp.StatusCode, b)
		}
		checkErrorShape(t, "anthropic", b, "")
		checkStillServes(t, h)
		h.close()
	})
	t.Run("hangs", func(t *testing.T) {
		h := newHarness(t, func(c *config.Config, _ memSettings) { c.Limits.UpstreamHeaderTimeout = 300 * time.Millisecond })
		resp, b := h.do("POST", "/v1/chat/completions", chatBody("hi", false), map[string]string{"X-Mock-Fail": "hang"})
		if resp.StatusCode != http.StatusGatewayTimeout {
			t.Fatalf("status %d, want 504: %s", resp.StatusCode, b)
		}
		checkErrorShape(t, "openai", b, "upstream_timeout")
		checkStillServes(t, h)
		h.close()
	})
	t.Run("stream goes quiet", func(t *testing.T) {
		h := newHarness(t, func(c *config.Config, _ memSettings) { c.Limits.StreamIdleTimeout = 300 * time.Millisecond })
		resp, b := h.do("POST", "/v1/chat/completions", chatBody("hi", true), map[string]string{"X-Mock-Gap-Ms": "5000"})
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "upstream_timeout") || !strings.HasSuffix(string(b), "data: [DONE]\n\n") {
			t.Fatalf("status %d, want a stream ending in an upstream_timeout error event:\n%s", resp.StatusCode, b)
		}
		checkStillServes(t, h)
		h.close()
	})
	t.Run("closes mid-stream", func(t *testing.T) {
		for _, rc := range routeCases {
			if !rc.stream {
				continue
			}
			h := newHarness(t)
			resp, b := h.do("POST", rc.path, rc.body("hi", true), map[string]string{"X-Mock-Fail": "midstream"})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", rc.name, resp.StatusCode)
			}
			want := []string{"upstream_error"}
			if rc.style == config.StyleAnthropic {
				want = []string{"event: error\ndata: {\"error\":{\"message\":\"the upstream stream failed (warden request ", "\"type\":\"api_error\""}
			}
			for _, w := range want {
				if !strings.Contains(string(b), w) {
					t.Errorf("%s: stream cut by the upstream does not end with an error event (%q):\n%s", rc.name, w, b)
				}
			}
			checkStillServes(t, h)
			h.close()
		}
	})
	t.Run("non-stream closes", func(t *testing.T) {
		h := newHarness(t)
		resp, b := h.do("POST", "/v1/chat/completions", chatBody("hi", false), map[string]string{"X-Mock-Fail": "close"})
		if resp.StatusCode != http.StatusBadGateway {
			t.Fatalf("status %d, want 502: %s", resp.StatusCode, b)
		}
		checkStillServes(t, h)
		h.close()
	})
}

// TestClientDisconnectCancelsUpstream checks that when the client goes away
// mid-stream, the upstream request is cancelled and nothing leaks.
func TestClientDisconnectCancelsUpstream(t *testing.T) {
	defer goleak.VerifyNone(t)
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", h.srv.URL+"/v1/chat/completions", strings.NewReader(chatBody("hi", true)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Mock-Gap-Ms", "200")
	req.Header.Set("X-Mock-Tokens", "100")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	cancel()
	resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for h.mock.Cancelled.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the upstream request was not cancelled after the client left")
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkStillServes(t, h)
	h.close()
}
