package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/scan"
)

// windowOverlap is how much already-scanned text is scanned again with each
// new delta, so a phrase split across chunks is still seen whole. It
// exceeds the 300 bytes within which a keyword corroborates a sensitive
// value, so the window judges a value with the context the whole text has.
const windowOverlap = 320

// maxHold bounds the text a stream holds back (and so rescans with each
// event): a PEM block whose END line never comes, or a run of non-space
// text longer than this (no credential is: a 4096-bit RSA key in PEM is
// about 3.3 KB), is cut; in block mode a limit that is hit fails closed.
const maxHold = 16 << 10

// streamBody sits between the upstream's SSE body and the client. It hands
// out whole events only (each flushed by the reverse proxy as it goes),
// byte for byte as the upstream sent them, and feeds them to the stream
// assembler. In block mode it scans each delta with its window before the
// event is released, and cuts the stream with a final error event in the
// provider's grammar when a finding crosses the block threshold. When the
// upstream fails or goes quiet mid-stream, the client gets such an event
// too, rather than a connection that just stops.
type streamBody struct {
	g       *Gateway
	ex      *exchange
	src     io.ReadCloser
	dec     llmapi.Decoder
	asm     *llmapi.Stream
	buf     []byte
	out     []byte
	scanned []int      // part index -> bytes scanned
	win     scan.Input // reused for each window scan
	outBuf  *[]byte    // pooled backing of out
	decBuf  *[]byte    // pooled backing of the decoder
	done    bool       // nothing more is read from src
	raw     bool       // the decoder gave up: pass bytes through unread
	closed  bool
	// lastRead is when the upstream last sent bytes (UnixNano); idled is
	// set by the idle watch when it cancelled the stream for silence.
	lastRead atomic.Int64
	idled    atomic.Bool
	// flagged is set when a window scan found anything; if none did, the
	// windows covered the whole response and the worker need not scan it
	// again.
	flagged bool

	// Hold-back (block mode): events whose text could still be part of a
	// value that blocks wait in pend, in order, until the detectors say
	// no match can start in their text (hold, per part, from
	// Pipeline.Hold) or the stream completes. A cut drops them: not one
	// character of the blocked value reaches the client.
	pend   []byte
	pendEv []heldEvent
	hold   []int

	// fed counts the stream's bytes read so far, against
	// limits.max_stream_bytes.
	fed int64

	// rest rewrites released events where the subscription redacts:
	// the request's values restored, redacted ranges (per part, sorted)
	// replaced.
	rest     *restorer
	redacted map[int][]redactedRange
	hider    *strings.Replacer // the redacted values, built when needed
}

// heldEvent is one event in pend: its bytes end at end; part is the part
// it grew (-1: none) and upto that part's length after it. Where events
// are rewritten (redaction), it also keeps the event's name, data and
// text deltas.
type heldEvent struct {
	end, part, upto int
	name            string
	data            []byte
	deltas          []llmapi.Delta
}

func newStreamBody(g *Gateway, ex *exchange, src io.ReadCloser) *streamBody {
	s := &streamBody{g: g, ex: ex, src: src, asm: llmapi.NewStream(ex.ep.api), buf: buffers.Get(),
		outBuf: getSmall(), decBuf: getSmall()}
	s.out = (*s.outBuf)[:0]
	s.dec.Buffer(*s.decBuf)
	if ex.redact {
		s.rest = newRestorer(ex.table)
	}
	g.idle.add(s)
	return s
}

