package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/scan"
)

// logDecision writes the one line a request gets at info level: what
// Warden decided about it and why, and how long each stage took. It names
// the subscription, the route, the end user when known, the verdict, the
// detectors that ran and those that fired with their scores; never the
// prompt or the answer (findings are logged by detector, category, type
// and confidence, never by their text or quotes). ex is nil when the
// request failed before Warden knew its route.
func (g *Gateway) logDecision(ex *exchange, ep endpoint, requestID string, status int, err error) {
	if !g.log.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{
		slog.String("request_id", requestID),
		slog.String("route", ep.style),
		slog.String("api", string(ep.api)),
		slog.Int("status", status),
	}
	verdict := verdictOf(ex, err, true)
	var e *Error
	if err == nil && ex != nil && ex.blockErr != nil {
		e = ex.blockErr // a response-side block, answered by the proxy
	}
	if e != nil || errors.As(err, &e) && e.Code == "content_filter" {
		attrs = append(attrs, slog.String("side", e.Side))
		if f := e.Finding; f != nil {
			attrs = append(attrs, slog.String("blocked_by", f.Detector+"/"+f.Type), slog.String("category", string(f.Category)))
		}
	} else if err != nil {
		attrs = append(attrs, slog.String("error", asError(err).Code))
	}
	if ex == nil {
		g.log.LogAttrs(context.Background(), slog.LevelInfo, "decision", append(attrs, slog.String("verdict", verdict))...)
		return
	}
	attrs = append(attrs, slog.String("subscription", ex.route.cfg.Subscription))
	if ex.actx.UserID != "" {
		attrs = append(attrs, slog.String("user", ex.actx.UserID))
	}
	pf, rf := ex.findings()
	if e == nil && err == nil && (ex.respBlocked || ex.promptBlocked) {
		attrs = append(attrs, slog.String("side", map[bool]string{true: sidePrompt, false: sideResponse}[ex.promptBlocked]))
	}
	attrs = append(attrs, slog.String("verdict", verdict), slog.String("mode", modeOf(ex)))
	if ex.actx.Policy != "" {
		attrs = append(attrs, slog.String("policy", ex.actx.Policy))
	}
	if ex.scan {
		attrs = append(attrs, slog.String("ran", g.ran(ex)))
	}
	if fired := firedList(pf, sidePrompt, firedList(rf, sideResponse, nil)); len(fired) > 0 {
		attrs = append(attrs, slog.String("fired", strings.Join(fired, ",")))
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	attrs = append(attrs, slog.Group("ms",
		slog.Float64("total", ms(time.Since(ex.start))),
		slog.Float64("prompt_scan", ms(ex.promptScan)),
		slog.Float64("upstream", ms(ex.upstream)),
		slog.Float64("response_scan", ms(ex.respScan)),
		slog.Float64("async_scan", ms(ex.asyncScan))))
	g.log.LogAttrs(context.Background(), slog.LevelInfo, "decision", attrs...)
}

// findingsVerdict is the verdict of findings (of one side or both) that
// did not block: redact when any value was taken out, else the pipeline's
// flag or allow.
func findingsVerdict(pol scan.Policy, sides ...[]scan.Finding) string {
	v := "allow"
	for _, fs := range sides {
		for _, f := range fs {
			if f.Redacted {
				return "redact"
			}
		}
		if scan.VerdictOf(fs, pol) != scan.VerdictAllow {
			v = "flag"
		}
	}
	return v
}

// firedList appends, for each finding, detector/type=confidence@side.
func firedList(fs []scan.Finding, side string, out []string) []string {
	for _, f := range fs {
		out = append(out, f.Detector+"/"+f.Type+"="+strconv.FormatFloat(f.Confidence, 'f', 2, 64)+"@"+side)
	}
	return out
}

func modeOf(ex *exchange) string {
	switch {
	case !ex.scan:
		return "off"
	case ex.block:
		return "block"
	case ex.redact:
		return "detect+redact"
	}
	return "detect"
}

// guardrailHeaders names, when scan.guardrail_headers is on, the checks
// that ran on a scanned exchange and the prompt's verdict where it was
// judged on the request path.
func (g *Gateway) guardrailHeaders(h http.Header, ex *exchange) {
	if !g.cfg.Scan.GuardrailHeaders || !ex.scan {
		return
	}
	h.Set("X-Warden-Checks", g.ran(ex))
	if ex.actx.Policy != "" {
		h.Set("X-Warden-Policy", ex.actx.Policy)
	}
	if ex.promptBlocked {
		h.Set("X-Warden-Prompt-Verdict", "block")
	} else if ex.promptScanned {
		h.Set("X-Warden-Prompt-Verdict", findingsVerdict(ex.policy, ex.promptFindings))
	} else {
		h.Set("X-Warden-Prompt-Verdict", "deferred")
	}
}

// findings are the exchange's findings as far as they are known: the
// worker's when it has scanned, else the request path's.
func (ex *exchange) findings() (pf, rf []scan.Finding) {
	if ex.finalPrompt != nil || ex.finalResp != nil {
		return ex.finalPrompt, ex.finalResp
	}
	return ex.promptFindings, ex.respFindings
}

// verdictOf is what Warden decided about a request: block (a content
// filter error or a cut stream), error, unscanned (plan off), shed (the
// scan queue was full), deferred (queued for the worker, when asked before
// it is done: final false), or the findings' redact, flag or allow.
func verdictOf(ex *exchange, err error, final bool) string {
	var e *Error
	switch {
	case errors.As(err, &e) && e.Code == "content_filter":
		return "block"
	case err != nil:
		return "error"
	case ex == nil:
		return "error"
	case !ex.scan:
		return "unscanned"
	case ex.shed:
		return "shed"
	case ex.respBlocked || ex.promptBlocked:
		return "block"
	case !final && ex.queued:
		return "deferred" // the worker owns the exchange now
	}
	pf, rf := ex.findings()
	return findingsVerdict(ex.policy, pf, rf)
}

// ran names the checks that ran on ex: the pipeline's detectors, or
// those its policy keeps, and the policy's own.
func (g *Gateway) ran(ex *exchange) string {
	rules := ex.policy.Rules
	if rules == nil {
		return g.checks
	}
	var names []string
	for _, d := range strings.Split(g.checks, ",") {
		if rules.Only == nil || rules.Only[d] {
			names = append(names, d)
		}
	}
	for _, d := range rules.Extra {
		names = append(names, "policy:"+d.Name())
	}
	return strings.Join(names, ",")
}
