package gateway

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/wardenhq/warden/internal/subscription"
)

// TestTracing checks the spans of a traced request: the request joins the
// caller's trace, the prompt scan, each guardrail, the upstream call and
// the response scan are its children, the upstream receives the trace
// context, and no span holds a word of the prompt or the answer.
func TestTracing(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp.Shutdown(context.Background())
	h := newHarnessExtra(t, harnessExtra{tracer: tp.Tracer("test")}, withMode(subscription.ModeBlock))
	const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	resp, _ := h.do("POST", "/v1/chat/completions", chatBody("What is the capital of France? quokka-marmalade", false),
		map[string]string{"traceparent": caller, "X-Mock-Reply": "Paris, quokka-marmalade"})
	resp.Body.Close()
	h.close()
	spans := rec.Ended()
	names := map[string]int{}
	for _, s := range spans {
		names[s.Name()]++
		if s.SpanContext().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
			t.Errorf("span %s is in trace %s, not the caller's", s.Name(), s.SpanContext().TraceID())
		}
		for _, a := range s.Attributes() {
			if strings.Contains(a.Value.Emit(), "quokka") || strings.Contains(a.Value.Emit(), "France") {
				t.Errorf("span %s attribute %s holds text: %s", s.Name(), a.Key, a.Value.Emit())
			}
		}
	}
	for _, n := range []string{"warden.request", "warden.prompt_scan", "warden.guardrail", "warden.upstream", "warden.response_scan"} {
		if names[n] == 0 {
			t.Errorf("no %s span (spans: %v)", n, names)
		}
	}
	// The guardrail spans: one per detector, under the two scans.
	if want := 2 * len(h.gw.pipeline.Detectors()); names["warden.guardrail"] != want {
		t.Errorf("%d guardrail spans, want %d", names["warden.guardrail"], want)
	}
	got, ok := h.mock.Last()
	if !ok {
		t.Fatal("the upstream got no request")
	}
	tp2 := got.Header.Get("Traceparent")
	if !strings.HasPrefix(tp2, "00-4bf92f3577b34da6a3ce929d0e0e4736-") || tp2 == caller {
		t.Errorf("the upstream got traceparent %q, want the caller's trace with Warden's upstream span as parent", tp2)
	}
}