// Read implements io.Reader.
func (s *streamBody) Read(p []byte) (int, error) {
	for len(s.out) == 0 {
		if s.done {
			s.finish()
			return 0, io.EOF
		}
		n, err := s.src.Read(s.buf)
		if n > 0 {
			s.lastRead.Store(time.Now().UnixNano())
			s.feed(s.buf[:n])
		}
		if err != nil && !s.done {
			if cerr := s.ex.clientCtx.Err(); cerr != nil && !s.idled.Load() {
				// The client left: the upstream request is already
				// cancelled; nobody is there to read an error event.
				s.done = true
				s.finish()
				return 0, err
			}
			s.end(err)
		}
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	if len(s.out) == 0 {
		s.out = s.out[:0:cap(s.out)]
	}
	return n, nil
}

// feed splits new bytes into events and queues those that may pass.
func (s *streamBody) feed(b []byte) {
	if s.raw {
		s.out = append(s.out, b...)
		return
	}
	if s.fed += int64(len(b)); s.fed > s.g.cfg.Limits.MaxStreamBytes {
		// Past what Warden keeps of one response: block mode ends the
		// stream (fail closed); detect mode keeps what it has for the
		// worker and passes the rest on, neither kept nor scanned.
		s.g.metrics.Dropped.WithLabelValues("stream_too_long").Inc()
		if s.ex.inline() {
			s.ex.respBlocked = true
			s.g.metrics.Blocked.WithLabelValues("response").Inc()
			s.cut(errorf(http.StatusBadGateway, "upstream_too_large", "the response stream exceeded the %d bytes Warden scans (limits.max_stream_bytes)", s.g.cfg.Limits.MaxStreamBytes))
			return
		}
		s.flagged = true
		s.raw = true
		s.release(true)
		s.out = append(s.out, s.dec.Rest()...)
		s.out = append(s.out, b...)
		return
	}
	s.dec.Write(b) //nolint:errcheck // never fails
	for !s.done {
		raw, ev, ok, err := s.dec.Next()
		if err != nil {
			s.g.metrics.Dropped.WithLabelValues("stream_event_too_large").Inc()
			if s.ex.inline() {
				// Block mode fails closed: what cannot be read is
				// not passed on unscanned.
				s.cut(errorf(http.StatusBadGateway, "upstream_error", "a stream event exceeded what Warden can scan"))
				return
			}
			// Detect mode: stop reading events and pass the rest
			// through unscanned, rather than lose or stall it.
			s.raw = true
			s.release(true)
			s.out = append(s.out, s.dec.Rest()...)
			return
		}
		if !ok {
			return
		}
		i, e := s.event(ev)
		if e != nil {
			s.cut(e)
			return
		}
		if !s.ex.inline() {
			s.out = append(s.out, raw...)
			continue
		}
		s.pend = append(s.pend, raw...)
		upto := 0
		if i >= 0 {
			upto = s.asm.Len(i)
		}
		h := heldEvent{end: len(s.pend), part: i, upto: upto}
		if s.rest != nil {
			// Rewritten when released: keep what that needs.
			h.name, h.data = ev.Name, append([]byte(nil), bytes.TrimSpace(ev.Data)...)
			h.deltas = append([]llmapi.Delta(nil), s.asm.Deltas()...)
		}
		s.pendEv = append(s.pendEv, h)
		if s.asm.Done {
			s.releaseAll()
		} else {
			s.release(false)
		}
	}
}

// release moves the held events that may go, in order, to out: all of them
// when the stream is complete, else those whose text is before their
// part's hold.
func (s *streamBody) release(all bool) {
	n, cut := 0, 0
	for _, h := range s.pendEv {
		if !all && h.part >= 0 && h.part < len(s.hold) && h.upto > s.hold[h.part] {
			break
		}
		n++
		cut = h.end
	}
	if n == 0 {
		return
	}
	if s.rest != nil {
		from := 0
		for _, h := range s.pendEv[:n] {
			s.out = s.rewrite(s.out, h, s.pend[from:h.end])
			from = h.end
		}
	} else {
		s.out = append(s.out, s.pend[:cut]...)
	}
	rest := copy(s.pend, s.pend[cut:])
	s.pend = s.pend[:rest]
	k := copy(s.pendEv, s.pendEv[n:])
	s.pendEv = s.pendEv[:k]
	for j := range s.pendEv {
		s.pendEv[j].end -= cut
	}
}

// event assembles one event and, in block mode, scans the part it grew
// and updates that part's hold. It returns the part (-1: none) and the
// error to cut the stream with, if it must be cut.
func (s *streamBody) event(ev llmapi.Event) (int, *Error) {
	i, err := s.asm.Event(ev)
	if err != nil {
		s.g.metrics.Failed.WithLabelValues("stream_parse").Inc()
		return -1, nil
	}
	if i < 0 || !s.ex.inline() {
		return i, nil
	}
	for len(s.scanned) <= i {
		s.scanned = append(s.scanned, 0)
		s.hold = append(s.hold, 0)
	}
	role := scan.Role(s.asm.Role(i))
	if !s.g.pipeline.Wants(role) {
		s.hold[i] = s.asm.Len(i)
		return i, nil
	}
	// The window reaches back over everything still held, with context.
	from := max(min(s.scanned[i], s.hold[i])-windowOverlap, 0)
	s.scanned[i] = s.asm.Len(i)
	win := s.asm.Tail(i, s.asm.Len(i)-from)
	if len(s.win.Parts) == 0 {
		// The prompt's system parts ride along with every window, so a
		// leaked system prompt is caught mid-stream; their normalised
		// form is computed once and kept.
		for _, p := range s.ex.prompt.Parts {
			if p.Role == scan.RoleSystem {
				s.win.Parts = append(s.win.Parts, scan.Part{Role: p.Role, Text: p.Text})
			}
		}
		s.win.Parts = append(s.win.Parts, scan.Part{})
	}
	s.win.Parts[len(s.win.Parts)-1].Set(scan.Role(win.Role), win.Text)
	start := time.Now()
	res := s.g.pipeline.Scan(context.Background(), &s.win, s.ex.policy)
	s.ex.respScan += time.Since(start)
	s.g.scanStream.Observe(time.Since(start).Seconds())
	if len(res.Findings) > 0 {
		s.flagged = true
	}
	whole := s.asm.Tail(i, s.asm.Len(i))
	pending := len(whole.Text)
	if s.ex.redact {
		// A value near the end may still grow, or turn out to be
		// something else once the words after it come (a name, an
		// address): it is noted once settled, and held until then.
		var noted bool
		noted, pending = s.noteRedactions(i, from, res.Findings, trailingWords(whole.Text, redactHoldWords))
		if noted {
			res.Verdict = scan.VerdictOf(res.Findings, s.ex.policy)
		}
	}
	if s.ex.block && res.Verdict == scan.VerdictBlock {
		s.ex.respBlocked = true
		s.g.metrics.Blocked.WithLabelValues("response").Inc()
		s.ex.blockErr = blockError(sideResponse, res.Findings, s.ex.policy)
		return i, s.ex.blockErr
	}
	hold := s.g.pipeline.Hold(role, whole.Text, s.hold[i])
	if s.ex.redact {
		hold = min(hold, max(min(trailingWords(whole.Text, redactHoldWords), pending), s.hold[i]))
	}
	s.hold[i] = hold
	if len(whole.Text)-s.hold[i] > maxHold {
		// Fail closed: a value that long cannot be judged in time.
		s.ex.respBlocked = true
		s.g.metrics.Blocked.WithLabelValues("response").Inc()
		e := errorf(http.StatusBadRequest, "content_filter", "the response was stopped by Warden threat protection: more than %d bytes could not be released unjudged", maxHold)
		e.Side = sideResponse
		return i, e
	}
	return i, nil
}

// cut ends the stream with e: the offending event and every held one are
// not sent, the upstream request is cancelled.
func (s *streamBody) cut(e *Error) {
	s.pend, s.pendEv = s.pend[:0], s.pendEv[:0]
	if s.ex.respBlocked {
		// The alert is durable before the client sees the stream end.
		s.ex.response = s.asm.Parts()
		if err := s.g.work.recordNow(s.ex); err != nil {
			e = errNotRecorded
		}
	}
	s.out = append(s.out, streamErrorEvent(s.ex.ep.style, s.ex.ep.api, e, s.ex.reqID)...)
	s.done = true
	s.ex.cancel()
}

// end handles the upstream's end of the stream: a clean end passes any
// unterminated trailing bytes on; an error, a stall or an end before the
// stream's own end marker is reported with a final error event.
func (s *streamBody) end(err error) {
	s.done = true
	rest := s.dec.Rest()
	if len(rest) > 0 && !s.raw {
		// Trailing bytes without the blank line that ends an event.
		if s.ex.inline() {
			if _, e := s.event(llmapi.ParseEvent(rest)); e != nil {
				s.cut(e)
				return
			}
		} else if i, _ := s.asm.Event(llmapi.ParseEvent(rest)); i >= 0 {
			s.flagged = true // text no window saw: let the worker scan it all
		}
	}
	if errors.Is(err, io.EOF) && (s.asm.Done || s.asm.Failed || s.raw) && !s.idled.Load() {
		s.releaseAll()
		s.out = append(s.out, rest...)
	} else if !s.ex.inline() {
		s.out = append(s.out, rest...)
	} else {
		// Block mode keeps what a stream that ended abnormally held: a
		// value cut short by a failing upstream was never judged whole.
		s.pend, s.pendEv = s.pend[:0], s.pendEv[:0]
	}
	var e *Error
	switch {
	case s.idled.Load():
		e = errorf(http.StatusGatewayTimeout, "upstream_timeout", "the upstream stream went quiet for longer than %s", s.g.cfg.Limits.StreamIdleTimeout)
	case errors.Is(err, io.EOF):
		if s.asm.Done || s.asm.Failed || s.raw {
			return
		}
		e = errorf(http.StatusBadGateway, "upstream_error", "the upstream ended the stream early")
	default:
		e = &Error{Status: http.StatusBadGateway, Code: "upstream_error", Message: "the upstream stream failed", Err: err}
	}
	s.g.metrics.Failed.WithLabelValues("upstream_stream").Inc()
	s.out = append(s.out, streamErrorEvent(s.ex.ep.style, s.ex.ep.api, e, s.ex.reqID)...)
}

// finish records the assembled response for the alert, once.
func (s *streamBody) finish() {
	if s.ex.response == nil {
		s.ex.response = s.asm.Parts()
		if s.ex.inline() && !s.flagged && !s.raw {
			s.ex.responseScanned = true
		}
	}
	s.g.idle.remove(s)
}

// Close implements io.Closer.
func (s *streamBody) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.finish()
	buffers.Put(s.buf)
	putSmall(s.outBuf)
	putSmall(s.decBuf)
	s.buf, s.out, s.outBuf, s.decBuf = nil, nil, nil, nil
	return s.src.Close()
}
