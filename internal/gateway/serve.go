package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/redact"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/subscription"
)

// exchange is one request's state, from the client's bytes to the alert.
// It travels to the proxy hooks in the request context.
type exchange struct {
	reqID string // Warden's id of the request, in headers, errors and logs
	ep    endpoint
	route *route
	sub   subscription.Settings
	// policy is the scan thresholds for the subscription's sensitivity.
	policy scan.Policy
	scan   bool // plan on: scan and alert
	block  bool // block mode
	// redact: the subscription redacts some kinds, so the prompt is
	// scanned before it is forwarded whatever the mode; table holds the
	// values replaced, for restoring the answer (nil: none were).
	redact bool
	table  *redact.Table
	// respRedacted names the kinds redacted in a streamed answer, so its
	// alert says so.
	respRedacted map[string]bool
	req          *llmapi.Request
	actx         alert.Context
	// clientCtx is the inbound request's context; cancel ends the
	// outbound one (a cut stream, an idle upstream).
	clientCtx context.Context
	cancel    context.CancelFunc

	// prompt holds the request's text; promptFindings the block-mode scan
	// of it (nil in detect mode, where the worker scans).
	prompt         scan.Input
	promptScanned  bool
	promptFindings []scan.Finding

	// response text as assembled by the body wrappers, or the raw body of a
	// plain response for the worker to parse.
	response        []llmapi.Part
	responseRaw     []byte
	responseScanned bool
	respFindings    []scan.Finding
	promptBlocked   bool
	respBlocked     bool
	sentAt          time.Time

	// signalled is set when the off-path signals (Gateway.signals) ran on
	// the request path, with what they found.
	signalled                bool
	signalPrompt, signalResp []scan.Finding
	// recorded is set once the exchange's alerts were recorded on the
	// request path (a block): the worker has nothing left to do.
	recorded bool

	// For the decision log: when the request came, how long each stage
	// took, the status the client got, whether the worker has it (and
	// logs the decision) or it was shed, and the findings as the worker
	// recorded them.
	upstreamSpan                              trace.Span
	blockErr                                  *Error // a response-side block's error, for the decision log
	start                                     time.Time
	promptScan, upstream, respScan, asyncScan time.Duration
	status                                    int
	queued, shed                              bool
	finalPrompt, finalResp                    []scan.Finding
	// alertIDs are the alerts the exchange raised, for its interaction
	// record.
	alertIDs []string
}

type exchangeKey struct{}

// inline reports whether the exchange is judged on the request path: in
// block mode, and wherever values are redacted (a response value of a
// redacted kind must be replaced before the client reads it).
func (ex *exchange) inline() bool { return ex.block || ex.redact }

// needsWork reports whether the worker has anything left to do: scanning
// in detect mode, or alerts for findings. Every exchange feeds the
// off-path signals (threat intelligence, behaviour) in both modes, since a
// clean block-mode exchange from a Tor exit, or the fiftieth identical
// one, is exactly what they are for. For a block-mode exchange already
// scanned clean they run here, after the response went out (they are map
// look-ups), and the worker is woken only when they found something: a
// wake-up per request was most of what they cost.
func (g *Gateway) needsWork(ex *exchange) bool {
	if ex.recorded {
		return false
	}
	if !ex.promptScanned || !ex.responseScanned {
		return true
	}
	if len(ex.promptFindings) > 0 || len(ex.respFindings) > 0 || ex.promptBlocked || ex.respBlocked {
		return true
	}
	ex.signalPrompt, ex.signalResp = g.signals(ex)
	ex.signalled = true
	return len(ex.signalPrompt) > 0 || len(ex.signalResp) > 0
}

