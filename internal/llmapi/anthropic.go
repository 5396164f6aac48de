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
		Type string `json:"type"`
		Data string `json:"data"`
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
	var blocks []anthropicBlock
	if err := json.Unmarshal(c.raw, &blocks); err != nil {
		return fmt.Errorf("want a string or a list of blocks")
	}
	for _, b := range blocks {
		switch b.Type {
		case "text":
			r.addText(role, b.Text)
		case "image":
			r.skip("image")
		case "document":
			if b.Source != nil && b.Source.Type == "text" {
				r.addText(RoleDocument, b.Source.Data)
			} else {
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
			if b.Text != "" {
				r.addText(role, b.Text)
			}
		}
	}
	return nil
}
