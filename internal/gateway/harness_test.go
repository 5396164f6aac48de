package gateway

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/identity"
	"github.com/wardenhq/warden/internal/mockllm"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/subscription"
)

// memRecorder keeps alerts in memory. It is also a Baseline: novel, when
// set, decides which observed types are new (nil: none are).
type memRecorder struct {
	mu     sync.Mutex
	alerts []alert.Alert
	novel  func(kinds []string) []string
}

func (m *memRecorder) ObserveSensitive(_ context.Context, _, _ string, kinds []string, _ time.Time, _ time.Duration) ([]string, error) {
	if m.novel == nil {
		return nil, nil
	}
	return m.novel(kinds), nil
}

func (m *memRecorder) RecordAlerts(_ context.Context, as []alert.Alert) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts = append(m.alerts, as...)
	return nil
}

func (m *memRecorder) all() []alert.Alert {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]alert.Alert(nil), m.alerts...)
}

// memSettings serves fixed subscription settings.
type memSettings map[string]subscription.Settings

func (m memSettings) Get(id string) (subscription.Settings, bool) { s, ok := m[id]; return s, ok }

// responseWord is a test detector that flags assistant text containing
// FORBIDDEN, so response-side blocking can be exercised.
type responseWord struct{}

func (responseWord) Name() string { return "test-response-word" }
func (responseWord) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var fs []scan.Finding
	for i, p := range in.Parts {
		if p.Role != scan.RoleAssistant && p.Role != scan.RoleToolCall {
			continue
		}
		if j := strings.Index(p.Text, "FORBIDDEN"); j >= 0 {
			fs = append(fs, scan.Finding{Category: scan.CategoryDataLeakage, Type: "test_word", Confidence: 0.99,
				Severity: scan.SeverityHigh, Detector: "test-response-word", Part: i, Spans: []scan.Span{{j, j + 9}}, Reason: "test"})
		}
	}
	return fs, nil
}

// detectorCache keeps built detectors across harnesses: the default set
// (the model, the sensitive types, the name model) takes a while to build
// under the race detector, and detectors are safe for concurrent use.
var detectorCache sync.Map // key -> []scan.Detector

func buildDetectors(names []string, o detect.Options) ([]scan.Detector, error) {
	key := strings.Join(names, ",") + "|" + o.PhishingFile + "|" + strings.Join(o.Canaries, ",")
	for _, d := range o.Deny {
		key += "|deny:" + d.ID + ":" + d.Pattern + ":" + string(d.Category)
	}
	if d, ok := detectorCache.Load(key); ok {
		// Clipped: callers append their own, never into the shared array.
		return slices.Clip(d.([]scan.Detector)), nil
	}
	d, err := detect.Build(names, o)
	if err != nil {
		return nil, err
	}
	detectorCache.Store(key, d)
	return slices.Clip(d), nil
}

type harness struct {
	t        *testing.T
	mock     *mockllm.Mock
	upstream *httptest.Server
	gw       *Gateway
	srv      *httptest.Server
	rec      *memRecorder
	inter    *memInteractions
	tr       *http.Transport
	client   *http.Client
	cfg      *config.Config
	closed   bool
}

type harnessOpt func(*config.Config, memSettings)

func withMode(mode subscription.Mode) harnessOpt {
	return func(_ *config.Config, s memSettings) {
		sub := s["sub"]
		sub.Mode = mode
		s["sub"] = sub
	}
}

func withPlanOff() harnessOpt {
	return func(_ *config.Config, s memSettings) {
		sub := s["sub"]
		sub.Plan = false
		s["sub"] = sub
	}
}

func withEvidence() harnessOpt {
	return func(_ *config.Config, s memSettings) {
		sub := s["sub"]
		sub.PromptEvidence = true
		s["sub"] = sub
	}
}

func newHarness(t *testing.T, opts ...harnessOpt) *harness {
	return newHarnessWith(t, nil, opts...)
}

