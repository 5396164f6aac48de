package gateway

import (
	"context"
	"encoding/json"
	"hash/fnv"

	"fmt"
	"github.com/wardenhq/warden/internal/behaviour"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/scan"
)

// workers scan finished exchanges off the request path and record their
// alerts. The queue is bounded: when it is full, work is dropped and counted
// rather than allowed to slow the proxy.
type workers struct {
	g    *Gateway
	rec  Recorder
	jobs chan *exchange
	mu   sync.RWMutex
	shut bool
	wg   sync.WaitGroup

	// shed counts work dropped since the last log line about it; lastLog
	// is when that line was written (unix nanoseconds).
	shed, lastLog atomic.Int64
}

func startWorkers(g *Gateway, rec Recorder, size, n int) *workers {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	w := &workers{g: g, rec: rec, jobs: make(chan *exchange, size)}
	for range n {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for ex := range w.jobs {
				w.process(ex) //nolint:errcheck // counted and logged in process
				w.g.logDecision(ex, ex.ep, ex.reqID, ex.status, nil)
				w.g.recordInteraction(ex, ex.status, nil)
				w.g.countTraffic(ex, nil)
			}
		}()
	}
	return w
}

// submit queues detect-mode work without waiting. When the queue is full
// the work is shed, visibly: counted, and logged at most every
// shedLogEvery with how much was shed. (Blocked exchanges never come
// here: their alerts are recorded on the request path, see recordNow.)
func (w *workers) submit(ex *exchange) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if !w.shut {
		select {
		case w.jobs <- ex:
			return true
		default:
		}
	}
	ex.shed = true
	w.g.metrics.Dropped.WithLabelValues("scan").Inc()
	n := w.shed.Add(1)
	now := time.Now().UnixNano()
	last := w.lastLog.Load()
	if now-last >= int64(shedLogEvery) && w.lastLog.CompareAndSwap(last, now) {
		w.shed.Add(-n)
		w.g.log.Warn("detect-mode work shed: the scan queue is full, these exchanges are forwarded unscanned",
			"shed", n, "queue", cap(w.jobs))
	}
	return false
}

// shedLogEvery bounds the log lines about shed work.
const shedLogEvery = 10 * time.Second

// baseline is where sensitive types are learnt, if anywhere.
func (w *workers) baseline() Baseline {
	if w.g.baseline != nil {
		return w.g.baseline
	}
	if b, ok := w.rec.(Baseline); ok {
		return b
	}
	return nil
}

// recordNow processes ex on the caller's goroutine: a blocked exchange's
// alerts are recorded before the client is answered, never queued where
// a full queue or a crash could lose them.
//
// It returns the error when the alerts could be neither stored nor
// spooled: the caller then answers 503, so that no client sees a block
// Warden has no record of.
func (w *workers) recordNow(ex *exchange) error {
	if ex.recorded {
		return nil
	}
	ex.recorded = true
	return w.process(ex)
}

// errNotRecorded answers a blocked request whose alert could not be
// recorded.
var errNotRecorded = errorf(http.StatusServiceUnavailable, "overloaded", "Warden blocked this request but could not record the alert; retry shortly")

