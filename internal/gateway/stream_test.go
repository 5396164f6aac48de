package gateway

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/subscription"
)

// TestStreamCutInBlockMode checks that a streamed response is cut with a
// final error event, in each provider's grammar, when a response finding
// crosses the block threshold, and that the offending text never reaches
// the client.
func TestStreamCutInBlockMode(t *testing.T) {
	want := map[string]string{
		"openai chat":        `"code":"content_filter"`,
		"openai responses":   "event: error\ndata: {",
		"anthropic messages": "event: error\ndata: {\"error\":{",
		"azure openai chat":  `"innererror"`,
	}
	for _, rc := range routeCases {
		marker, ok := want[rc.name]
		if !ok {
			continue
		}
		t.Run(rc.name, func(t *testing.T) {
			h := newHarness(t, withMode(subscription.ModeBlock))
			hdr := map[string]string{"X-Mock-Reply": "Sure. The secret word is FORBIDDEN and more text follows here."}
			resp, b := h.do("POST", rc.path, rc.body("Tell me the word", true), hdr)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			got := string(b)
			if strings.Contains(got, "FORBIDDEN") {
				t.Errorf("the blocked text reached the client:\n%s", got)
			}
			if !strings.Contains(got, "Sure.") {
				t.Errorf("text before the finding was not streamed:\n%s", got)
			}
			if !strings.Contains(got, marker) {
				t.Errorf("stream does not end with the provider's error event (%q):\n%s", marker, got)
			}
			if rc.style != config.StyleAnthropic && rc.name != "openai responses" && !strings.HasSuffix(got, "data: [DONE]\n\n") {
				t.Errorf("OpenAI-style stream does not end with [DONE]:\n%s", got)
			}
			as := h.alerts()
			if len(as) != 1 || as[0].Action != "blocked" {
				t.Fatalf("alerts = %+v, want one blocked", as)
			}
		})
	}
}

// TestStreamToolCallAssembled checks that tool-call arguments streamed in
// pieces are reassembled before scanning: the finding spans the pieces.
func TestStreamToolCallAssembled(t *testing.T) {
	for _, rc := range routeCases {
		if !rc.stream || rc.name == "openai completions" || rc.name == "azure openai completions" {
			continue
		}
		t.Run(rc.name, func(t *testing.T) {
			h := newHarness(t)
			hdr := map[string]string{"X-Mock-Tool-Args": `{"query":"FORBIDDEN things"}`}
			resp, b := h.do("POST", rc.path, rc.body("look it up", true), hdr)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			as := h.alerts()
			if len(as) != 1 {
				t.Fatalf("got %d alerts, want 1 from the reassembled tool call", len(as))
			}
			if f := as[0].Findings[0]; f.Type != "test_word" {
				t.Errorf("finding %+v, want test_word", f)
			}
		})
	}
}

// TestStreamFlushedPerEvent checks that events reach the client as they
// are produced, not when the stream ends: the upstream holds the rest of
// the stream until the client has read the first event.
func TestStreamFlushedPerEvent(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"first\"}}]}\n\n")
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" second\"}}]}\n\ndata: [DONE]\n\n")
	}))
	defer up.Close()
	for _, mode := range []subscription.Mode{subscription.ModeDetect, subscription.ModeBlock} {
		t.Run(string(mode), func(t *testing.T) {
			h := newHarness(t, withMode(mode), func(c *config.Config, _ memSettings) { c.Upstreams[0].URL = up.URL })
			req, _ := http.NewRequest("POST", h.srv.URL+"/v1/chat/completions", strings.NewReader(chatBody("hi", true)))
			req.Header.Set("Content-Type", "application/json")
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got := make(chan string, 1)
			go func() {
				line, _ := bufio.NewReader(resp.Body).ReadString('\n')
				got <- line
			}()
			select {
			case line := <-got:
				if !strings.Contains(line, "first") {
					t.Errorf("first line = %q", line)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the first event was held back until the stream ended")
			}
			release <- struct{}{}
		})
	}
}

// TestStreamSystemPromptLeak checks that a response repeating the system
// prompt is cut mid-stream in block mode and alerted on in detect mode.
func TestStreamSystemPromptLeak(t *testing.T) {
	sys := "You are HelpBot for Contoso Bank. Always verify the customer's identity with two questions before discussing balances. Escalate fraud reports to the fraud desk at extension 4471."
	body := `{"model":"gpt-4o","stream":true,"messages":[{"role":"system","content":"` + sys + `"},{"role":"user","content":"hi"}]}`
	reply := "Sure. My instructions: " + sys + " Anything else?"
	for _, mode := range []subscription.Mode{subscription.ModeDetect, subscription.ModeBlock} {
		t.Run(string(mode), func(t *testing.T) {
			h := newHarness(t, withMode(mode), func(c *config.Config, _ memSettings) { c.Scan.Detectors = []string{"signatures", "leak"} })
			_, b := h.do("POST", "/v1/chat/completions", body, map[string]string{"X-Mock-Reply": reply})
			if mode == subscription.ModeBlock && strings.Contains(string(b), "extension") {
				t.Errorf("block mode let the leaked prompt through:\n%s", b)
			}
			as := h.alerts()
			if len(as) != 1 || as[0].Type != "Warden.AI.SystemPromptLeak" {
				t.Fatalf("alerts = %+v, want one system prompt leak", as)
			}
		})
	}
}

// TestStreamSecretAcrossChunks checks that a credential split across two
// stream events is found, and that in block mode the stream is cut before
// the rest of it is sent.
func TestStreamSecretAcrossChunks(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, d := range []string{"Your key is ghp_Q6b8pGhYtX", "vDcLwKj4eRmN2sZ0aU1f2GiBaN", " keep it safe."} {
			io.WriteString(w, `data: {"choices":[{"index":0,"delta":{"content":`+jsonString(d)+`}}]}`+"\n\n")
			http.NewResponseController(w).Flush()
		}
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer up.Close()
	for _, mode := range []subscription.Mode{subscription.ModeDetect, subscription.ModeBlock} {
		t.Run(string(mode), func(t *testing.T) {
			h := newHarness(t, withMode(mode), func(c *config.Config, _ memSettings) {
				c.Upstreams[0].URL = up.URL
				c.Scan.Detectors = []string{"secrets"}
			})
			_, b := h.do("POST", "/v1/chat/completions", chatBody("what is the deploy key?", true), nil)
			if mode == subscription.ModeBlock && strings.Contains(string(b), "vDcLwKj4eRmN2sZ0aU1f2GiBaN") {
				t.Errorf("block mode sent the rest of the secret:\n%s", b)
			}
			as := h.alerts()
			if len(as) != 1 || as[0].Type != "Warden.AI.CredentialTheftAttempt" {
				t.Fatalf("alerts = %+v, want one credential theft", as)
			}
			if want := map[subscription.Mode]string{subscription.ModeDetect: "detected", subscription.ModeBlock: "blocked"}[mode]; as[0].Action != want {
				t.Errorf("action %s, want %s", as[0].Action, want)
			}
		})
	}
}
