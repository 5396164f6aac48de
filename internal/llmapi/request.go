// Package llmapi reads the wire formats of the LLM APIs Warden sits in front
// of (OpenAI-compatible, Azure OpenAI, Azure AI Model Inference, Anthropic)
// into one neutral structure: the text parts of a request or response by
// role. It only reads: the gateway forwards the original bytes, never a
// re-encoding, so nothing the parser does not know is ever lost.
package llmapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// API is a wire format.
type API string

// The wire formats. Azure OpenAI and Azure AI Model Inference speak
// OpenAIChat (with filter annotations that carry no text).
const (
	OpenAIChat        API = "openai.chat"
	OpenAICompletions API = "openai.completions"
	OpenAIResponses   API = "openai.responses"
	OpenAIEmbeddings  API = "openai.embeddings"
	AnthropicMessages API = "anthropic.messages"
	// OpenAIThreadMessage is a message added to an Assistants thread;
	// OpenAIThread creates a thread or a run (instructions, messages).
	OpenAIThreadMessage API = "openai.thread_message"
	OpenAIThread        API = "openai.thread"
	// Passthrough is a route whose bodies are not read (model lists).
	Passthrough API = "passthrough"
)

// Roles, as plain strings so this package stays a leaf; they match
// scan.Role values.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleToolCall  = "tool_call"
	RoleTool      = "tool"
	RoleDocument  = "document"
)

// Part is one piece of text with its role.
type Part struct {
	Role string
	Text string
	// Tool names the tool of a tool call (its arguments are the text),
	// where the wire format says it.
	Tool string
}

// SecurityContext is the end-user context an application attaches to a
// request (the user_security_context object).
type SecurityContext struct {
	ApplicationName string `json:"application_name,omitempty"`
	EndUserID       string `json:"end_user_id,omitempty"`
	EndUserTenantID string `json:"end_user_tenant_id,omitempty"`
	SourceIP        string `json:"source_ip,omitempty"`
}

// Request is the neutral form of an inference request.
type Request struct {
	Model  string
	Stream bool
	Parts  []Part
	// Skipped names the kinds of non-text content present and not scanned
	// ("image", "audio", "file").
	Skipped []string
	// User is the provider's own end-user field (OpenAI "user", Anthropic
	// metadata.user_id), if any.
	User            string
	SecurityContext *SecurityContext
}

// ErrNotJSON is wrapped by parse errors of bodies that are not JSON objects.
var ErrNotJSON = errors.New("body is not a JSON object")

