package llmapi

import (
	"bytes"
	"fmt"
	"unsafe"

	"github.com/buger/jsonparser"
)

// Stream reassembles a streamed response from its events: OpenAI chunks
// (choices[].delta, tool_calls by index), Azure's filter-only chunks (which
// carry no text), Responses API named events and Anthropic content blocks.
type Stream struct {
	api   API
	parts []streamPart
	keys  map[partKey]int
	// Done is set once the stream's own end marker arrived ([DONE],
	// response.completed, message_stop).
	Done bool
	// Failed is set when the upstream sent an error event.
	Failed bool

	cur    []byte  // the data of the event being read
	deltas []Delta // the text it carried
}

// Delta is one piece of text an event carried: the part it grew, where
// its JSON string (between the quotes, escapes and all) is in the event's
// data (Event.Data with surrounding space trimmed), and where its text is
// in the part (From, To).
type Delta struct {
	Part       int
	Start, End int
	From, To   int
}

// Deltas returns the text the last event carried, in the order of its
// data. The slice is reused by the next call to Event.
func (s *Stream) Deltas() []Delta { return s.deltas }

type streamPart struct {
	role string
	text []byte
	tool string
}

// NewStream returns an empty assembler for api.
func NewStream(api API) *Stream {
	return &Stream{api: api, keys: map[partKey]int{}}
}

// Parts returns the text assembled so far.
func (s *Stream) Parts() []Part {
	out := make([]Part, 0, len(s.parts))
	for _, p := range s.parts {
		if len(p.text) > 0 || p.tool != "" {
			out = append(out, Part{Role: p.role, Text: string(p.text), Tool: p.tool})
		}
	}
	return out
}

// Tail returns up to n trailing bytes of part i, for scanning a window that
// spans chunk boundaries. The text shares the assembler's memory, which is
// only ever appended to, so it stays valid and unchanged.
func (s *Stream) Tail(i, n int) Part {
	p := s.parts[i]
	t := p.text
	if len(t) > n {
		t = t[len(t)-n:]
	}
	return Part{Role: p.role, Text: unsafe.String(unsafe.SliceData(t), len(t))}
}

// Text returns bytes from to to of part i's text, sharing the
// assembler's memory as Tail does.
func (s *Stream) Text(i, from, to int) string {
	t := s.parts[i].text[from:to]
	return unsafe.String(unsafe.SliceData(t), len(t))
}

// Role returns the role of part i.
func (s *Stream) Role(i int) string { return s.parts[i].role }

// Len returns the number of bytes assembled in part i.
func (s *Stream) Len(i int) int { return len(s.parts[i].text) }

// partKey identifies a part of a stream: a kind ('c' choice text, 't' tool
// call, 'o' output text, 'f' function arguments, 'b' content block) and up
// to two indices.
type partKey struct {
	kind byte
	i, j int64
}

// append adds the JSON string raw (escapes and all) to the part at key.
// toolName records the tool of the part key (the first delta of a tool
// call names it, often with no arguments yet).
func (s *Stream) toolName(key partKey, name string) {
	i, ok := s.keys[key]
	if !ok {
		i = len(s.parts)
		s.keys[key] = i
		s.parts = append(s.parts, streamPart{role: RoleToolCall})
	}
	s.parts[i].tool = name
}

func (s *Stream) append(key partKey, role string, raw []byte) int {
	if len(raw) == 0 {
		return -1
	}
	i, ok := s.keys[key]
	if !ok {
		i = len(s.parts)
		s.keys[key] = i
		s.parts = append(s.parts, streamPart{role: role})
	}
	// raw is a slice of the event's data (the parser never copies; it
	// limits capacities, so the offset comes from the addresses).
	p := &s.parts[i]
	if off := int(uintptr(unsafe.Pointer(unsafe.SliceData(raw))) - uintptr(unsafe.Pointer(unsafe.SliceData(s.cur)))); len(s.cur) > 0 && off >= 0 && off+len(raw) <= len(s.cur) {
		from := len(p.text)
		p.text = appendUnescaped(p.text, raw)
		s.deltas = append(s.deltas, Delta{Part: i, Start: off, End: off + len(raw), From: from, To: len(p.text)})
		return i
	}
	p.text = appendUnescaped(p.text, raw)
	return i
}

// appendUnescaped appends the text of the JSON string raw (escapes and
// all) to text; raw as it is when it does not unescape.
func appendUnescaped(text, raw []byte) []byte {
	if bytes.IndexByte(raw, '\\') < 0 {
		return append(text, raw...)
	}
	n := len(text)
	text = append(text, make([]byte, len(raw))...)
	out, err := jsonparser.Unescape(raw, text[n:])
	switch {
	case err != nil:
		return append(text[:n], raw...) // keep what was sent rather than drop it
	case len(out) == 0:
		return text[:n]
	case &out[0] != &text[n]:
		return append(text[:n], out...)
	}
	return text[:n+len(out)]
}

