package gateway

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/subscription"
)

func withLimits(f func(*config.Limits)) harnessOpt {
	return func(c *config.Config, _ memSettings) { f(&c.Limits) }
}

// A client that declares a large body and sends it slowly is answered 408
// at the read deadline; nothing is allocated for what it only declared.
func TestSlowBodyTimesOut(t *testing.T) {
	h := newHarness(t, withLimits(func(l *config.Limits) { l.BodyReadTimeout = 300 * time.Millisecond }))
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{\"model\":")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !bytes.Contains(body, []byte("body_timeout")) {
		t.Errorf("stalled body: %d %s; want 408 body_timeout", resp.StatusCode, body)
	}
	if used := h.gw.bodies.used.Load(); used != 0 {
		t.Errorf("%d bytes still charged to the body budget after the request", used)
	}
}

// The buffer grows with the bytes that arrive, and the budget refuses
// what would exceed it.
func TestBodyBudget(t *testing.T) {
	b := &bodyBudget{max: 100 << 10}
	body, err := b.read(strings.NewReader("0123456789"), 1<<30)
	if err != nil || string(body) != "0123456789" {
		t.Fatalf("read = %q, %v", body, err)
	}
	if cap(body) > chunk || b.used.Load() != int64(cap(body)) {
		t.Errorf("cap %d, charged %d; want at most %d, charged as allocated", cap(body), b.used.Load(), chunk)
	}
	if _, err := b.read(strings.NewReader(strings.Repeat("x", 200<<10)), -1); err != errBodiesFull {
		t.Errorf("a body past the budget: %v, want errBodiesFull", err)
	}
	b.release(body)
	if u := b.used.Load(); u != 0 {
		t.Errorf("%d bytes charged after every body was released", u)
	}
}

// Scanning work per request is bounded: block mode refuses a request with
// more parts than limits.max_parts, detect mode forwards it and scans the
// newest.
func TestMaxParts(t *testing.T) {
	msgs := make([]string, 30)
	for i := range msgs {
		msgs[i] = `{"role":"user","content":"message ` + fmt.Sprint(i) + `"}`
	}
	body := `{"model":"gpt-4o","messages":[` + strings.Join(msgs, ",") + `]}`
	limit := withLimits(func(l *config.Limits) { l.MaxParts = 10 })
	hb := newHarness(t, limit, withMode(subscription.ModeBlock))
	resp, b := hb.do("POST", "/v1/chat/completions", body, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte("limits.max_parts")) {
		t.Errorf("block mode, 30 parts over a limit of 10: %d %s; want 413 naming the limit", resp.StatusCode, b)
	}
	hd := newHarness(t, limit)
	if resp, b := hd.do("POST", "/v1/chat/completions", body, nil); resp.StatusCode != 200 {
		t.Errorf("detect mode: %d %s; want it forwarded", resp.StatusCode, b)
	}
}

// An SSE response that carries a Content-Length reaches the client whole.
func TestStreamWithContentLength(t *testing.T) {
	events := "data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello there\"}}]}\n\n" +
		"data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Length", fmt.Sprint(len(events)))
		// Event by event, as a provider streams.
		for _, ev := range strings.SplitAfter(events, "\n\n") {
			io.WriteString(w, ev)
			w.(http.Flusher).Flush()
			time.Sleep(5 * time.Millisecond)
		}
	}))
	defer up.Close()
	for _, mode := range []subscription.Mode{subscription.ModeDetect, subscription.ModeBlock} {
		h := newHarness(t, withMode(mode), func(c *config.Config, _ memSettings) { c.Upstreams[0].URL = up.URL })
		resp, b := h.do("POST", "/v1/chat/completions", chatBody("hi", true), nil)
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte("Hello there")) || !bytes.Contains(b, []byte("[DONE]")) {
			t.Errorf("%s: %d %q; want the whole stream", mode, resp.StatusCode, b)
		}
	}
}

// A streamed response longer than limits.max_stream_bytes ends with an
// error in block mode (never passed on unscanned) and passes whole in
// detect mode, with what Warden kept bounded.
func TestStreamTooLong(t *testing.T) {
	limit := withLimits(func(l *config.Limits) { l.MaxStreamBytes = 4000 })
	hdr := map[string]string{"X-Mock-Tokens": "2000"}
	hb := newHarness(t, limit, withMode(subscription.ModeBlock))
	_, b := hb.do("POST", "/v1/chat/completions", chatBody("hi", true), hdr)
	if !bytes.Contains(b, []byte("limits.max_stream_bytes")) || len(b) > 8000 {
		t.Errorf("block mode: the over-long stream (%d bytes passed) was not ended with an error: ...%s", len(b), tail(b))
	}
	hd := newHarness(t, limit)
	_, b = hd.do("POST", "/v1/chat/completions", chatBody("hi", true), hdr)
	if !bytes.Contains(b, []byte("[DONE]")) {
		t.Errorf("detect mode: the stream did not pass whole: ...%s", tail(b))
	}
	hd.close()
	for _, a := range hd.alerts() {
		t.Errorf("unexpected alert %s", a.Type)
	}
}

func tail(b []byte) []byte { return b[max(0, len(b)-200):] }
