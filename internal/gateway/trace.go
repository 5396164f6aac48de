package gateway

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/wardenhq/warden/internal/scan"
)

// Tracing. With a tracer (Options.Tracer; tracing.otlp_endpoint in the
// configuration), each request is a span, joined to the caller's trace when
// it sent one (W3C traceparent), with a child span per stage (the prompt
// scan, each guardrail, the upstream call, the response scan) and the
// trace context passed on to the upstream, so the provider's side of a
// trace lines up with Warden's. Spans carry ids, names, counts and
// verdicts, never text.

// propagator reads and writes W3C trace context and baggage.
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// noTracer is used when tracing is off: its spans cost a few
// nanoseconds and record nothing.
var noTracer = noop.NewTracerProvider().Tracer("warden")

// startRequestSpan starts a request's span from the caller's context.
func (g *Gateway) startRequestSpan(r *http.Request, style string) (*http.Request, trace.Span) {
	if !g.tracing {
		return r, nil
	}
	ctx := propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := g.tracer.Start(ctx, "warden.request", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("warden.route", style), attribute.String("http.request.method", r.Method)))
	return r.WithContext(ctx), span
}

// endRequestSpan ends it with the decision.
func endRequestSpan(span trace.Span, ex *exchange, requestID, verdict string, status int) {
	if span == nil {
		return
	}
	attrs := []attribute.KeyValue{attribute.String("warden.request_id", requestID), attribute.String("warden.verdict", verdict),
		attribute.Int("http.response.status_code", status)}
	if ex != nil && ex.route != nil {
		attrs = append(attrs, attribute.String("warden.subscription", ex.route.cfg.Subscription), attribute.String("warden.mode", modeOf(ex)))
	}
	span.SetAttributes(attrs...)
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// stageSpan starts a child span of a stage.
func (g *Gateway) stageSpan(ctx context.Context, name string, kind trace.SpanKind) (context.Context, trace.Span) {
	if !g.tracing {
		return ctx, nil
	}
	return g.tracer.Start(ctx, name, trace.WithSpanKind(kind))
}

// endStage ends a stage's span with the findings it had.
func endStage(span trace.Span, fs []scan.Finding, verdict string) {
	if span == nil {
		return
	}
	span.SetAttributes(attribute.Int("warden.findings", len(fs)), attribute.String("warden.verdict", verdict))
	span.End()
}

// guardrailObserver makes a span of each detector's run.
func (g *Gateway) guardrailObserver() scan.Observer {
	return func(ctx context.Context, detector string) func(int, error) {
		if !trace.SpanFromContext(ctx).SpanContext().IsValid() {
			return nil // a scan outside a traced request (the worker's)
		}
		_, span := g.tracer.Start(ctx, "warden.guardrail", trace.WithAttributes(attribute.String("warden.detector", detector)))
		return func(n int, err error) {
			span.SetAttributes(attribute.Int("warden.findings", n))
			if err != nil {
				span.SetStatus(codes.Error, "detector failed")
			}
			span.End()
		}
	}
}

// endUpstream ends the upstream span once, with the upstream's status (0:
// none came).
func (ex *exchange) endUpstream(status int) {
	if ex.upstreamSpan == nil {
		return
	}
	if status > 0 {
		ex.upstreamSpan.SetAttributes(attribute.Int("http.response.status_code", status))
	} else {
		ex.upstreamSpan.SetStatus(codes.Error, "no response")
	}
	ex.upstreamSpan.End()
	ex.upstreamSpan = nil
}
