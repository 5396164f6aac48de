package llmapi

import (
	"bytes"
	"encoding/json"
	"fmt"
)

type chatRequest struct {
	Model     string           `json:"model"`
	Stream    bool             `json:"stream"`
	Messages  []chatMessage    `json:"messages"`
	Tools     json.RawMessage  `json:"tools"`
	Functions json.RawMessage  `json:"functions"`
	User      string           `json:"user"`
	USC       *SecurityContext `json:"user_security_context"`
}

type chatMessage struct {
	Role         string         `json:"role"`
	Content      content        `json:"content"`
	Refusal      string         `json:"refusal"`
	ToolCalls    []chatToolCall `json:"tool_calls"`
	FunctionCall *chatFunction  `json:"function_call"`
}

type chatToolCall struct {
	Index    int          `json:"index"`
	Function chatFunction `json:"function"`
}

type chatFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type contentPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
	// Responses API tool output and Anthropic blocks reuse this shape.
	Refusal string `json:"refusal"`
}

// parseOpenAIChat reads a chat completions request (OpenAI, Azure OpenAI and
// Azure AI Model Inference).
func parseOpenAIChat(body []byte, r *Request) error {
	var req chatRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	r.Model, r.Stream, r.User, r.SecurityContext = req.Model, req.Stream, req.User, req.USC
	if err := r.addTools(req.Tools); err != nil {
		return fmt.Errorf("tools: %w", err)
	}
	if err := r.addTools(req.Functions); err != nil {
		return fmt.Errorf("functions: %w", err)
	}
	for i, m := range req.Messages {
		role := chatRole(m.Role)
		if err := r.addContent(role, m.Content); err != nil {
			return fmt.Errorf("messages[%d].content: %w", i, err)
		}
		for _, tc := range m.ToolCalls {
			r.addText(RoleToolCall, tc.Function.Arguments)
		}
		if m.FunctionCall != nil {
			r.addText(RoleToolCall, m.FunctionCall.Arguments)
		}
	}
	return nil
}

// addContent reads message content that is a string or a list of typed
// parts. Text parts are kept; images, audio and files are noted as skipped.
func (r *Request) addContent(role string, c content) error {
	if c.isStr {
		r.addText(role, c.str)
		return nil
	}
	if c.raw == nil {
		return nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(c.raw, &raws); err != nil {
		return fmt.Errorf("want a string or a list of parts")
	}
	for i, raw := range raws {
		var p contentPart
		if err := json.Unmarshal(raw, &p); err != nil {
			return fmt.Errorf("part %d: want an object", i)
		}
		switch p.Type {
		case "text", "input_text", "output_text":
			r.addText(role, p.Text)
		case "refusal":
			r.addText(role, p.Refusal)
		case "image_url", "input_image", "image":
			r.skip("image")
		case "input_audio", "audio":
			r.skip("audio")
		case "file", "input_file":
			r.skip("file")
		default:
			// Unknown part types may still carry text; scan it rather
			// than let a new type become a blind spot.
			r.addUnknown(role, p.Type, raw)
		}
	}
	return nil
}

type responsesRequest struct {
	Model        string           `json:"model"`
	Stream       bool             `json:"stream"`
	Instructions string           `json:"instructions"`
	Input        json.RawMessage  `json:"input"`
	Tools        json.RawMessage  `json:"tools"`
	User         string           `json:"user"`
	USC          *SecurityContext `json:"user_security_context"`
}

type responsesItem struct {
	Type      string  `json:"type"`
	Role      string  `json:"role"`
	Content   content `json:"content"`
	Arguments string  `json:"arguments"`
	Output    content `json:"output"`
}

// parseResponsesRequest reads an OpenAI Responses API request: input is a
// string or a list of items (messages, function calls and their outputs).
func parseResponsesRequest(body []byte, r *Request) error {
	var req responsesRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	r.Model, r.Stream, r.User, r.SecurityContext = req.Model, req.Stream, req.User, req.USC
	r.addText(RoleSystem, req.Instructions)
	if err := r.addTools(req.Tools); err != nil {
		return fmt.Errorf("tools: %w", err)
	}
	if len(req.Input) == 0 || string(req.Input) == "null" {
		return nil
	}
	if req.Input[0] == '"' {
		var s string
		if err := json.Unmarshal(req.Input, &s); err != nil {
			return fmt.Errorf("input: %w", err)
		}
		r.addText(RoleUser, s)
		return nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(req.Input, &raws); err != nil {
		return fmt.Errorf("input: want a string or a list of items")
	}
	for i, raw := range raws {
		var it responsesItem
		if err := json.Unmarshal(raw, &it); err != nil {
			return fmt.Errorf("input[%d]: want an object", i)
		}
		switch it.Type {
		case "function_call", "custom_tool_call":
			r.addText(RoleToolCall, it.Arguments)
		case "function_call_output", "custom_tool_call_output":
			if err := r.addContent(RoleTool, it.Output); err != nil {
				return fmt.Errorf("input[%d].output: %w", i, err)
			}
		case "", "message":
			if err := r.addContent(chatRole(it.Role), it.Content); err != nil {
				return fmt.Errorf("input[%d].content: %w", i, err)
			}
		default:
			// Other items (tool results of built-in tools, references,
			// types added later) may carry text: scan every string in
			// them, as data unless a role says whose words they are.
			role := RoleTool
			if it.Role != "" {
				role = chatRole(it.Role)
			}
			r.addUnknown(role, it.Type, raw)
		}
	}
	return nil
}

// rawString decodes a JSON string token taken from a document that
// encoding/json has already validated. Most prompts have no escapes, and
// then the text between the quotes is the string: decoding it again would
// only validate the prompt a second time.
func rawString(raw json.RawMessage) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// content is a JSON value the parsers read later: a string, decoded at once
// (the usual case, and one copy of the prompt instead of two), or the raw
// bytes of anything else.
type content struct {
	str   string
	isStr bool
	raw   []byte
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *content) UnmarshalJSON(b []byte) error {
	// A reused value forgets what it held: an earlier string must not
	// survive a later list.
	*c = content{}
	switch {
	case len(b) > 0 && b[0] == '"':
		s, err := rawString(b)
		c.str, c.isStr = s, err == nil
		return err
	case string(b) == "null":
		return nil
	}
	c.raw = append([]byte(nil), b...)
	return nil
}
