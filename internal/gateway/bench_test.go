package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden/internal/benchtext"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/subscription"
)

// cannedTransport answers every request with the same bytes, so the
// benchmarks measure the proxy, not a network or an upstream.
type cannedTransport struct {
	ctype string
	body  []byte
}

func (c cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return &http.Response{StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {c.ctype}}, Body: io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: -1, Request: r}, nil
}

// benchPrompt is 2 KB of realistic, varied text (benchtext), as a JSON
// string literal.
func benchPrompt() string {
	b, _ := json.Marshal(benchtext.Text(2048, 1))
	return string(b[1 : len(b)-1])
}

func benchStream() []byte {
	var b bytes.Buffer
	b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n")
	for i := 0; i < 16; i++ {
		b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}` + "\n\n")
	}
	b.WriteString("data: [DONE]\n\n")
	return b.Bytes()
}

const benchReply = `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! I am a mock model. How can I help you today?"},"finish_reason":"stop"}]}`

func benchGateway(b *testing.B, tr http.RoundTripper, mode subscription.Mode, detectors ...string) http.Handler {
	return benchGatewayWith(b, tr, subscription.Settings{ID: "s", Plan: true, Mode: mode}, detectors...)
}

func benchGatewayWith(b *testing.B, tr http.RoundTripper, sub subscription.Settings, detectors ...string) http.Handler {
	cfg := config.Default()
	cfg.Upstreams = []config.Upstream{{Name: "u", URL: "http://upstream.invalid"}}
	cfg.Routes = []config.Route{{Name: "o", Style: config.StyleOpenAI, Upstream: "u", Subscription: "s"}}
	if len(detectors) == 0 {
		detectors = []string{"signatures"}
	}
	ds, err := detect.Build(detectors, detect.Options{})
	if err != nil {
		b.Fatal(err)
	}
	g, err := New(Options{Config: cfg, Pipeline: scan.NewPipeline(ds...),
		Settings: memSettings{"s": sub}, Recorder: &memRecorder{},
		Metrics: NewMetrics(prometheus.NewRegistry()), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Transport: tr})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Close(b.Context()) })
	return g
}

func bareProxy(tr http.RoundTripper) http.Handler {
	u, _ := url.Parse("http://upstream.invalid")
	return &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }, FlushInterval: -1, Transport: tr}
}

func runHandler(b *testing.B, h http.Handler, body string) {
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkProxy compares Warden with a bare httputil.ReverseProxy on the
// same canned upstream, for a 2 KB prompt of varied text, plain and
// streamed: with the signatures detector only (-signatures: the gateway's
// own cost), with the default pipeline (-default), and redacting with the
// default pipeline (-redact-default). The ratio of their ns/op and
// allocs/op is what Warden adds per request.
func BenchmarkProxy(b *testing.B) {
	plain := `{"model":"gpt-4o","messages":[{"role":"user","content":"` + benchPrompt() + `"}]}`
	streamed := `{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"` + benchPrompt() + `"}]}`
	jsonTr := cannedTransport{"application/json", []byte(benchReply)}
	sseTr := cannedTransport{"text/event-stream", benchStream()}
	b.Run("request/bare", func(b *testing.B) { runHandler(b, bareProxy(jsonTr), plain) })
	b.Run("request/warden-block-signatures", func(b *testing.B) { runHandler(b, benchGateway(b, jsonTr, subscription.ModeBlock), plain) })
	b.Run("request/warden-detect-signatures", func(b *testing.B) { runHandler(b, benchGateway(b, jsonTr, subscription.ModeDetect), plain) })
	b.Run("stream/bare", func(b *testing.B) { runHandler(b, bareProxy(sseTr), streamed) })
	b.Run("stream/warden-block-signatures", func(b *testing.B) { runHandler(b, benchGateway(b, sseTr, subscription.ModeBlock), streamed) })
	b.Run("stream/warden-detect-signatures", func(b *testing.B) { runHandler(b, benchGateway(b, sseTr, subscription.ModeDetect), streamed) })
	b.Run("request/warden-block-default", func(b *testing.B) {
		runHandler(b, benchGateway(b, jsonTr, subscription.ModeBlock, detect.Default...), plain)
	})
	b.Run("stream/warden-block-default", func(b *testing.B) {
		runHandler(b, benchGateway(b, sseTr, subscription.ModeBlock, detect.Default...), streamed)
	})
	// Redact and continue with nothing to redact: the prompt scanned
	// before it goes, every stream event held and rewritten on release.
	redacting := subscription.Settings{ID: "s", Plan: true, Mode: subscription.ModeBlock, Redact: []string{"credentials", "personal_data"}}
	b.Run("request/warden-redact-default", func(b *testing.B) {
		runHandler(b, benchGatewayWith(b, jsonTr, redacting, detect.Default...), plain)
	})
	b.Run("stream/warden-redact-default", func(b *testing.B) {
		runHandler(b, benchGatewayWith(b, sseTr, redacting, detect.Default...), streamed)
	})
}