// stop closes the queue and waits for the workers to drain it.
func (w *workers) stop(ctx context.Context) error {
	w.mu.Lock()
	if !w.shut {
		w.shut = true
		close(w.jobs)
	}
	w.mu.Unlock()
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// process scans what was not scanned on the request path and records the
// alerts: prompt findings and response findings each as blocked or
// detected according to what happened to that side.
func (w *workers) process(ex *exchange) error {
	g := w.g
	ctx := context.Background()
	start := time.Now()
	if ex.response == nil && ex.responseRaw != nil {
		if resp, err := llmapi.ParseResponse(ex.ep.api, ex.responseRaw); err == nil {
			ex.response = resp.Parts
		} else {
			g.metrics.Failed.WithLabelValues("response_parse").Inc()
		}
		ex.responseRaw = nil
	}
	pf := ex.promptFindings
	if !ex.promptScanned {
		pf = g.pipeline.Scan(ctx, &ex.prompt, ex.policy).Findings
	}
	respIn := scan.Input{Parts: toScanParts(ex.response)}
	rf := ex.respFindings
	if !ex.responseScanned {
		rf = g.scanResponseParts(ctx, ex)
	}
	ex.asyncScan = time.Since(start)
	g.metrics.ScanLatency.WithLabelValues("async").Observe(ex.asyncScan.Seconds())
	if ex.respRedacted != nil && !ex.responseScanned {
		// The stream's windows redacted these kinds as they went; the
		// whole answer scanned again finds the same values.
		for i := range rf {
			if ex.redactable(rf[i]) && ex.respRedacted[rf[i].Kind] {
				rf[i].Redacted = true
			}
		}
	}
	if !ex.sub.DataSecurity {
		// Sensitive data users send is recorded for the data security
		// component only; without it Warden keeps no trace of it, but
		// for what it redacted: that record (a kind, never the value) is
		// of an action Warden took.
		unrecorded := func(f scan.Finding) bool { return f.Type == "sensitive_data_in_prompt" && !f.Redacted }
		pf = slices.DeleteFunc(slices.Clone(pf), unrecorded)
		rf = slices.DeleteFunc(slices.Clone(rf), unrecorded)
	}
	if !ex.signalled {
		sp, sr := g.signals(ex)
		pf, rf = append(pf, sp...), append(rf, sr...)
	}
	pf, rf = append(pf, ex.signalPrompt...), append(rf, ex.signalResp...)
	now := g.now()
	if b := w.baseline(); b != nil {
		rf = append(rf, g.sensitiveAnomalies(ctx, b, ex, rf, now)...)
	}
	ex.finalPrompt, ex.finalResp = pf, rf
	if len(pf) == 0 && len(rf) == 0 {
		return nil
	}
	all := scan.Input{Parts: append(append([]scan.Part(nil), ex.prompt.Parts...), respIn.Parts...)}
	alerts := alert.Build(ex.actx, &all, pf, ex.promptBlocked, now)
	alerts = append(alerts, alert.Build(ex.actx, &all, rf, ex.respBlocked, now)...)
	for _, f := range append(pf, rf...) {
		g.metrics.Findings.WithLabelValues(string(f.Category)).Inc()
	}
	g.suppress.Apply(alerts, now)
	for _, a := range alerts {
		ex.alertIDs = append(ex.alertIDs, a.ID)
	}
	if err := w.record(ctx, alerts); err != nil {
		g.metrics.Failed.WithLabelValues("alert_write").Inc()
		g.log.Error("record alerts", "count", len(alerts), "request_id", ex.actx.RequestID, "err", err)
		return err
	}
	return nil
}

// signals runs the checks every exchange feeds whatever its mode: threat
// intelligence on where it came from, behaviour on how the deployment is
// used. It returns findings about the prompt side and the response side.
func (g *Gateway) signals(ex *exchange) (pf, rf []scan.Finding) {
	if g.access != nil {
		pf = append(pf, g.accessFindings(ex)...)
	}
	if g.behave != nil {
		e := behaviourEvent(ex, g.now())
		if g.recon != nil {
			e.Probes = g.recon.Probes(&ex.prompt)
		}
		for _, f := range g.behave.Observe(e) {
			if f.Type == "anomalous_tool" {
				rf = append(rf, f)
			} else {
				pf = append(pf, f)
			}
		}
	}
	return pf, rf
}

// record writes alerts, retrying a failed write a few times: a busy
// database must not lose an alert.
func (w *workers) record(ctx context.Context, as []alert.Alert) error {
	var err error
	for attempt := range 4 {
		if err = w.rec.RecordAlerts(ctx, as); err == nil {
			return nil
		}
		time.Sleep(time.Duration(50<<attempt) * time.Millisecond)
	}
	return err
}

// sensitiveAnomalies reports the sensitive information types this response
// holds that its resource never returned before, once the resource's
// learning period is over: one finding per new type, pointing at its first
// occurrence. Only types are learnt, never values.
func (g *Gateway) sensitiveAnomalies(ctx context.Context, b Baseline, ex *exchange, rf []scan.Finding, now time.Time) []scan.Finding {
	first := map[string]scan.Finding{}
	var kinds []string
	for _, f := range rf {
		if f.Type != "sensitive_data_in_response" || f.Kind == "" {
			continue
		}
		if _, ok := first[f.Kind]; !ok {
			first[f.Kind] = f
			kinds = append(kinds, f.Kind)
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	learning := g.cfg.Scan.Sensitive.AnomalyLearning
	novel, err := b.ObserveSensitive(ctx, ex.actx.Subscription, ex.actx.Resource, kinds, now, learning)
	if err != nil {
		g.metrics.Failed.WithLabelValues("baseline").Inc()
		g.log.Error("sensitive baseline", "request_id", ex.actx.RequestID, "err", err)
		return nil
	}
	var out []scan.Finding
	for _, k := range novel {
		f := first[k]
		out = append(out, scan.Finding{Category: scan.CategoryDataLeakage, Type: "sensitive_data_anomaly",
			Confidence: f.Confidence, Severity: scan.SeverityMedium, Detector: "baseline", Part: f.Part,
			Spans: f.Spans, Kind: k, Advisory: true,
			Reason: fmt.Sprintf("resource returned %s for the first time after its %s learning period", k, learning)})
	}
	return out
}

// accessFindings asks threat intelligence about where the request came
// from: the end user's address when the application passed one, and the
// connection's.
func (g *Gateway) accessFindings(ex *exchange) []scan.Finding {
	ua := ex.actx.UserAgent
	out := g.access.CheckAccess(ex.actx.SourceIP, ua)
	if ip := ex.actx.EndUserIP; ip != "" && ip != ex.actx.SourceIP {
		for _, f := range g.access.CheckAccess(ip, "") {
			f.Reason += " (end user)"
			out = append(out, f)
		}
	}
	return out
}

// behaviourEvent summarises an exchange for behaviour analysis: who, from
// where, a hash of the prompt (identical requests hash alike), the tools
// the model called and the keys of their arguments.
func behaviourEvent(ex *exchange, now time.Time) behaviour.Event {
	c := ex.actx
	ip := c.EndUserIP
	if ip == "" {
		ip = c.SourceIP
	}
	h := fnv.New64a()
	h.Write([]byte(c.Model))
	size := 0
	for _, p := range ex.prompt.Parts {
		h.Write([]byte{0})
		h.Write([]byte(p.Role))
		h.Write([]byte(p.Text))
		size += len(p.Text)
	}
	// Tokens are estimated at four bytes each, prompt and completion: the
	// providers' usage figures are not in every response or stream.
	for _, p := range ex.response {
		size += len(p.Text)
	}
	e := behaviour.Event{Time: now, Subscription: c.Subscription, Resource: c.Resource, Application: c.Application,
		User: c.UserID, IP: ip, UserAgent: c.UserAgent, AuthMethod: c.AuthMethod, RequestHash: h.Sum64(), Tokens: size / 4}
	for _, p := range ex.response {
		if p.Role != llmapi.RoleToolCall || p.Tool == "" {
			continue
		}
		t := behaviour.Tool{Name: p.Tool}
		if len(p.Text) < 64<<10 {
			var args map[string]json.RawMessage
			if json.Unmarshal([]byte(p.Text), &args) == nil {
				for k := range args {
					t.Keys = append(t.Keys, k)
				}
			}
		}
		e.Tools = append(e.Tools, t)
	}
	return e
}
