package gateway

import (
	"bytes"
	"encoding/json"

	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/redact"
)

// restorer puts a request's redacted values back into a streamed answer.
// A model writes a placeholder over several tokens ("[EMAIL", "_ADDRESS",
// "_1]"), so each part's text deltas are followed: a delta that ends in
// what could still become a placeholder keeps that piece back and the
// part's next delta starts with it. Events are rewritten only where they
// change; an event without text (a part's or the stream's end) first
// sends what is still kept back, then passes with any placeholder in its
// other strings (a final full text) restored.
type restorer struct {
	t     *redact.Table
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

// event returns the bytes to send for an event whose text the assembler
// just read (deltas, from llmapi.Stream.Deltas), given its raw bytes.
func (r *restorer) event(raw []byte, ev llmapi.Event, deltas []llmapi.Delta) []byte {
	data := bytes.TrimSpace(ev.Data)
	if len(deltas) == 0 {
		var out []byte
		if ev.Name != "ping" { // Anthropic's keep-alive ends nothing
			out = r.flush(nil)
		}
		nd, err := llmapi.RewriteStrings(data, r.t.Restore)
		if err != nil || bytes.Equal(nd, data) {
			return append(out, raw...)
		}
		return appendEvent(out, ev.Name, nd)
	}
	var nd []byte
	last := 0
	type span struct{ part, start, end int }
	var held []span // deltas whose part keeps a piece back, in nd
	for _, d := range deltas {
		var text string
		if err := json.Unmarshal(append(append([]byte{'"'}, data[d.Start:d.End]...), '"'), &text); err != nil {
			continue // not what the assembler read either: pass it as it is
		}
		t := r.carry[d.Part] + text
		k := r.t.Partial(t)
		head, _ := r.t.Restore(t[:k])
		r.carry[d.Part] = t[k:]
		nd = append(nd, data[last:d.Start]...)
		start := len(nd)
		if head == text {
			nd = append(nd, data[d.Start:d.End]...)
		} else {
			enc := llmapi.AppendJSONString(nil, head)
			nd = append(nd, enc[1:len(enc)-1]...)
		}
		last = d.End
		if k < len(t) {
			held = append(held, span{d.Part, start, len(nd)})
		}
	}
	nd = append(nd, data[last:]...)
	// nd is this event's own: a template may keep it.
	for _, h := range held {
		r.last[h.part] = eventTemplate{name: ev.Name, data: nd, start: h.start, end: h.end}
	}
	if bytes.Equal(nd, data) {
		return raw
	}
	return appendEvent(nil, ev.Name, nd)
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
