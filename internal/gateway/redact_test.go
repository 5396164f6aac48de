package gateway

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/subscription"
)

const (
	redactEmail = "ana.lopez@fleckens.hu"
	redactToken = "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" // checksum-valid, fabricated
)

// withRedact makes the subscription redact list and scan with the
// credential and sensitive-type detectors.
func withRedact(list ...string) harnessOpt {
	return func(c *config.Config, s memSettings) {
		c.Scan.Detectors = []string{"secrets", "sensitive"}
		sub := s["sub"]
		sub.Redact = list
		s["sub"] = sub
	}
}

// TestRedactAndContinue checks redact-and-continue in every API shape,
// streamed and not, in both modes: the upstream never receives the e-mail
// address or the token (it gets typed placeholders), the model's answer,
// written in placeholders, reaches the client with the values back (a
// stream in 3-byte pieces, so every placeholder arrives split), and the
// alert says what was redacted without the values.
func TestRedactAndContinue(t *testing.T) {
	prompt := "Please e-mail " + redactEmail + " the deploy token " + redactToken + " today."
	reply := "Done: I wrote to [EMAIL_ADDRESS_1] with [GITHUB_TOKEN_1], as [asked]."
	want := "Done: I wrote to " + redactEmail + " with " + redactToken + ", as [asked]."
	for _, mode := range []subscription.Mode{subscription.ModeDetect, subscription.ModeBlock} {
		for _, rc := range routeCases {
			for _, stream := range []bool{false, true} {
				if stream && !rc.stream {
					continue
				}
				name := string(mode) + "/" + rc.name
				if stream {
					name += " stream"
				}
				t.Run(name, func(t *testing.T) {
					h := newHarness(t, withMode(mode), withEvidence(), withRedact("credentials", "email_address"))
					resp, b := h.do("POST", rc.path, rc.body(prompt, stream), map[string]string{"X-Mock-Reply": reply, "X-Mock-Chunk": "3"})
					if resp.StatusCode != 200 {
						t.Fatalf("status %d: %s", resp.StatusCode, b)
					}
					got, ok := h.mock.Last()
					if !ok {
						t.Fatal("the upstream got no request")
					}
					sent := string(got.Body)
					if strings.Contains(sent, redactEmail) || strings.Contains(sent, redactToken) || strings.Contains(sent, "Q6b8pGhYtX") {
						t.Errorf("the upstream received a redacted value:\n%s", sent)
					}
					if !strings.Contains(sent, "[EMAIL_ADDRESS_1]") || !strings.Contains(sent, "[GITHUB_TOKEN_1]") {
						t.Errorf("the upstream did not get the placeholders:\n%s", sent)
					}
					if rc.name == "openai embeddings" {
						return // an embedding has no text to restore
					}
					text := clientText(t, b, stream)
					if text != want {
						t.Errorf("the client read %q, want %q", text, want)
					}
					as := h.alerts()
					j, _ := json.Marshal(as)
					if strings.Contains(string(j), redactEmail) || strings.Contains(string(j), "Q6b8pGhYtX") {
						t.Errorf("an alert holds a redacted value: %s", j)
					}
					redacted := map[string]bool{}
					for _, a := range as {
						for _, f := range a.Findings {
							if f.Redacted {
								redacted[f.Kind] = true
							}
						}
						if a.Action == alert.ActionBlocked {
							t.Errorf("alert %s says blocked: the request went on", a.Type)
						}
					}
					if !redacted["email_address"] || !redacted["github_token"] {
						t.Errorf("redacted kinds in the alerts = %v, want email_address and github_token", redacted)
					}
				})
			}
		}
	}
}

// clientText is the assistant text a client reads from a body: the
// concatenated deltas of a stream, or the whole answer's text.
func clientText(t *testing.T, b []byte, stream bool) string {
	t.Helper()
	var sb strings.Builder
	if !stream {
		collectText(t, b, &sb)
		return sb.String()
	}
	for _, line := range strings.Split(string(b), "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("a stream event is not JSON: %q: %v", data, err)
		}
		switch {
		case ev["choices"] != nil:
			for _, c := range ev["choices"].([]any) {
				c := c.(map[string]any)
				if d, ok := c["delta"].(map[string]any); ok {
					s, _ := d["content"].(string)
					sb.WriteString(s)
				}
				s, _ := c["text"].(string)
				sb.WriteString(s)
			}
		case ev["type"] == "response.output_text.delta":
			sb.WriteString(ev["delta"].(string))
		case ev["type"] == "content_block_delta":
			d := ev["delta"].(map[string]any)
			s, _ := d["text"].(string)
			sb.WriteString(s)
		}
	}
	return sb.String()
}