// serve handles one inference request.
func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, ep endpoint) (ex *exchange, err error) {
	start := time.Now()
	reqID := uuid.NewString()
	w.Header().Set("X-Warden-Request-Id", reqID)
	if ep.invalid != "" {
		return ex, errorf(http.StatusBadRequest, "invalid_request", "%s is not a valid name", ep.invalid)
	}
	var body []byte
	if ep.api != llmapi.Passthrough {
		var err error
		if body, err = g.readBody(w, r); err != nil {
			return ex, err
		}
		defer g.bodies.release(body)
	}
	rt := g.pickRoute(r, ep.style)
	if rt == nil {
		return ex, errorf(http.StatusNotFound, "no_route", "no Warden route matches this request")
	}
	if ep.unknown {
		g.metrics.Unscanned.WithLabelValues(rt.cfg.Name).Inc()
		if rt.cfg.Unknown == "block" {
			return ex, errorf(http.StatusForbidden, "unscanned_api", "Warden does not scan %s %s, and this route forwards only what it scans (unknown: block)", r.Method, r.URL.Path)
		}
	}
	ex = &exchange{ep: ep, route: rt, clientCtx: r.Context(), reqID: reqID, start: start}
	ex.sub, _ = g.settings.Get(rt.cfg.Subscription)
	ex.policy = scan.ForSensitivity(g.policy, ex.sub.Sensitivity)
	ex.policy.TrustSystem = !rt.cfg.ClientSystem
	ex.scan = ex.sub.Plan && ep.api != llmapi.Passthrough
	ex.block = ex.scan && ex.sub.Mode == subscription.ModeBlock
	ex.redact = ex.scan && len(ex.sub.Redact) > 0
	var upload *llmapi.Request
	if ep.upload && ex.sub.Plan && ex.sub.Mode == subscription.ModeBlock {
		// A file upload is read and judged before it goes, in block mode:
		// a batch input or fine-tuning file is prompts.
		if body, upload, err = g.readUpload(w, r); err != nil {
			return ex, err
		}
		defer g.bodies.release(body)
		if upload != nil {
			ex.scan, ex.block = true, true
		} else {
			g.metrics.Unscanned.WithLabelValues(rt.cfg.Name).Inc()
		}
	} else if ep.upload {
		g.metrics.Unscanned.WithLabelValues(rt.cfg.Name).Inc()
	}
	// What is scanned must be what the provider reads. A body two JSON
	// readers could read differently (the parser refuses it) is refused in
	// block mode; in detect mode (and with the plan off) the provider gets
	// its one reading, which is what is parsed and scanned.
	req, err := llmapi.ParseRequest(ep.api, body)
	if upload != nil {
		req = upload
	}
	if errors.Is(err, llmapi.ErrAmbiguous) {
		canon, amb := llmapi.Canonical(body)
		if ex.block || canon == nil {
			return ex, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Message: "request body is ambiguous: " + publicParseError(amb), Err: amb}
		}
		body = canon
		req, err = llmapi.ParseRequest(ep.api, body)
	}
	if err != nil {
		return ex, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Message: "request body is not valid for this API: " + publicParseError(err), Err: err}
	}
	ex.req = req
	g.metrics.Interactions.WithLabelValues(rt.cfg.Subscription, boolLabel(ex.scan)).Inc()
	for _, k := range req.Skipped {
		g.metrics.Skipped.WithLabelValues(k).Inc()
	}
	if ex.scan && rt.cfg.Canary {
		if marked, err := plantCanary(ep.api, ep.style, body, newCanary()); err == nil {
			// Re-read the marked body so the leak detector sees the
			// canary among the system parts.
			if mreq, err := llmapi.ParseRequest(ep.api, marked); err == nil {
				body, req = marked, mreq
				ex.req = req
			}
		}
	}
	if ex.scan {
		ex.actx = g.alertContext(r, ep, rt, req, ex.sub, reqID)
		g.applyPolicy(ex, r)
	}
	if limit := g.cfg.Limits.MaxParts; ex.scan && len(req.Parts) > limit {
		// Scanning work per request is bounded: block mode (and redaction,
		// which cannot leave a turn unread) refuses what it cannot scan
		// whole; detect mode scans the newest turns.
		if ex.block || ex.redact {
			return ex, errorf(http.StatusRequestEntityTooLarge, "request_too_large", "the request has %d messages and content parts; Warden scans at most %d (limits.max_parts)", len(req.Parts), limit)
		}
		g.metrics.Skipped.WithLabelValues("over_max_parts").Add(float64(len(req.Parts) - limit))
		req.Parts = req.Parts[len(req.Parts)-limit:]
	}
	if ex.scan {
		ex.prompt.Parts = toScanParts(req.Parts)
		ex.prompt.JudgeSystem = true
	}
	if (ex.block || ex.redact) && len(ex.prompt.Parts) > 0 {
		start := time.Now()
		sctx, span := g.stageSpan(r.Context(), "warden.prompt_scan", trace.SpanKindInternal)
		res := g.pipeline.Scan(sctx, &ex.prompt, ex.policy)
		ex.promptScanned, ex.promptFindings = true, res.Findings
		verdict := res.Verdict
		if ex.redact {
			if verdict, err = g.redactAndRescan(r.Context(), ex, &body, res.Findings, verdict); err != nil {
				ex.promptBlocked = true
				g.metrics.Blocked.WithLabelValues("prompt").Inc()
				if rerr := g.work.recordNow(ex); rerr != nil {
					return ex, errNotRecorded
				}
				return ex, err
			}
			req = ex.req
		}
		ex.promptScan = time.Since(start)
		endStage(span, ex.promptFindings, string(verdict))
		g.scanPrompt.Observe(ex.promptScan.Seconds())
		if ex.block && verdict == scan.VerdictBlock {
			ex.promptBlocked = true
			g.metrics.Blocked.WithLabelValues("prompt").Inc()
			// The alert is stored (or spooled) before the client hears
			// of the block: no queue between them to lose it from.
			if err := g.work.recordNow(ex); err != nil {
				return ex, errNotRecorded
			}
			return ex, blockError(sidePrompt, ex.promptFindings, ex.policy)
		}
	}

	// Streams are bounded by the idle timeout between events instead of a
	// total: a long answer is not a hung one.
	var ctx context.Context
	var cancel context.CancelFunc
	if req.Stream {
		ctx, cancel = context.WithCancel(r.Context())
	} else {
		ctx, cancel = context.WithTimeout(r.Context(), g.cfg.Limits.RequestTimeout)
	}
	defer cancel()
	ex.cancel = cancel
	ctx, ex.upstreamSpan = g.stageSpan(ctx, "warden.upstream", trace.SpanKindClient)
	defer ex.endUpstream(0)
	out := r.WithContext(context.WithValue(ctx, exchangeKey{}, ex))
	if ep.api != llmapi.Passthrough || body != nil {
		// What was read, and scanned (and maybe redacted), goes on; a
		// body Warden does not read (an upload) streams through as sent.
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.ContentLength = int64(len(body))
	}
	ex.sentAt = time.Now()
	g.proxy.ServeHTTP(w, out)
	if ex.scan && g.needsWork(ex) {
		if sw, ok := w.(*statusWriter); ok {
			ex.status = sw.statusCode()
		}
		ex.queued = g.work.submit(ex)
	}
	return ex, nil
}