// ParseRequest reads a request body of the given API.
func ParseRequest(api API, body []byte) (*Request, error) {
	if api == Passthrough {
		return &Request{}, nil
	}
	var r Request
	var err error
	switch api {
	case OpenAIChat:
		err = parseOpenAIChat(body, &r)
	case OpenAICompletions, OpenAIEmbeddings:
		err = parsePromptInput(api, body, &r)
	case OpenAIResponses:
		err = parseResponsesRequest(body, &r)
	case AnthropicMessages:
		err = parseAnthropicRequest(body, &r)
	case OpenAIThreadMessage:
		err = parseThreadMessage(body, &r)
	case OpenAIThread:
		err = parseThread(body, &r)
	default:
		return nil, fmt.Errorf("unknown API %q", api)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// decodeObject unmarshals body, reporting non-objects with ErrNotJSON and
// bodies that another reader could read differently with ErrAmbiguous (see
// Canonical, which gives the one reading of such a body).
func decodeObject(body []byte, v any) error {
	if err := checkBody(body); err != nil && json.Valid(body) {
		return err
	}
	// (An ambiguous body that is not JSON either is reported as not JSON.)
	if err := json.Unmarshal(body, v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("%w: %v at byte %d", ErrNotJSON, se, se.Offset)
		case errors.As(err, &te) && te.Field == "":
			return fmt.Errorf("%w: found %s", ErrNotJSON, te.Value)
		case errors.As(err, &te):
			return fmt.Errorf("field %s: want %s, found %s", te.Field, te.Type, te.Value)
		}
		return fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	return nil
}

// addText appends a non-empty text part.
func (r *Request) addText(role, text string) {
	if text != "" {
		r.Parts = append(r.Parts, Part{Role: role, Text: text})
	}
}

// addUnknown reads a content part or block of a type Warden does not know:
// every string in it but its type is scanned, joined by newlines, so a
// type invented to carry text ({"type":"x","content":"..."}) is judged as
// what it is. A part with no text is noted as skipped under the neutral
// name "other" (the type is the client's word: one metric series each
// would let a client grow the metrics without bound).
func (r *Request) addUnknown(role, typ string, raw json.RawMessage) {
	text, ok := stringsIn(raw)
	if !ok || text == "" {
		r.skip("other")
		return
	}
	r.addText(role, text)
}

// addTools reads tool definitions (chat "tools" and legacy "functions",
// Responses and Anthropic "tools"): each tool's name, description and
// parameter schema are text the model reads and follows, so each is
// scanned as a document (a poisoned tool description is an indirect
// injection).
func (r *Request) addTools(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var tools []any
	if err := json.Unmarshal(raw, &tools); err != nil {
		return fmt.Errorf("want a list of tools")
	}
	for _, t := range tools {
		name := ""
		if m, ok := t.(map[string]any); ok {
			name, _ = m["name"].(string)
			if f, ok := m["function"].(map[string]any); ok && name == "" {
				name, _ = f["name"].(string)
			}
		}
		if text := joinStrings(t); text != "" {
			r.Parts = append(r.Parts, Part{Role: RoleDocument, Text: text, Tool: name})
		}
	}
	return nil
}

// stringsIn returns every string in a JSON value except the values of
// "type" keys, joined by newlines, in a fixed order.
func stringsIn(raw json.RawMessage) (string, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	return joinStrings(v), true
}

// joinStrings is stringsIn for a decoded value.
func joinStrings(v any) string {
	var b []byte
	var walk func(v any, key string, depth int)
	walk = func(v any, key string, depth int) {
		if depth > 32 {
			return
		}
		switch v := v.(type) {
		case string:
			if key != "type" && v != "" {
				if len(b) > 0 {
					b = append(b, '\n')
				}
				b = append(b, v...)
			}
		case []any:
			for _, e := range v {
				walk(e, key, depth+1)
			}
		case map[string]any:
			for _, k := range sortedKeys(v) {
				walk(v[k], k, depth+1)
			}
		}
	}
	walk(v, "", 0)
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (r *Request) skip(kind string) {
	for _, k := range r.Skipped {
		if k == kind {
			return
		}
	}
	r.Skipped = append(r.Skipped, kind)
}

// chatRole maps a provider's message role to a neutral one. Unknown roles
// are scanned as user text: the strictest reading.
func chatRole(role string) string {
	switch role {
	case "system", "developer":
		return RoleSystem
	case "assistant":
		return RoleAssistant
	case "tool", "function":
		return RoleTool
	}
	return RoleUser
}

// stringOrList decodes a JSON string or list of strings; other shapes (token
// arrays) yield nothing and ok=false.
func stringOrList(raw json.RawMessage) (out []string, ok bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, true
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return l, true
	}
	return nil, false
}

type promptInputRequest struct {
	Model  string           `json:"model"`
	Stream bool             `json:"stream"`
	Prompt json.RawMessage  `json:"prompt"`
	Input  json.RawMessage  `json:"input"`
	User   string           `json:"user"`
	USC    *SecurityContext `json:"user_security_context"`
}

// parsePromptInput reads legacy completions (prompt) and embeddings (input):
// a string, a list of strings, or token arrays, which carry no text to scan.
func parsePromptInput(api API, body []byte, r *Request) error {
	var req promptInputRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	r.Model, r.Stream, r.User, r.SecurityContext = req.Model, req.Stream, req.User, req.USC
	raw := req.Prompt
	if api == OpenAIEmbeddings {
		raw = req.Input
	}
	texts, ok := stringOrList(raw)
	if !ok {
		r.skip("tokens")
	}
	for _, t := range texts {
		r.addText(RoleUser, t)
	}
	return nil
}