// collectText appends the text of a whole answer (chat, completion,
// Responses API or Anthropic).
func collectText(t *testing.T, b []byte, sb *strings.Builder) {
	t.Helper()
	var r struct {
		Choices []struct {
			Text    string `json:"text"`
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
		Output []struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"output"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("the answer is not JSON: %s: %v", b, err)
	}
	for _, c := range r.Choices {
		sb.WriteString(c.Text + c.Message.Content)
	}
	for _, o := range r.Output {
		for _, c := range o.Content {
			sb.WriteString(c.Text)
		}
	}
	for _, c := range r.Content {
		sb.WriteString(c.Text)
	}
}

// TestRedactResponse checks that a value of a redacted kind in an answer
// (a credential that block mode would refuse, an e-mail address it would
// only report) reaches the client replaced, in both modes, the answer
// whole or streamed in 3-byte pieces, and that the alerts say redacted.
func TestRedactResponse(t *testing.T) {
	reply := "Your colleague is at " + redactEmail + " and the token is " + redactToken + " ok"
	want := "Your colleague is at [REDACTED:EMAIL_ADDRESS] and the token is [REDACTED:GITHUB_TOKEN] ok"
	for _, mode := range []subscription.Mode{subscription.ModeDetect, subscription.ModeBlock} {
		for _, stream := range []bool{false, true} {
			t.Run(string(mode)+map[bool]string{false: "/whole", true: "/stream"}[stream], func(t *testing.T) {
				h := newHarness(t, withMode(mode), withRedact("credentials", "personal_data"))
				resp, b := h.do("POST", "/v1/chat/completions", chatBody("who should I write to?", stream),
					map[string]string{"X-Mock-Reply": reply, "X-Mock-Chunk": "3"})
				if resp.StatusCode != 200 {
					t.Fatalf("status %d, want 200: %s", resp.StatusCode, b)
				}
				if strings.Contains(string(b), "content_filter") {
					t.Errorf("the answer was cut:\n%s", b)
				}
				if got := clientText(t, b, stream); got != want {
					t.Errorf("the client read %q, want %q", got, want)
				}
				as := h.alerts()
				kinds := map[string]bool{}
				for _, a := range as {
					if a.Action != alert.ActionRedacted {
						t.Errorf("alert %s action %s, want redacted", a.Type, a.Action)
					}
					for _, f := range a.Findings {
						kinds[f.Kind] = true
					}
				}
				if !kinds["email_address"] || !kinds["github_token"] {
					t.Errorf("alerts are about %v, want email_address and github_token", kinds)
				}
			})
		}
	}
}

// TestRedactFailsClosed checks that a value Warden finds but cannot take
// out of every string the provider reads (a private key whose lines are
// two strings of a content part it joins) stops the request: redaction
// promises the value never leaves.
func TestRedactFailsClosed(t *testing.T) {
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"note","a":"-----BEGIN RSA PRIVATE KEY-----","b":"MIIEpAIBAAKCAQEA7bq9Xn2mK4pL8rT1vW5yZ3aC6dF0gH9jK2lM4nP7qR1s\n-----END RSA PRIVATE KEY-----"}]}]}`
	for _, mode := range []subscription.Mode{subscription.ModeDetect, subscription.ModeBlock} {
		t.Run(string(mode), func(t *testing.T) {
			h := newHarness(t, withMode(mode), withRedact("credentials"))
			resp, b := h.do("POST", "/v1/chat/completions", body, nil)
			if resp.StatusCode != 400 || !strings.Contains(string(b), "could not") {
				t.Errorf("status %d, want 400 could not redact: %s", resp.StatusCode, b)
			}
			if n := len(h.mock.Requests()); n != 0 {
				t.Errorf("the upstream got %d requests, want none", n)
			}
			as := h.alerts()
			if len(as) != 1 || as[0].Action != alert.ActionBlocked {
				t.Errorf("alerts = %+v, want one, blocked", as)
			}
		})
	}
}

// TestRedactOffPassesExactBytes checks that kinds outside the redact list
// are not touched: the upstream gets the client's bytes.
func TestRedactOnlyListedKinds(t *testing.T) {
	h := newHarness(t, withRedact("email_address"))
	body := chatBody("token "+redactToken+" for ops", false)
	h.do("POST", "/v1/chat/completions", body, nil)
	got, _ := h.mock.Last()
	if string(got.Body) != body {
		t.Errorf("the upstream got %s, want the client's bytes %s", got.Body, body)
	}
}

// TestRedactSystemText checks that a value in the application's own
// instructions is redacted too: detectors leave system text alone, the
// provider reads it all the same.
func TestRedactSystemText(t *testing.T) {
	h := newHarness(t, withRedact("email_address"))
	body := `{"model":"gpt-4o","messages":[{"role":"system","content":"The customer is ` + redactEmail + `."},{"role":"user","content":"Who am I?"}]}`
	resp, b := h.do("POST", "/v1/chat/completions", body, map[string]string{"X-Mock-Reply": "You are [EMAIL_ADDRESS_1]."})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	got, _ := h.mock.Last()
	if strings.Contains(string(got.Body), redactEmail) || !strings.Contains(string(got.Body), "[EMAIL_ADDRESS_1]") {
		t.Errorf("the upstream got %s, want the address replaced", got.Body)
	}
	if text := clientText(t, b, false); text != "You are "+redactEmail+"." {
		t.Errorf("the client read %q", text)
	}
}

// TestRedactResponseEveryEvent checks that a value redacted from a
// streamed answer is in none of the stream's events: the Responses API
// repeats the whole text in its done and completed events.
func TestRedactResponseEveryEvent(t *testing.T) {
	reply := "Your colleague is at " + redactEmail + " and the token is " + redactToken + " ok"
	for _, rc := range routeCases {
		if !rc.stream || rc.name == "openai embeddings" {
			continue
		}
		t.Run(rc.name, func(t *testing.T) {
			h := newHarness(t, withMode(subscription.ModeBlock), withRedact("credentials", "personal_data"))
			_, b := h.do("POST", rc.path, rc.body("who should I write to?", true), map[string]string{"X-Mock-Reply": reply, "X-Mock-Chunk": "5"})
			if strings.Contains(string(b), redactEmail) || strings.Contains(string(b), "Q6b8pGhYtX") || strings.Contains(string(b), "fleckens") {
				t.Errorf("a redacted value is in the stream:\n%s", b)
			}
			if !strings.Contains(string(b), "[REDACTED:EMAIL_ADDRESS]") {
				t.Errorf("no placeholder in the stream:\n%s", b)
			}
		})
	}
}
