package gateway

import (
	"bytes"

	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/redact"
)

// restorer writes the events of a stream whose text Warden changes: the
// request's redacted values put back, and values of redacted kinds in the
// answer replaced. A model writes a placeholder over several tokens
// ("[EMAIL", "_ADDRESS", "_1]"), so each part's text deltas are followed:
// a delta that ends in what could still become a placeholder keeps that
// piece back and the part's next delta starts with it. Events are
// rewritten only where they change; an event without text (a part's or
// the stream's end) first sends what is still kept back, then passes with
// any placeholder in its other strings (a final full text) restored.
type restorer struct {
	t     *redact.Table // nil: nothing to restore
	carry map[int]string
	last  map[int]eventTemplate
}

// eventTemplate is the last event that carried a part's text, kept to send
// a held-back piece of it in an event of the same shape.
type eventTemplate struct {
	name       string
	data       []byte
	start, end int // the delta's JSON string inside data
}

func newRestorer(t *redact.Table) *restorer {
	return &restorer{t: t, carry: map[int]string{}, last: map[int]eventTemplate{}}
}

// event returns the bytes to send for an event (raw, named name, with
// data) whose text deltas are ds: texts[k] is the text delta k is to
// carry, orig[k] the text it carried. An event without deltas has every
// string passed through hide (the answer's redacted values, which the
// Responses API repeats whole in its done events) and restored.
func (r *restorer) event(raw []byte, name string, data []byte, ds []llmapi.Delta, orig, texts []string, hide func(string) (string, bool)) []byte {
	if len(ds) == 0 {
		var out []byte
		if name != "ping" { // Anthropic's keep-alive ends nothing
			out = r.flush(nil)
		}
		nd, err := llmapi.RewriteStrings(data, func(s string) (string, bool) {
			h, hid := hide(s)
			if r.t == nil {
				return h, hid
			}
			back, restored := r.t.Restore(h)
			return back, hid || restored
		})
		if err != nil || bytes.Equal(nd, data) {
			return append(out, raw...)
		}
		return appendEvent(out, name, nd)
	}
	var nd []byte
	last := 0
	type span struct{ part, start, end int }
	var held []span // deltas whose part keeps a piece back, in nd
	for k, d := range ds {
		head := r.carry[d.Part] + texts[k]
		if r.t != nil {
			n := r.t.Partial(head)
			r.carry[d.Part] = head[n:]
			head, _ = r.t.Restore(head[:n])
		}
		nd = append(nd, data[last:d.Start]...)
		start := len(nd)
		if head == orig[k] {
			nd = append(nd, data[d.Start:d.End]...)
		} else {
			enc := llmapi.AppendJSONString(nil, head)
			nd = append(nd, enc[1:len(enc)-1]...)
		}
		last = d.End
		if r.carry[d.Part] != "" {
			held = append(held, span{d.Part, start, len(nd)})
		}
	}
	nd = append(nd, data[last:]...)
	// nd is this event's own: a template may keep it.
	for _, h := range held {
		r.last[h.part] = eventTemplate{name: name, data: nd, start: h.start, end: h.end}
	}
	if bytes.Equal(nd, data) {
		return raw
	}
	return appendEvent(nil, name, nd)
}

// flush returns, appended to out, an event per part for the text still
// kept back: it did not become a placeholder.
func (r *restorer) flush(out []byte) []byte {
	for p, c := range r.carry {
		if c == "" {
			continue
		}
		tpl, ok := r.last[p]
		if !ok {
			continue
		}
		enc := llmapi.AppendJSONString(nil, c)
		nd := append(append(append([]byte{}, tpl.data[:tpl.start]...), enc[1:len(enc)-1]...), tpl.data[tpl.end:]...)
		out = appendEvent(out, tpl.name, nd)
		r.carry[p] = ""
	}
	return out
}

// appendEvent appends an event of name with data in the SSE grammar.
func appendEvent(out []byte, name string, data []byte) []byte {
	if name != "" {
		out = append(append(append(out, "event: "...), name...), '\n')
	}
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		out = append(append(append(out, "data: "...), line...), '\n')
	}
	return append(out, '\n')
}