// Event reads one event and returns the index of the part that grew, or -1
// when the event carried no text. Chunks are read with a non-allocating
// parser: a stream has an event per token, and encoding/json's reflection
// was most of the cost of following one.
func (s *Stream) Event(ev Event) (int, error) {
	data := bytes.TrimSpace(ev.Data)
	s.cur, s.deltas = data, s.deltas[:0]
	if len(data) == 0 {
		return -1, nil
	}
	switch s.api {
	case OpenAIChat, OpenAICompletions:
		if string(data) == "[DONE]" {
			s.Done = true
			return -1, nil
		}
		if data[0] != '{' {
			return -1, fmt.Errorf("stream chunk is not a JSON object")
		}
		return s.chatChunk(data)
	case OpenAIResponses, AnthropicMessages:
		if data[0] != '{' {
			return -1, fmt.Errorf("stream event is not a JSON object")
		}
		return s.named(data), nil
	}
	return -1, nil
}

var (
	errorKey    = []byte(`"error"`)
	choicePaths = [][]string{{"index"}, {"text"}, {"delta", "content"}, {"delta", "refusal"}, {"delta", "tool_calls"}}
)

// str returns the raw bytes of the JSON string at keys, or nil.
func str(data []byte, keys ...string) []byte {
	v, t, _, err := jsonparser.Get(data, keys...)
	if err != nil || t != jsonparser.String {
		return nil
	}
	return v
}

func (s *Stream) chatChunk(data []byte) (int, error) {
	if bytes.Contains(data, errorKey) {
		if _, t, _, err := jsonparser.Get(data, "error"); err == nil && t != jsonparser.Null {
			s.Failed = true
		}
	}
	grew := -1
	_, err := jsonparser.ArrayEach(data, func(ch []byte, t jsonparser.ValueType, _ int, _ error) {
		if t != jsonparser.Object {
			return
		}
		// One pass over the choice for every field read.
		var idx int64
		var text, content, refusal, tools []byte
		jsonparser.EachKey(ch, func(k int, v []byte, vt jsonparser.ValueType, err error) {
			if err != nil {
				return
			}
			switch {
			case k == 0 && vt == jsonparser.Number:
				idx, _ = jsonparser.ParseInt(v)
			case k == 1 && vt == jsonparser.String:
				text = v
			case k == 2 && vt == jsonparser.String:
				content = v
			case k == 3 && vt == jsonparser.String:
				refusal = v
			case k == 4 && vt == jsonparser.Array:
				tools = v
			}
		}, choicePaths...)
		key := partKey{'c', idx, 0}
		for _, v := range [][]byte{text, content, refusal} {
			if i := s.append(key, RoleAssistant, v); i >= 0 {
				grew = i
			}
		}
		if tools == nil {
			return
		}
		jsonparser.ArrayEach(tools, func(tc []byte, t jsonparser.ValueType, _ int, _ error) { //nolint:errcheck // a malformed tool call carries nothing to scan
			if t != jsonparser.Object {
				return
			}
			ti, _ := jsonparser.GetInt(tc, "index")
			if i := s.append(partKey{'t', idx, ti}, RoleToolCall, str(tc, "function", "arguments")); i >= 0 {
				grew = i
			}
			if name := str(tc, "function", "name"); len(name) > 0 {
				s.toolName(partKey{'t', idx, ti}, string(name))
			}
		})
	}, "choices")
	if err != nil && err != jsonparser.KeyPathNotFoundError {
		return grew, fmt.Errorf("stream chunk: %w", err)
	}
	return grew, nil
}

func (s *Stream) named(data []byte) int {
	typ, _ := jsonparser.GetString(data, "type")
	switch typ {
	case "response.output_text.delta", "response.refusal.delta":
		i, _ := jsonparser.GetInt(data, "output_index")
		return s.append(partKey{'o', i, 0}, RoleAssistant, str(data, "delta"))
	case "response.function_call_arguments.delta":
		i, _ := jsonparser.GetInt(data, "output_index")
		return s.append(partKey{'f', i, 0}, RoleToolCall, str(data, "delta"))
	case "content_block_delta":
		i, _ := jsonparser.GetInt(data, "index")
		dt, _ := jsonparser.GetString(data, "delta", "type")
		switch dt {
		case "text_delta":
			return s.append(partKey{'b', i, 0}, RoleAssistant, str(data, "delta", "text"))
		case "input_json_delta":
			return s.append(partKey{'b', i, 0}, RoleToolCall, str(data, "delta", "partial_json"))
		}
	case "response.completed", "message_stop":
		s.Done = true
	case "error", "response.failed":
		s.Failed = true
	}
	return -1
}
