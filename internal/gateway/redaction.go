package gateway

import (
	"context"
	"net/http"
	"strings"

	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/redact"
	"github.com/wardenhq/warden/internal/scan"
)

// Redact and continue. A subscription that lists credentials, personal
// data or single kinds under redact has their values in a prompt replaced
// by numbered placeholders ([EMAIL_ADDRESS_1]) before the request leaves;
// the model answers in placeholders and the answer is restored for the
// client. The table of values lives in the exchange, in memory, for that
// request only. In block mode, values of those kinds in a whole
// (non-streamed) answer are replaced too ([REDACTED:EMAIL_ADDRESS]) instead
// of the answer being refused.

// redactAndRescan redacts the prompt (see redactPrompt) and, when
// anything was replaced, scans what will be forwarded again: its verdict is
// the one that counts, and a redactable value found in it fails closed.
func (g *Gateway) redactAndRescan(ctx context.Context, ex *exchange, body *[]byte, fs []scan.Finding, verdict scan.Verdict) (scan.Verdict, error) {
	if sys := g.systemValues(ctx, ex); len(sys) > 0 {
		fs = append(fs, sys...)
		ex.promptFindings = fs
	}
	out, nreq, err := g.redactPrompt(ex, *body, ex.req, fs)
	if err != nil || nreq == ex.req {
		return verdict, err
	}
	in := scan.Input{Parts: toScanParts(nreq.Parts), JudgeSystem: true}
	res := g.pipeline.Scan(ctx, &in, ex.policy)
	for _, f := range res.Findings {
		if ex.redactable(f) {
			return verdict, errUnredactable
		}
	}
	*body, ex.req = out, nreq
	return res.Verdict, nil
}

// systemValues finds the redactable values of the prompt's system parts.
// Detectors leave system text alone (the application wrote it), but a
// value there reaches the provider all the same: an application that puts
// a customer's record into its instructions is what redaction is for.
// The parts are scanned as user text, and only redactable findings kept.
func (g *Gateway) systemValues(ctx context.Context, ex *exchange) []scan.Finding {
	var in scan.Input
	var from []int
	for i, p := range ex.prompt.Parts {
		if p.Role == scan.RoleSystem {
			in.Parts = append(in.Parts, scan.Part{Role: scan.RoleUser, Text: p.Text})
			from = append(from, i)
		}
	}
	if len(in.Parts) == 0 {
		return nil
	}
	var out []scan.Finding
	for _, f := range g.pipeline.Scan(ctx, &in, ex.policy).Findings {
		if ex.redactable(f) {
			f.Part, f.Advisory = from[f.Part], true
			out = append(out, f)
		}
	}
	return out
}

// redactable reports whether the subscription redacts the value of f.
func (ex *exchange) redactable(f scan.Finding) bool {
	if len(f.Spans) == 0 {
		return false
	}
	switch f.Detector {
	case "secrets":
		return ex.sub.Redacts(f.Kind, true)
	case "sensitive":
		return ex.sub.Redacts(f.Kind, false)
	}
	return false
}

// errUnredactable refuses a request whose values could not all be taken
// out: redaction promises the value never reaches the provider, so what
// cannot be kept is not sent (fail closed).
var errUnredactable = errorf(http.StatusBadRequest, "content_filter",
	"the prompt holds a value Warden must redact and could not: the request was not forwarded")

// redactPrompt replaces the redactable values that the prompt scan found
// (fs, whose redactable findings it marks) in body, re-reads the result
// and checks that none of the values is left in any text the provider
// reads. It returns the body to forward, with its reading, or the request
// unchanged when there was nothing to redact.
func (g *Gateway) redactPrompt(ex *exchange, body []byte, req *llmapi.Request, fs []scan.Finding) ([]byte, *llmapi.Request, error) {
	var t *redact.Table
	for i := range fs {
		f := &fs[i]
		if !ex.redactable(*f) || f.Part < 0 || f.Part >= len(ex.prompt.Parts) {
			continue
		}
		text := ex.prompt.Parts[f.Part].Text
		for _, sp := range f.Spans {
			if sp[0] < 0 || sp[1] > len(text) || sp[0] >= sp[1] {
				continue
			}
			if t == nil {
				t = redact.NewTable(string(body))
			}
			t.Add(f.Kind, text[sp[0]:sp[1]])
		}
		f.Redacted = true
	}
	if t == nil {
		return body, req, nil
	}
	out, err := llmapi.RewriteStrings(body, t.Hide)
	if err != nil {
		return nil, nil, errUnredactable
	}
	nreq, err := llmapi.ParseRequest(ex.ep.api, out)
	if err != nil || leftIn(nreq.Parts, t) {
		return nil, nil, errUnredactable
	}
	ex.table = t
	g.metrics.Redacted.WithLabelValues("prompt").Add(float64(t.Len()))
	return out, nreq, nil
}

// leftIn reports whether any value of t is still in the parts: one that
// spanned two strings the parser joins is not replaced in either.
func leftIn(ps []llmapi.Part, t *redact.Table) bool {
	for _, p := range ps {
		if _, changed := t.Hide(p.Text); changed {
			return true
		}
	}
	return false
}

// redactResponse replaces, in a whole answer, the values of the
// redactable findings among fs (those after the prompt's parts, which it
// marks) by [REDACTED:KIND]. It returns the body to send, or ok false when
// a value could not be taken out.
func (g *Gateway) redactResponse(ex *exchange, body []byte, fs []scan.Finding) (out []byte, ok bool) {
	base := len(ex.prompt.Parts)
	var values []string
	var marks []string // value, placeholder pairs
	for i := range fs {
		f := &fs[i]
		p := f.Part - base
		if !ex.redactable(*f) || p < 0 || p >= len(ex.response) {
			continue
		}
		text := ex.response[p].Text
		for _, sp := range f.Spans {
			if sp[0] < 0 || sp[1] > len(text) || sp[0] >= sp[1] {
				continue
			}
			v := text[sp[0]:sp[1]]
			values = append(values, v)
			marks = append(marks, v, redact.Placeholder(f.Kind, v, true, redact.Options{}))
		}
		f.Redacted = true
	}
	if len(values) == 0 {
		return body, true
	}
	r := strings.NewReplacer(longestFirst(marks)...)
	out, err := llmapi.RewriteStrings(body, func(s string) (string, bool) {
		n := r.Replace(s)
		return n, n != s
	})
	if err != nil {
		return nil, false
	}
	resp, err := llmapi.ParseResponse(ex.ep.api, out)
	if err != nil {
		return nil, false
	}
	for _, p := range resp.Parts {
		for _, v := range values {
			if strings.Contains(p.Text, v) {
				return nil, false
			}
		}
	}
	g.metrics.Redacted.WithLabelValues("response").Add(float64(len(values)))
	return out, true
}

// longestFirst orders old, new pairs so that a longer old value is tried
// before one it contains.
func longestFirst(pairs []string) []string {
	type pair struct{ old, new string }
	ps := make([]pair, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		ps = append(ps, pair{pairs[i], pairs[i+1]})
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && len(ps[j].old) > len(ps[j-1].old); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	out := make([]string, 0, len(pairs))
	for _, p := range ps {
		out = append(out, p.old, p.new)
	}
	return out
}

// restoreBody puts the prompt's values back into a whole answer.
func (ex *exchange) restoreBody(body []byte) []byte {
	if ex.table == nil {
		return body
	}
	out, err := llmapi.RewriteStrings(body, ex.table.Restore)
	if err != nil {
		return body // not JSON: the client gets the placeholders, never more
	}
	return out
}
