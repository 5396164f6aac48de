package llmapi

import (
	"bytes"
	"errors"
)

// Event is one server-sent event: its name (empty for the default "message")
// and its data lines joined with "\n". Data may share the decoder's buffer:
// it is valid until the decoder's next Write.
type Event struct {
	Name string
	Data []byte
}

// ErrEventTooLarge is returned when an event grows past the decoder's limit
// without ending; a hostile or broken upstream cannot make Warden buffer
// without bound.
var ErrEventTooLarge = errors.New("sse: event too large")

// MaxEventBytes is the default limit on one event.
const MaxEventBytes = 4 << 20

// Decoder splits a byte stream into server-sent events, keeping the exact
// bytes of each event (terminating blank line included) so a proxy can pass
// them on unchanged. Events are split on blank lines, never on read
// boundaries: one write may hold several events or part of one.
type Decoder struct {
	buf   []byte
	start int // first byte not yet returned
	scan  int // offset from start of the first line not yet looked at
	Max   int // limit on one event; 0 means MaxEventBytes
}

// Buffer makes the decoder start with b's memory (length ignored), so a
// caller can pool buffers across streams.
func (d *Decoder) Buffer(b []byte) { d.buf, d.start, d.scan = b[:0], 0, 0 }

// Write appends p to the decoder's buffer. It never fails.
func (d *Decoder) Write(p []byte) (int, error) {
	if d.start > 0 && d.start >= len(d.buf)/2 {
		n := copy(d.buf, d.buf[d.start:])
		d.buf = d.buf[:n]
		d.start = 0
	}
	d.buf = append(d.buf, p...)
	return len(p), nil
}

// Next returns the next complete event and its raw bytes. The raw slice is
// valid until the next call to Write. ok is false when more input is needed;
// err is ErrEventTooLarge when the pending event passed the limit.
func (d *Decoder) Next() (raw []byte, ev Event, ok bool, err error) {
	b := d.buf[d.start:]
	i := d.scan // always the start of a line
	for i < len(b) {
		j := lineEnd(b[i:])
		if j < 0 {
			break
		}
		end := i + j // line content is b[i:end]
		next := end + 1
		if b[end] == '\r' {
			if next == len(b) {
				break // a lone CR at the end may be the first half of CRLF
			}
			if b[next] == '\n' {
				next++
			}
		}
		if end == i {
			// A blank line: the event ends here.
			raw = b[:next]
			ev = parseEvent(b[:i])
			d.start += next
			d.scan = 0
			return raw, ev, true, nil
		}
		i = next
	}
	d.scan = i
	if len(b) > d.limit() {
		return nil, Event{}, false, ErrEventTooLarge
	}
	return nil, Event{}, false, nil
}

// lineEnd returns the index of the first CR or LF in b, or -1. Two
// IndexByte calls beat one IndexAny: LF is common, CR rare.
func lineEnd(b []byte) int {
	j := bytes.IndexByte(b, '\n')
	lim := b
	if j >= 0 {
		lim = b[:j]
	}
	if k := bytes.IndexByte(lim, '\r'); k >= 0 {
		return k
	}
	return j
}

// Rest returns and forgets the buffered bytes that do not (yet) form a
// complete event, such as a stream cut off mid-event.
func (d *Decoder) Rest() []byte {
	r := d.buf[d.start:]
	d.buf, d.start, d.scan = nil, 0, 0
	return r
}

func (d *Decoder) limit() int {
	if d.Max > 0 {
		return d.Max
	}
	return MaxEventBytes
}

// parseEvent reads the fields of one event (without its blank line). The
// data of a one-line event shares b's memory: no copy for the usual case.
func parseEvent(b []byte) Event {
	var ev Event
	var data []byte
	seen, shared := false, false
	for len(b) > 0 {
		j := lineEnd(b)
		line := b
		rest := []byte(nil)
		if j >= 0 {
			line = b[:j]
			k := j + 1
			if b[j] == '\r' && k < len(b) && b[k] == '\n' {
				k++
			}
			rest = b[k:]
		}
		b = rest
		if len(line) == 0 || line[0] == ':' {
			continue
		}
		field, value := line, []byte(nil)
		if c := bytes.IndexByte(line, ':'); c >= 0 {
			field, value = line[:c], line[c+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "event":
			ev.Name = string(value)
		case "data":
			switch {
			case !seen:
				data, shared = value, true
			case shared:
				data = append(append(append([]byte(nil), data...), '\n'), value...)
				shared = false
			default:
				data = append(append(data, '\n'), value...)
			}
			seen = true
		}
	}
	ev.Data = data
	return ev
}

// ParseEvent parses the fields of raw event bytes, for a trailing event
// without its blank line.
func ParseEvent(raw []byte) Event { return parseEvent(raw) }
