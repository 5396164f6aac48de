package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/scan"
)

func exchangeOf(r *http.Request) *exchange {
	ex, _ := r.Context().Value(exchangeKey{}).(*exchange)
	return ex
}

// rewrite points the outbound request at the route's upstream. The body is
// the client's bytes, untouched. Accept-Encoding is dropped so the upstream
// answers in plain bytes Warden can read; the configured key, if any,
// replaces the caller's.
func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	ex := exchangeOf(pr.In)
	up := ex.route.upstream
	pr.SetURL(up.target)
	pr.Out.Host = up.target.Host
	pr.Out.Header.Del("Accept-Encoding")
	if up.apiKey != "" {
		setKey(pr.Out.Header, ex.ep.style, up.apiKey)
	}
	if g.tracing {
		// The upstream joins the trace as the upstream span's child.
		propagator.Inject(pr.Out.Context(), propagation.HeaderCarrier(pr.Out.Header))
	}
}

// modifyResponse wraps the upstream's body so Warden sees the response: a
// stream is split into events and scanned event by event; a plain body is
// captured as it is copied (detect mode) or read whole and scanned before
// it is released (block mode).
func (g *Gateway) modifyResponse(resp *http.Response) error {
	ex := exchangeOf(resp.Request)
	ex.upstream = time.Since(ex.sentAt)
	ex.endUpstream(resp.StatusCode)
	g.metrics.UpstreamLatency.WithLabelValues(ex.ep.style).Observe(ex.upstream.Seconds())
	// The provider's own request id is kept; an upstream without one
	// (a local model server) gets Warden's, so the SDK has one to show.
	setRequestID(resp.Header, ex.ep.style, ex.reqID)
	g.guardrailHeaders(resp.Header, ex)
	if !ex.scan || resp.StatusCode/100 != 2 {
		return nil
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && ce != "identity" {
		g.metrics.Dropped.WithLabelValues("encoded_response").Inc()
		return nil
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "text/event-stream" {
		// What reaches the client is the events Warden passes on, not the
		// upstream's bytes: a Content-Length of those would make the
		// client stop short (or read nothing).
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Body = newStreamBody(g, ex, resp.Body)
		return nil
	}
	if !ex.inline() {
		resp.Body = &captureBody{rc: resp.Body, ex: ex, limit: int(g.cfg.Limits.MaxBodyBytes)}
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, g.cfg.Limits.MaxBodyBytes+1))
	resp.Body.Close()
	if err != nil {
		return &Error{Status: http.StatusBadGateway, Code: "upstream_error", Message: "the upstream response could not be read", Err: err}
	}
	if int64(len(body)) > g.cfg.Limits.MaxBodyBytes {
		return errorf(http.StatusBadGateway, "upstream_too_large", "the upstream response exceeds the limit of %d bytes", g.cfg.Limits.MaxBodyBytes)
	}
	fs, blocked := g.scanResponse(resp.Request.Context(), ex, body)
	failed := false
	if ex.redact {
		// Values the subscription redacts are taken out rather than the
		// answer refused; what is left decides. One that cannot be taken
		// out stops the answer, whatever the mode.
		out, ok := g.redactResponse(ex, body, fs)
		if ok {
			body, blocked = out, scan.VerdictOf(fs, ex.policy) == scan.VerdictBlock
		} else {
			failed = true
		}
	}
	blocked = blocked && ex.block || failed
	ex.respFindings, ex.responseScanned, ex.respBlocked = fs, true, blocked
	if blocked {
		g.metrics.Blocked.WithLabelValues("response").Inc()
		if err := g.work.recordNow(ex); err != nil {
			return errNotRecorded
		}
		ex.blockErr = blockError(sideResponse, fs, ex.policy)
		return ex.blockErr
	}
	return setBody(resp, ex.restoreBody(body))
}

// setBody makes body the response's.
func setBody(resp *http.Response, body []byte) error {
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// scanResponse parses and scans a whole response in block mode. Findings
// refer to parts after the prompt's, as in the worker's combined input.
func (g *Gateway) scanResponse(ctx context.Context, ex *exchange, body []byte) ([]scan.Finding, bool) {
	resp, err := llmapi.ParseResponse(ex.ep.api, body)
	if err != nil {
		g.metrics.Failed.WithLabelValues("response_parse").Inc()
		return nil, false
	}
	ex.response = resp.Parts
	start := time.Now()
	ctx, span := g.stageSpan(ctx, "warden.response_scan", trace.SpanKindInternal)
	fs := g.scanResponseParts(ctx, ex)
	if span != nil {
		endStage(span, fs, string(scan.VerdictOf(fs, ex.policy)))
	}
	ex.respScan += time.Since(start)
	g.scanResp.Observe(time.Since(start).Seconds())
	return fs, scan.VerdictOf(fs, ex.policy) == scan.VerdictBlock
}

// scanResponseParts scans the response with the prompt's system parts in
// front, so detectors that compare the two (a leaked system prompt) see
// both. Findings are numbered as parts of the whole interaction: prompt
// parts first, then response parts.
func (g *Gateway) scanResponseParts(ctx context.Context, ex *exchange) []scan.Finding {
	var in scan.Input
	var from []int // index in the interaction of each part of in
	for i, p := range ex.prompt.Parts {
		if p.Role == scan.RoleSystem {
			in.Parts = append(in.Parts, scan.Part{Role: p.Role, Text: p.Text})
			from = append(from, i)
		}
	}
	for i, p := range ex.response {
		in.Parts = append(in.Parts, scan.Part{Role: scan.Role(p.Role), Text: p.Text})
		from = append(from, len(ex.prompt.Parts)+i)
	}
	res := g.pipeline.Scan(ctx, &in, ex.policy)
	for i := range res.Findings {
		res.Findings[i].Part = from[res.Findings[i].Part]
	}
	return res.Findings
}

// proxyError answers for failures to reach the upstream or to read its
// reply, in the provider's error shape.
func (g *Gateway) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	ex := exchangeOf(r)
	var e *Error
	switch {
	case errors.As(err, &e):
	case errors.Is(r.Context().Err(), context.Canceled) && errors.Is(err, context.Canceled):
		// The client went away; there is no one to answer.
		return
	case isTimeout(err):
		e = &Error{Status: http.StatusGatewayTimeout, Code: "upstream_timeout", Message: "the upstream did not answer in time", Err: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		e = &Error{Status: http.StatusBadGateway, Code: "upstream_unavailable", Message: "the upstream refused the connection", Err: err}
	default:
		e = &Error{Status: http.StatusBadGateway, Code: "upstream_error", Message: "the upstream could not be reached", Err: err}
	}
	if e.Status >= 500 {
		g.log.Warn("upstream failed", "route", ex.ep.style, "upstream", ex.route.upstream.name, "status", e.Status, "err", e.Err)
	}
	writeError(w, ex.ep.style, e, w.Header().Get("X-Warden-Request-Id"))
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// captureBody passes a plain response through unchanged and keeps a copy
// (up to limit) for the detect-mode scan after the request.
type captureBody struct {
	rc    io.ReadCloser
	ex    *exchange
	buf   []byte
	limit int
	over  bool
}

func (c *captureBody) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if n > 0 && !c.over {
		if len(c.buf)+n > c.limit {
			c.over, c.buf = true, nil
		} else {
			c.buf = append(c.buf, p[:n]...)
		}
	}
	if err == io.EOF && !c.over {
		// Parsing waits for the worker: the client is not kept waiting.
		c.ex.responseRaw, c.buf = c.buf, nil
	}
	return n, err
}

func (c *captureBody) Close() error { return c.rc.Close() }
