package gateway

import (
	"context"
	"strings"

	"github.com/wardenhq/warden/internal/redact"
	"github.com/wardenhq/warden/internal/scan"
)

// Redaction in a stream. Where the subscription redacts, a stream is held
// back and scanned as in block mode; a value of a redacted kind that a
// window finds is noted as a range of its part, and the events that carry
// it are rewritten when they are released: the first piece of the value
// becomes [REDACTED:KIND], the rest is dropped. The hold-back keeps a
// value's characters from the client until the window after them judged
// them, so none of it goes out before its range is known.

// redactHoldWords is how many trailing words of a part wait for the next
// window where values are redacted.
const redactHoldWords = 4

// redactedRange is a redacted value's place in its part and its kind.
type redactedRange struct {
	start, end int
	kind       string
}

// noteRedactions marks the redactable findings of a window (of part i,
// starting at byte from of it) redacted and notes as ranges those that
// end by settled (byte of the part); it reports whether any were marked,
// and where the earliest one not yet noted starts (the part's length:
// none), which must be held.
func (s *streamBody) noteRedactions(i, from int, fs []scan.Finding, settled int) (marked bool, pending int) {
	last := len(s.win.Parts) - 1
	pending = s.asm.Len(i)
	for k := range fs {
		f := &fs[k]
		if f.Part != last || !s.ex.redactable(*f) {
			continue
		}
		f.Redacted, marked = true, true
		for _, sp := range f.Spans {
			if from+sp[1] > settled {
				pending = min(pending, from+sp[0])
				continue
			}
			s.addRange(i, redactedRange{from + sp[0], from + sp[1], f.Kind})
			if s.ex.respRedacted == nil {
				s.ex.respRedacted = map[string]bool{}
			}
			s.ex.respRedacted[f.Kind] = true
		}
	}
	return marked, pending
}

// releaseAll sends every held event: the stream is complete. Where values
// are redacted, what was still held is judged once more as settled.
func (s *streamBody) releaseAll() {
	if s.ex.redact {
		for i := range s.hold {
			n := s.asm.Len(i)
			if s.hold[i] >= n || len(s.win.Parts) == 0 {
				continue
			}
			from := max(s.hold[i]-windowOverlap, 0)
			win := s.asm.Tail(i, n-from)
			s.win.Parts[len(s.win.Parts)-1].Set(scan.Role(win.Role), win.Text)
			res := s.g.pipeline.Scan(context.Background(), &s.win, s.ex.policy)
			s.noteRedactions(i, from, res.Findings, n)
		}
	}
	s.release(true)
}

// addRange adds r to part i's ranges, merging it with those it overlaps
// (a value is found again, sometimes longer, by each window that sees it).
func (s *streamBody) addRange(i int, r redactedRange) {
	s.hider = nil
	if s.redacted == nil {
		s.redacted = map[int][]redactedRange{}
	}
	var out []redactedRange
	placed := false
	for _, x := range s.redacted[i] {
		switch {
		case x.end < r.start:
			out = append(out, x)
		case r.end < x.start:
			if !placed {
				out, placed = append(out, r), true
			}
			out = append(out, x)
		default: // overlapping or touching: one range, of the longer's kind
			if x.end-x.start > r.end-r.start {
				r.kind = x.kind
			}
			r.start, r.end = min(r.start, x.start), max(r.end, x.end)
		}
	}
	if !placed {
		out = append(out, r)
	}
	s.redacted[i] = out
}

// redactText returns the text of part i from from to to with the redacted
// ranges replaced.
func (s *streamBody) redactText(i, from, to int, text string) string {
	rs := s.redacted[i]
	if len(rs) == 0 {
		return text
	}
	var b strings.Builder
	pos := from
	for _, r := range rs {
		if r.end <= from || r.start >= to {
			continue
		}
		if r.start > pos {
			b.WriteString(text[pos-from : r.start-from])
		}
		if r.start >= from {
			b.WriteString(redact.Placeholder(r.kind, "", true, redact.Options{}))
		}
		pos = max(pos, min(r.end, to))
	}
	b.WriteString(text[pos-from:])
	return b.String()
}

// rewrite appends to out the bytes to send for held event h (raw).
func (s *streamBody) rewrite(out []byte, h heldEvent, raw []byte) []byte {
	if s.rest.t == nil && len(s.redacted) == 0 {
		return append(out, raw...) // nothing to restore, nothing found
	}
	orig := make([]string, len(h.deltas))
	texts := make([]string, len(h.deltas))
	for k, d := range h.deltas {
		orig[k] = s.asm.Text(d.Part, d.From, d.To)
		texts[k] = s.redactText(d.Part, d.From, d.To, orig[k])
	}
	return append(out, s.rest.event(raw, h.name, h.data, h.deltas, orig, texts, s.hideValues)...)
}

// hideValues replaces, in any string of an event, the values of the
// answer's redacted ranges.
func (s *streamBody) hideValues(str string) (string, bool) {
	if len(s.redacted) == 0 {
		return str, false
	}
	if s.hider == nil {
		var pairs []string
		for p, rs := range s.redacted {
			for _, r := range rs {
				if r.end <= s.asm.Len(p) {
					pairs = append(pairs, s.asm.Text(p, r.start, r.end), redact.Placeholder(r.kind, "", true, redact.Options{}))
				}
			}
		}
		s.hider = strings.NewReplacer(longestFirst(pairs)...)
	}
	out := s.hider.Replace(str)
	return out, out != str
}

// trailingWords returns where the last n words of text start.
func trailingWords(text string, n int) int {
	i := len(text)
	for ; n > 0 && i > 0; n-- {
		for i > 0 && isBlank(text[i-1]) {
			i--
		}
		for i > 0 && !isBlank(text[i-1]) {
			i--
		}
	}
	return i
}

func isBlank(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
