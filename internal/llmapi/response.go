package llmapi

import (
	"encoding/json"
	"fmt"
)

// Response is the neutral form of a model's answer: assistant text and the
// tool calls it asked for.
type Response struct {
	Model string
	Parts []Part
}

func (r *Response) add(role, text string) {
	if text != "" {
		r.Parts = append(r.Parts, Part{Role: role, Text: text})
	}
}

// addTool adds a tool call's arguments with the tool's name (kept even
// when the arguments are empty: the call itself is what behaviour
// analysis counts).
func (r *Response) addTool(name, args string) {
	if args != "" || name != "" {
		r.Parts = append(r.Parts, Part{Role: RoleToolCall, Text: args, Tool: name})
	}
}

type chatResponse struct {
	Model   string `json:"model"`
	Choices []struct {
		Message chatMessage `json:"message"`
		Text    string      `json:"text"`
	} `json:"choices"`
}

type responsesResponse struct {
	Model  string `json:"model"`
	Output []struct {
		Type      string        `json:"type"`
		Content   []contentPart `json:"content"`
		Arguments string        `json:"arguments"`
		Name      string        `json:"name"`
	} `json:"output"`
}

type anthropicResponse struct {
	Model   string           `json:"model"`
	Content []anthropicBlock `json:"content"`
}

// ParseResponse reads a complete (non-streamed) response body.
func ParseResponse(api API, body []byte) (*Response, error) {
	var r Response
	switch api {
	case OpenAIChat, OpenAICompletions:
		var resp chatResponse
		if err := decodeObject(body, &resp); err != nil {
			return nil, err
		}
		r.Model = resp.Model
		for _, c := range resp.Choices {
			r.add(RoleAssistant, c.Text)
			var req Request
			if err := req.addContent(RoleAssistant, c.Message.Content); err != nil {
				return nil, fmt.Errorf("choices.message.content: %w", err)
			}
			r.Parts = append(r.Parts, req.Parts...)
			r.add(RoleAssistant, c.Message.Refusal)
			for _, tc := range c.Message.ToolCalls {
				r.addTool(tc.Function.Name, tc.Function.Arguments)
			}
			if c.Message.FunctionCall != nil {
				r.addTool(c.Message.FunctionCall.Name, c.Message.FunctionCall.Arguments)
			}
		}
	case OpenAIResponses:
		var resp responsesResponse
		if err := decodeObject(body, &resp); err != nil {
			return nil, err
		}
		r.Model = resp.Model
		for _, o := range resp.Output {
			switch o.Type {
			case "function_call", "custom_tool_call":
				r.addTool(o.Name, o.Arguments)
			default:
				for _, c := range o.Content {
					r.add(RoleAssistant, c.Text)
					r.add(RoleAssistant, c.Refusal)
				}
			}
		}
	case AnthropicMessages:
		var resp anthropicResponse
		if err := decodeObject(body, &resp); err != nil {
			return nil, err
		}
		r.Model = resp.Model
		for _, b := range resp.Content {
			switch b.Type {
			case "text":
				r.add(RoleAssistant, b.Text)
			case "tool_use", "server_tool_use":
				r.addTool(b.Name, string(b.Input))
			}
		}
	case OpenAIEmbeddings, Passthrough:
		// Vectors and model lists carry no text to scan.
		if !json.Valid(body) {
			return nil, fmt.Errorf("%w", ErrNotJSON)
		}
	default:
		return nil, fmt.Errorf("unknown API %q", api)
	}
	return &r, nil
}