// readBody reads the request body within the size limit.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json, not %q", ct)
		}
	} else {
		return nil, errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
	}
	limit := g.cfg.Limits.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, errorf(http.StatusRequestEntityTooLarge, "request_too_large", "request body is %d bytes; the limit is %d", r.ContentLength, limit)
	}
	// A slow sender holds its connection until the deadline, not memory:
	// the buffer grows with the bytes that arrive, never ahead of them
	// (a declared Content-Length is a claim, not bytes).
	if d := g.cfg.Limits.BodyReadTimeout; d > 0 {
		http.NewResponseController(w).SetReadDeadline(time.Now().Add(d)) //nolint:errcheck // unsupported only on odd writers
	}
	rd := http.MaxBytesReader(w, r.Body, limit)
	body, err := g.bodies.read(rd, r.ContentLength)
	if errors.Is(err, errBodiesFull) {
		g.metrics.Dropped.WithLabelValues("body_budget").Inc()
		return nil, errorf(http.StatusServiceUnavailable, "overloaded", "Warden holds too many request bodies at once; retry shortly")
	}
	if err == nil && r.ContentLength >= 0 && int64(len(body)) != r.ContentLength {
		g.bodies.release(body) // read, but refused: its bytes go back now
		err = errors.New("body length differs from its Content-Length")
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return nil, errorf(http.StatusRequestTimeout, "body_timeout", "the request body did not arrive within %s", g.cfg.Limits.BodyReadTimeout)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "request_too_large", "request body exceeds the limit of %d bytes", limit)
		}
		return nil, &Error{Status: http.StatusBadRequest, Code: "bad_body", Message: "could not read the request body", Err: err}
	}
	return body, nil
}

// pickRoute returns the first route of style whose hosts and caller keys
// match the request.
func (g *Gateway) pickRoute(r *http.Request, style string) *route {
	var kh []byte
	host := hostOnly(r.Host)
	for _, rt := range g.routes[style] {
		if len(rt.keys) > 0 && kh == nil {
			if k := callerKey(r); k != "" {
				kh = keyHash(k)
			}
		}
		if rt.matches(host, kh) {
			return rt
		}
	}
	return nil
}

// publicParseError keeps parse errors short and free of input text: only
// the kind of problem and where, never the body.
func publicParseError(err error) string {
	if errors.Is(err, llmapi.ErrNotJSON) {
		return "malformed JSON"
	}
	if errors.Is(err, llmapi.ErrAmbiguous) {
		// Names a key of the body, never its values.
		return err.Error()
	}
	msg := err.Error()
	if i := strings.Index(msg, ": "); i > 0 {
		return msg[:i] + " has the wrong shape"
	}
	return "unexpected shape"
}

func boolLabel(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func toScanParts(ps []llmapi.Part) []scan.Part {
	out := make([]scan.Part, len(ps))
	for i, p := range ps {
		out[i] = scan.Part{Role: scan.Role(p.Role), Text: p.Text}
	}
	return out
}

// peerIP returns the connection's remote address without the port.
func peerIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
