// Package gateway is Warden in the inference path: a reverse proxy for the
// OpenAI-compatible, Azure OpenAI, Azure AI Model Inference and Anthropic
// APIs that parses every request and response (streams included) into the
// neutral interaction model, scans it (before forwarding in block mode, off
// the request path in detect mode) and hands findings on as alerts.
package gateway

import (
	"context"
	"fmt"
	"github.com/wardenhq/warden/internal/behaviour"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/identity"
	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/policy"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/subscription"
)

// Settings serves subscription settings; subscription.Cache implements it.
type Settings interface {
	Get(id string) (subscription.Settings, bool)
}

// InteractionRecorder takes interaction records without waiting
// (interaction.Writer).
// Policies finds the detection policy for a request: the most specific
// of the subscription's, the application's, the route's and the client
// key's (by policy.KeyID), and its compiled rules; ok false when none.
type Policies interface {
	For(subscription, application, route, keyID string) (p policy.Policy, rules *scan.Rules, ok bool)
}

// TrafficCounter counts each request for the dashboard: scanned or not,
// blocked or not, and the time detection took.
type TrafficCounter interface {
	Observe(subscription string, scanned, blocked bool, detection time.Duration)
}

type InteractionRecorder interface {
	Record(r interaction.Record)
	// WantsText reports whether compliance policies read the text of the
	// subscription's interactions (matched off the request path).
	WantsText(subscription string) bool
}

// Recorder stores alerts; the store implements it.
type Recorder interface {
	RecordAlerts(ctx context.Context, as []alert.Alert) error
}

// Baseline learns which sensitive information types each resource returns
// and says which are new after its learning period; the store implements
// it. Options.Baseline, or a Recorder that is also a Baseline, gets the
// anomaly alert.
type Baseline interface {
	ObserveSensitive(ctx context.Context, subscription, resource string, kinds []string, now time.Time, learning time.Duration) ([]string, error)
}

// AccessChecker judges where a request comes from (threat intelligence:
// Tor exits, deny lists, user agents); the intel package implements it.
type AccessChecker interface {
	CheckAccess(ip, userAgent string) []scan.Finding
}

// Behaviour learns how deployments are used and reports abuse; the
// behaviour package implements it.
type Behaviour interface {
	Observe(e behaviour.Event) []scan.Finding
}

// ProbeFinder finds reconnaissance questions in a prompt for behaviour
// analysis to count; detect.Recon implements it (through an adapter).
type ProbeFinder interface {
	Probes(in *scan.Input) []behaviour.Probe
}

// Options are a gateway's dependencies.
type Options struct {
	Config   *config.Config
	Pipeline *scan.Pipeline
	Settings Settings
	Recorder Recorder
	// Interactions, when set, receives the audit record of every scanned
	// interaction of a subscription with data security on.
	Interactions InteractionRecorder
	Baseline     Baseline           // nil: the Recorder, if it is one
	Verifier     *identity.Verifier // nil: no trusted issuers
	Access       AccessChecker      // nil: no threat intelligence
	Behave       Behaviour          // nil: no behaviour analysis
	Recon        ProbeFinder        // nil: no reconnaissance counting
	Suppress     *alert.Rules       // nil: none
	Policies     Policies           // nil: no detection policies
	Traffic      TrafficCounter     // nil: not counted for the dashboard
	Metrics      *Metrics
	Log          *slog.Logger
	// Transport reaches the upstreams; nil means a tuned http.Transport.
	Transport http.RoundTripper
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Tracer makes spans of requests and their stages; nil: no tracing.
	Tracer trace.Tracer
}

// Gateway is the inference proxy. Create it with New, serve it as an
// http.Handler, and Close it to drain detect-mode work.
type Gateway struct {
	interactions InteractionRecorder
	cfg          *config.Config
	pipeline     *scan.Pipeline
	policy       scan.Policy
	settings     Settings
	verifier     *identity.Verifier
	access       AccessChecker
	behave       Behaviour
	recon        ProbeFinder
	suppress     *alert.Rules
	policies     Policies
	traffic      TrafficCounter
	baseline     Baseline
	metrics      *Metrics
	log          *slog.Logger
	now          func() time.Time
	routes       map[string][]*route // by style
	proxy        *httputil.ReverseProxy
	work         *workers
	bodies       *bodyBudget
	idle         *idleWatch

	// Observers resolved once: label lookups per stream event add up.
	scanStream, scanPrompt, scanResp prometheus.Observer

	tracer  trace.Tracer
	tracing bool
	// checks names the pipeline's detectors, comma-separated, for the
	// decision log and the guardrail headers.
	checks string
}

