package llmapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
)

// The Assistants API's text (a thread's messages, a run's instructions)
// and the Batch API's input files (a JSONL line a request) carry prompts
// as the chat API does; they are read here so that Warden scans them.

// threadMessage is a message of the Assistants API: a role and content (a
// string or a list of parts).
type threadMessage struct {
	Role    string  `json:"role"`
	Content content `json:"content"`
}

// threadRequest is the body of creating a thread, a thread and its run,
// or a run with additional messages.
type threadRequest struct {
	Model    string          `json:"model"`
	Stream   bool            `json:"stream"`
	Messages []threadMessage `json:"messages"`
	Thread   *struct {
		Messages []threadMessage `json:"messages"`
	} `json:"thread"`
	AdditionalMessages     []threadMessage `json:"additional_messages"`
	Instructions           string          `json:"instructions"`
	AdditionalInstructions string          `json:"additional_instructions"`
}

func parseThreadMessage(body []byte, r *Request) error {
	var m threadMessage
	if err := decodeObject(body, &m); err != nil {
		return err
	}
	return r.addContent(chatRole(m.Role), m.Content)
}

func parseThread(body []byte, r *Request) error {
	var req threadRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	r.Model, r.Stream = req.Model, req.Stream
	r.addText(RoleSystem, req.Instructions)
	r.addText(RoleSystem, req.AdditionalInstructions)
	msgs := append(append([]threadMessage(nil), req.Messages...), req.AdditionalMessages...)
	if req.Thread != nil {
		msgs = append(msgs, req.Thread.Messages...)
	}
	for i, m := range msgs {
		if err := r.addContent(chatRole(m.Role), m.Content); err != nil {
			return fmt.Errorf("messages[%d].content: %w", i, err)
		}
	}
	return nil
}

// batchAPIs are the endpoints a batch input line may call, and how each
// line's body is read.
var batchAPIs = map[string]API{
	"/v1/chat/completions": OpenAIChat, "/chat/completions": OpenAIChat,
	"/v1/responses": OpenAIResponses, "/v1/embeddings": OpenAIEmbeddings, "/v1/completions": OpenAICompletions,
}

// maxBatchLine bounds one line of a batch input file.
const maxBatchLine = 8 << 20

// ParseBatchFile reads a Batch API input file (one JSON object a line,
// {"custom_id", "method", "url", "body"}, each body a request of the API
// its url names) or a fine-tuning file (a chat request a line). The prompts of every line are the request's parts. A line
// that is not such an object is an error: what Warden cannot read is not
// passed on as if scanned.
func ParseBatchFile(jsonl []byte) (*Request, error) {
	var r Request
	sc := bufio.NewScanner(bytes.NewReader(jsonl))
	sc.Buffer(make([]byte, 0, 64<<10), maxBatchLine)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var l struct {
			URL  string          `json:"url"`
			Body json.RawMessage `json:"body"`
		}
		if err := decodeObject(line, &l); err != nil {
			return nil, fmt.Errorf("batch line %d: %w", n, err)
		}
		api, ok := batchAPIs[l.URL]
		body := l.Body
		if l.URL == "" && l.Body == nil {
			// A fine-tuning example: the line is a chat request itself.
			api, ok, body = OpenAIChat, true, line
		}
		if !ok {
			return nil, fmt.Errorf("batch line %d: url %q is not an API Warden reads", n, l.URL)
		}
		lr, err := ParseRequest(api, body)
		if err != nil {
			return nil, fmt.Errorf("batch line %d: %w", n, err)
		}
		r.Parts = append(r.Parts, lr.Parts...)
		r.Skipped = append(r.Skipped, lr.Skipped...)
		if r.Model == "" {
			r.Model = lr.Model
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("batch file: %w", err)
	}
	return &r, nil
}