func newHarnessWith(t *testing.T, verifier *identity.Verifier, opts ...harnessOpt) *harness {
	return newHarnessExtra(t, harnessExtra{verifier: verifier}, opts...)
}

// harnessExtra are the gateway's dependencies a test may set besides the
// configuration.
type harnessExtra struct {
	verifier *identity.Verifier
	tracer   trace.Tracer
	policies Policies
}

func newHarnessExtra(t *testing.T, x harnessExtra, opts ...harnessOpt) *harness {
	t.Helper()
	h := &harness{t: t, mock: &mockllm.Mock{}, rec: &memRecorder{}, inter: &memInteractions{}}
	h.upstream = httptest.NewServer(h.mock)
	cfg := config.Default()
	cfg.Upstreams = []config.Upstream{{Name: "mock", URL: h.upstream.URL}}
	cfg.Routes = nil
	for _, s := range []string{config.StyleOpenAI, config.StyleAzureOpenAI, config.StyleAzureInference, config.StyleAnthropic} {
		cfg.Routes = append(cfg.Routes, config.Route{Name: s, Style: s, Upstream: "mock", Subscription: "sub"})
	}
	cfg.Identity.Headers = config.IdentityHeader{EndUserID: "X-End-User-Id", ApplicationName: "X-App"}
	settings := memSettings{"sub": {ID: "sub", Plan: true, Mode: subscription.ModeDetect}}
	for _, o := range opts {
		o(cfg, settings)
	}
	h.cfg = cfg
	// Signatures by default (fast and predictable); a test may name the
	// detectors it needs. The test detector is always there.
	names := cfg.Scan.Detectors
	if len(names) == 0 {
		names = []string{"signatures"}
	}
	o := detect.Options{PhishingFile: cfg.Scan.PhishingDomainsFile, Canaries: cfg.Scan.Canaries}
	for _, d := range cfg.Scan.Deny {
		o.Deny = append(o.Deny, detect.DenyRule{ID: d.ID, Pattern: d.Pattern, Confidence: d.Confidence, Category: scan.Category(d.Category)})
	}
	dets, err := buildDetectors(names, o)
	if err != nil {
		t.Fatal(err)
	}
	h.tr = newTransport(cfg.Limits)
	h.gw, err = New(Options{
		Config:       cfg,
		Pipeline:     scan.NewPipeline(append(dets, responseWord{})...),
		Settings:     settings,
		Recorder:     h.rec,
		Interactions: h.inter,
		Verifier:     x.verifier,
		Tracer:       x.tracer,
		Policies:     x.policies,
		Metrics:      NewMetrics(prometheus.NewRegistry()),
		Log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		Transport:    h.tr,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewServer(h.gw)
	h.client = &http.Client{Transport: &http.Transport{}}
	t.Cleanup(h.close)
	return h
}

// close shuts everything down and drains the gateway's workers, so alerts
// can be read without waiting on timing.
func (h *harness) close() {
	if h.closed {
		return
	}
	h.closed = true
	h.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.gw.Close(ctx); err != nil {
		h.t.Errorf("gateway close: %v", err)
	}
	h.upstream.Close()
	h.tr.CloseIdleConnections()
	h.client.CloseIdleConnections()
}

// alerts drains the gateway and returns what it recorded.
func (h *harness) alerts() []alert.Alert {
	h.close()
	return h.rec.all()
}

func (h *harness) do(method, path, body string, hdr map[string]string) (*http.Response, []byte) {
	h.t.Helper()
	return doReq(h.t, h.client, h.srv.URL, method, path, body, hdr)
}

// direct sends the same request straight to the mock, for comparison.
func (h *harness) direct(method, path, body string, hdr map[string]string) (*http.Response, []byte) {
	h.t.Helper()
	return doReq(h.t, h.client, h.upstream.URL, method, path, body, hdr)
}

func doReq(t *testing.T, c *http.Client, base, method, path, body string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, b
}