// New builds a gateway from its configuration.
func New(o Options) (*Gateway, error) {
	g := &Gateway{
		cfg:          o.Config,
		pipeline:     o.Pipeline,
		policy:       scan.Policy{FlagAt: o.Config.Scan.FlagAt, BlockAt: o.Config.Scan.BlockAt},
		settings:     o.Settings,
		verifier:     o.Verifier,
		access:       o.Access,
		behave:       o.Behave,
		interactions: o.Interactions,
		recon:        o.Recon,
		suppress:     o.Suppress,
		policies:     o.Policies,
		traffic:      o.Traffic,
		baseline:     o.Baseline,
		metrics:      o.Metrics,
		log:          o.Log,
		now:          o.Now,
		routes:       map[string][]*route{},
	}
	if g.now == nil {
		g.now = time.Now
	}
	g.checks = strings.Join(o.Pipeline.Detectors(), ",")
	g.tracer = noTracer
	if o.Tracer != nil {
		g.tracer, g.tracing = o.Tracer, true
		g.pipeline.Observe(g.guardrailObserver())
	}
	g.scanStream = o.Metrics.ScanLatency.WithLabelValues("stream")
	g.scanPrompt = o.Metrics.ScanLatency.WithLabelValues("prompt")
	g.scanResp = o.Metrics.ScanLatency.WithLabelValues("response")
	if g.verifier == nil {
		g.verifier = identity.NewVerifier(nil)
	}
	ups := map[string]*upstream{}
	for _, u := range o.Config.Upstreams {
		target, err := url.Parse(u.URL)
		if err != nil {
			return nil, fmt.Errorf("upstream %s: %w", u.Name, err)
		}
		ups[u.Name] = &upstream{name: u.Name, target: target, apiKey: u.APIKey}
	}
	for _, rc := range o.Config.Routes {
		up, ok := ups[rc.Upstream]
		if !ok {
			return nil, fmt.Errorf("route %s: unknown upstream %q", rc.Name, rc.Upstream)
		}
		r := &route{cfg: rc, upstream: up}
		for _, k := range rc.APIKeys {
			r.keys = append(r.keys, keyHash(k))
		}
		g.routes[rc.Style] = append(g.routes[rc.Style], r)
	}
	tr := o.Transport
	if tr == nil {
		tr = newTransport(o.Config.Limits)
	}
	g.proxy = &httputil.ReverseProxy{
		Rewrite:        g.rewrite,
		Transport:      tr,
		FlushInterval:  -1,
		BufferPool:     buffers,
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.proxyError,
		ErrorLog:       slog.NewLogLogger(o.Log.Handler(), slog.LevelDebug),
	}
	g.bodies = &bodyBudget{max: o.Config.Limits.MaxBodiesBytes}
	g.work = startWorkers(g, o.Recorder, o.Config.Scan.QueueSize, o.Config.Scan.Workers)
	g.idle = newIdleWatch(o.Config.Limits.StreamIdleTimeout)
	return g, nil
}

// newTransport returns a transport for upstreams: many idle connections per
// host (the default of 2 throttles a busy gateway), a bound on the wait for
// response headers, and no transparent compression, so that Warden reads
// the bytes it forwards.
func newTransport(l config.Limits) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: l.UpstreamHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
}

// Close stops accepting detect-mode work and waits until what is queued has
// been scanned and recorded, or ctx ends; then it closes the idle
// connections to upstreams, so that nothing of the gateway outlives it.
func (g *Gateway) Close(ctx context.Context) error {
	g.idle.close()
	err := g.work.stop(ctx)
	if c, ok := g.proxy.Transport.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
	return err
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	ep, ok := classify(r)
	style := ep.style
	r, span := g.startRequestSpan(r, style)
	if !ok {
		style = config.StyleOpenAI
		if strings.HasPrefix(r.URL.Path, "/v1/messages") {
			style = config.StyleAnthropic
		}
		writeError(sw, style, errorf(http.StatusNotFound, "not_found", "Warden serves no API at %s %s", r.Method, r.URL.Path), "")
	} else {
		ex, err := g.serve(sw, r, ep)
		if err != nil {
			e := asError(err)
			if e.Status >= 500 {
				g.log.Warn("request failed", "route", ep.style, "status", e.Status, "code", e.Code, "err", e.Err)
			}
			if !sw.wrote {
				if ex != nil && ex.scan && e.Code == "content_filter" {
					// A block says why, as a passing answer does.
					g.guardrailHeaders(sw.Header(), ex)
				}
				writeError(sw, ep.style, e, sw.Header().Get("X-Warden-Request-Id"))
			}
		}
		// One decision line a request: here, or by the worker that
		// scans it (detect mode) once it has.
		id := sw.Header().Get("X-Warden-Request-Id")
		if ex == nil || !ex.queued {
			g.logDecision(ex, ep, id, sw.statusCode(), err)
			g.recordInteraction(ex, sw.statusCode(), err)
			g.countTraffic(ex, err)
		}
		endRequestSpan(span, ex, id, verdictOf(ex, err, false), sw.statusCode())
	}
	g.metrics.Requests.WithLabelValues(style, itoa(sw.statusCode())).Inc()
}

// statusWriter records the status for metrics. Unwrap keeps Flush working
// through http.ResponseController, which the reverse proxy uses.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.status, s.wrote = http.StatusOK, true
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) statusCode() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}
