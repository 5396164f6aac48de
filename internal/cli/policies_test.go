package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPoliciesReload: a policy seeded from the file blocks a denied topic
// for the subscription, and its alert names the policy; an application's
// override written through the API is in force for that application
// within seconds, without a restart, while the rest of the subscription
// keeps the file's policy.
func TestPoliciesReload(t *testing.T) {
	srv := serveWith(t, `routes: [{name: o, style: openai, upstream: m, subscription: s}]
subscriptions: [{id: s, plan: true, mode: block}]
identity: {headers: {application_name: X-App}}
scan: {guardrail_headers: true}
policies:
  - id: s-default
    subscription: s
    denied_topics: [{name: medical, keywords: [diagnosis]}]
`, "", nil)
	base := srv.base
	chat := func(app string) (int, string) {
		req, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"What is my diagnosis?"}]}`))
		req.Header.Set("Content-Type", "application/json")
		if app != "" {
			req.Header.Set("X-App", app)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Warden-Policy")
	}
	if status, pol := chat("helpdesk"); status != 400 || pol != "s-default v1 (subscription)" {
		t.Fatalf("denied topic: %d, policy %q; want blocked by s-default v1", status, pol)
	}
	body := `{"id":"helpdesk","subscription":"s","application":"helpdesk","actions":{"policy":"allow"}}`
	req, _ := http.NewRequest("POST", base+"/api/policies", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Warden-Request", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("write policy: %d", resp.StatusCode)
	}
	written := time.Now()
	var status int
	var pol string
	for time.Since(written) < 5*time.Second {
		if status, pol = chat("helpdesk"); status == 200 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status != 200 || pol != "helpdesk v1 (application)" {
		t.Fatalf("helpdesk after the override: %d, policy %q; want it allowed by helpdesk v1 within 5 s", status, pol)
	}
	t.Logf("override in force %s after it was written", time.Since(written).Round(time.Millisecond))
	if status, pol := chat("wiki"); status != 400 || pol != "s-default v1 (subscription)" {
		t.Errorf("another app: %d, policy %q; want still blocked by the subscription's policy", status, pol)
	}
	areq, _ := http.NewRequest("GET", base+"/api/alerts", nil)
	aresp, err := http.DefaultClient.Do(areq)
	if err != nil {
		t.Fatal(err)
	}
	var alerts struct {
		Alerts []struct {
			Policy string `json:"policy"`
		} `json:"alerts"`
	}
	json.NewDecoder(aresp.Body).Decode(&alerts) //nolint:errcheck
	aresp.Body.Close()
	if len(alerts.Alerts) == 0 || alerts.Alerts[0].Policy != "s-default v1 (subscription)" {
		t.Errorf("alerts %+v, want them to name the policy that decided", alerts.Alerts)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
}
