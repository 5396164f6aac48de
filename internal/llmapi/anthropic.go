package llmapi

import (
	"encoding/json"
	"fmt"
)

type anthropicRequest struct {
	Model    string             `json:"model"`
	Stream   bool               `json:"stream"`
	System   content            `json:"system"`
	Messages []anthropicMessage `json:"messages"`
	Tools    json.RawMessage    `json:"tools"`
	Metadata struct {
		UserID string `json:"user_id"`
	} `json:"metadata"`
	USC *SecurityContext `json:"user_security_context"`
}

type anthropicMessage struct {
	Role    string  `json:"role"`
	Content content `json:"content"`
}

type anthropicBlock struct {
	Type    string          `json:"type"`
	Text    string          `json:"text"`
	Input   json.RawMessage `json:"input"`
	Name    string          `json:"name"`
	Content content         `json:"content"`
	Source  *struct {
		Type    string  `json:"type"`
		Data    string  `json:"data"`
		Content content `json:"content"`
	} `json:"source"`
}

// parseAnthropicRequest reads a Messages API request: system text, then
// messages whose content is a string or a list of blocks (text, images,
// documents, tool use and tool results).
func parseAnthropicRequest(body []byte, r *Request) error {
	var req anthropicRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	r.Model, r.Stream, r.User, r.SecurityContext = req.Model, req.Stream, req.Metadata.UserID, req.USC
	if err := r.addBlocks(RoleSystem, req.System, 0); err != nil {
		return fmt.Errorf("system: %w", err)
	}
	if err := r.addTools(req.Tools); err != nil {
		return fmt.Errorf("tools: %w", err)
	}
	for i, m := range req.Messages {
		if err := r.addBlocks(chatRole(m.Role), m.Content, 0); err != nil {
			return fmt.Errorf("messages[%d].content: %w", i, err)
		}
	}
	return nil
}

// addBlocks reads Anthropic content: a string or a list of blocks. Tool
// results nest content, so depth bounds the recursion.
func (r *Request) addBlocks(role string, c content, depth int) error {
	if c.isStr {
		r.addText(role, c.str)
		return nil
	}
	if c.raw == nil {
		return nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(c.raw, &raws); err != nil {
		return fmt.Errorf("want a string or a list of blocks")
	}
	for i, raw := range raws {
		var b anthropicBlock
		if err := json.Unmarshal(raw, &b); err != nil {
			return fmt.Errorf("block %d: want an object", i)
		}
		switch b.Type {
		case "text":
			r.addText(role, b.Text)
		case "image":
			r.skip("image")
		case "document":
			switch {
			case b.Source == nil:
				r.skip("file")
			case b.Source.Type == "text":
				r.addText(RoleDocument, b.Source.Data)
			case b.Source.Type == "content":
				// Custom content: text blocks the model reads as a document.
				if depth < 2 {
					if err := r.addBlocks(RoleDocument, b.Source.Content, depth+1); err != nil {
						return err
					}
				}
			default: // base64 PDF, url, file id
				r.skip("file")
			}
		case "tool_use", "server_tool_use":
			if len(b.Input) > 0 {
				r.addText(RoleToolCall, string(b.Input))
			}
		case "tool_result", "web_search_tool_result":
			if depth < 2 {
				if err := r.addBlocks(RoleTool, b.Content, depth+1); err != nil {
					return err
				}
			}
		case "thinking", "redacted_thinking":
			// The model's own reasoning from an earlier turn: not input
			// from anyone Warden needs to judge.
		default:
			// A block type Warden does not know may still carry text:
			// scan every string in it rather than let a new type become
			// a blind spot.
			r.addUnknown(role, b.Type, raw)
		}
	}
	return nil
}
