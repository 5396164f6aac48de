package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// curlRE reads the README's curl examples: the URL, the headers and the
// body (single-quoted, as the README writes them).
var (
	curlRE   = regexp.MustCompile(`(?s)curl -s (\S+)((?:\s+-H '[^']*'|\s+\\\n)*)\s*(?:\\\n\s*)?-d '([^']*)'`)
	headerRE = regexp.MustCompile(`-H '([^:]+): ([^']*)'`)
)

// TestREADMEExamples runs the README's set-up examples against warden serve
// --demo: the jailbreak is refused in the provider's shape and recorded,
// the benign prompt passes untouched and raises nothing, and the trigger
// phrase the README names shows a response-side block. A README whose
// examples stop doing what they say fails here.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var reqs [][3]string // url, headers, body
	for _, m := range curlRE.FindAllStringSubmatch(string(readme), -1) {
		reqs = append(reqs, [3]string{m[1], m[2], m[3]})
	}
	if len(reqs) < 2 {
		t.Fatalf("found %d curl examples with a body in README.md, want the jailbreak and the benign one", len(reqs))
	}
	addr := startDemo(t)
	base := "http://" + addr
	send := func(url, headers, body string) (int, []byte) {
		t.Helper()
		url = strings.Replace(url, "localhost:8080", addr, 1)
		req, err := http.NewRequest("POST", "http://"+strings.TrimPrefix(url, "http://"), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range headerRE.FindAllStringSubmatch(headers, -1) {
			req.Header.Set(h[1], h[2])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	alerts := func() int {
		var v struct{ Alerts []json.RawMessage }
		deadline := time.Now().Add(5 * time.Second)
		for {
			getJSON(t, base+"/api/alerts", &v)
			if len(v.Alerts) > 0 || time.Now().After(deadline) {
				return len(v.Alerts)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// The first example is the jailbreak, the second the benign prompt.
	status, b := send(reqs[0][0], reqs[0][1], reqs[0][2])
	if status != 400 || !bytes.Contains(b, []byte(`"code":"content_filter"`)) {
		t.Errorf("README's jailbreak: %d %s, want 400 content_filter", status, b)
	}
	if n := alerts(); n != 1 {
		t.Errorf("%d alerts after the jailbreak, want 1", n)
	}
	status, b = send(reqs[1][0], reqs[1][1], reqs[1][2])
	if status != 200 || !bytes.Contains(b, []byte("mock model")) {
		t.Errorf("README's benign prompt: %d %s, want 200 and the mock's answer", status, b)
	}
	time.Sleep(300 * time.Millisecond) // detect work, if any, would land by now
	if n := alerts(); n != 1 {
		t.Errorf("%d alerts after the benign prompt, want still 1: the README calls it benign", n)
	}
	// The trigger phrase the README names for a response-side detection.
	if !strings.Contains(string(readme), "`sample credit card`") {
		t.Fatal("README no longer names the sample credit card trigger")
	}
	status, b = send(reqs[1][0], reqs[1][1], strings.Replace(reqs[1][2], "What is the capital of France?", "Give me a sample credit card", 1))
	if status != 400 || !bytes.Contains(b, []byte(`"side":"response"`)) {
		t.Errorf("the sample credit card trigger: %d %s, want a response-side block", status, b)
	}
}
