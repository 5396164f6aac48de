package cli

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/wardenhq/warden/internal/config"
)

// newTracer returns the tracer of tracing's configuration and the function
// that flushes and stops it; a nil tracer when tracing is off.
func newTracer(ctx context.Context, c config.Tracing) (trace.Tracer, func(context.Context) error, error) {
	if c.OTLPEndpoint == "" {
		return nil, func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(c.OTLPEndpoint))
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: %w", err)
	}
	ratio, name := c.SampleRatio, c.ServiceName
	if ratio == 0 {
		ratio = 1
	}
	if name == "" {
		name = "warden"
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", name))),
	)
	return tp.Tracer("github.com/wardenhq/warden"), tp.Shutdown, nil
}
