package llmapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Stream reassembles a streamed response from its events: OpenAI chunks
// (choices[].delta, tool_calls by index), Azure's filter-only chunks (which
// carry no text), Responses API named events and Anthropic content blocks.
type Stream struct {
	api   API
	parts []streamPart
	keys  map[string]int
	// Done is set once the stream's own end marker arrived ([DONE],
	// response.completed, message_stop).
	Done bool
	// Failed is set when the upstream sent an error event.
	Failed bool
}

type streamPart struct {
	role string
	text []byte
}

// NewStream returns an empty assembler for api.
func NewStream(api API) *Stream {
	return &Stream{api: api, keys: map[string]int{}}
}

// Parts returns the text assembled so far.
func (s *Stream) Parts() []Part {
	out := make([]Part, 0, len(s.parts))
	for _, p := range s.parts {
		if len(p.text) > 0 {
			out = append(out, Part{Role: p.role, Text: string(p.text)})
		}
	}
	return out
}

// Tail returns up to n trailing bytes of part i, for scanning a window that
// spans chunk boundaries.
func (s *Stream) Tail(i, n int) Part {
	p := s.parts[i]
	t := p.text
	if len(t) > n {
		t = t[len(t)-n:]
	}
	return Part{Role: p.role, Text: string(t)}
}

// Len returns the number of bytes assembled in part i.
func (s *Stream) Len(i int) int { return len(s.parts[i].text) }

func (s *Stream) append(key, role, text string) int {
	if text == "" {
		return -1
	}
	i, ok := s.keys[key]
	if !ok {
		i = len(s.parts)
		s.keys[key] = i
		s.parts = append(s.parts, streamPart{role: role})
	}
	s.parts[i].text = append(s.parts[i].text, text...)
	return i
}

type chatChunk struct {
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Content   string         `json:"content"`
			Refusal   string         `json:"refusal"`
			ToolCalls []chatToolCall `json:"tool_calls"`
		} `json:"delta"`
		Text string `json:"text"`
	} `json:"choices"`
	Error json.RawMessage `json:"error"`
}

type namedChunk struct {
	Type        string          `json:"type"`
	Index       int             `json:"index"`
	OutputIndex int             `json:"output_index"`
	Delta       json.RawMessage `json:"delta"`
	Text        string          `json:"text"`
	PartialJSON string          `json:"partial_json"`
}

// Event reads one event and returns the index of the part that grew, or -1
// when the event carried no text.
func (s *Stream) Event(ev Event) (int, error) {
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 {
		return -1, nil
	}
	switch s.api {
	case OpenAIChat, OpenAICompletions:
		if string(data) == "[DONE]" {
			s.Done = true
			return -1, nil
		}
		var c chatChunk
		if err := json.Unmarshal(data, &c); err != nil {
			return -1, fmt.Errorf("stream chunk: %w", err)
		}
		if len(c.Error) > 0 && string(c.Error) != "null" {
			s.Failed = true
		}
		grew := -1
		for _, ch := range c.Choices {
			k := strconv.Itoa(ch.Index)
			if i := s.append("c"+k, RoleAssistant, ch.Delta.Content+ch.Delta.Refusal+ch.Text); i >= 0 {
				grew = i
			}
			for _, tc := range ch.Delta.ToolCalls {
				if i := s.append("t"+k+"."+strconv.Itoa(tc.Index), RoleToolCall, tc.Function.Arguments); i >= 0 {
					grew = i
				}
			}
		}
		return grew, nil
	case OpenAIResponses, AnthropicMessages:
		var c namedChunk
		if err := json.Unmarshal(data, &c); err != nil {
			return -1, fmt.Errorf("stream event: %w", err)
		}
		return s.named(c), nil
	}
	return -1, nil
}

func (s *Stream) named(c namedChunk) int {
	switch c.Type {
	case "response.output_text.delta", "response.refusal.delta":
		var d string
		json.Unmarshal(c.Delta, &d) //nolint:errcheck // a non-string delta carries no text
		return s.append("o"+strconv.Itoa(c.OutputIndex), RoleAssistant, d)
	case "response.function_call_arguments.delta":
		var d string
		json.Unmarshal(c.Delta, &d) //nolint:errcheck
		return s.append("f"+strconv.Itoa(c.OutputIndex), RoleToolCall, d)
	case "content_block_delta":
		var d struct {
			Type        string `json:"type"`
			Text        string `json:"text"`
			PartialJSON string `json:"partial_json"`
		}
		json.Unmarshal(c.Delta, &d) //nolint:errcheck
		switch d.Type {
		case "text_delta":
			return s.append("b"+strconv.Itoa(c.Index), RoleAssistant, d.Text)
		case "input_json_delta":
			return s.append("b"+strconv.Itoa(c.Index), RoleToolCall, d.PartialJSON)
		}
	case "response.completed", "message_stop":
		s.Done = true
	case "error", "response.failed":
		s.Failed = true
	}
	return -1
}
