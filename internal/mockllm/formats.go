package mockllm

import (
	"encoding/json"
	"net/http"
	"strings"
)

type format struct {
	whole  func(plan) []byte
	events func(plan) [][]byte
}

func formatFor(r *http.Request) *format {
	p := r.URL.Path
	azure := strings.HasPrefix(p, "/openai/deployments/")
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/v1/models"):
		return &format{whole: func(plan) []byte {
			return []byte(`{"object":"list","data":[{"id":"mock-1","object":"model","owned_by":"warden"}]}`)
		}}
	case p == "/v1/chat/completions" || p == "/models/chat/completions" || azure && strings.HasSuffix(p, "/chat/completions"):
		return &format{whole: chatWhole, events: func(pl plan) [][]byte { return chatEvents(pl, azure) }}
	case p == "/v1/completions" || azure && strings.HasSuffix(p, "/completions"):
		return &format{whole: completionWhole, events: completionEvents}
	case p == "/v1/embeddings" || p == "/models/embeddings" || azure && strings.HasSuffix(p, "/embeddings"):
		return &format{whole: func(plan) []byte {
			return []byte(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3]}],"model":"mock-embed","usage":{"prompt_tokens":3,"total_tokens":3}}`)
		}}
	case p == "/v1/responses":
		return &format{whole: responsesWhole, events: responsesEvents}
	case p == "/v1/messages":
		return &format{whole: anthropicWhole, events: anthropicEvents}
	}
	return nil
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func text(p plan) string { return strings.Join(p.words, "") }

// pieces splits s into n roughly equal pieces, for streaming tool arguments.
func pieces(s string, n int) []string {
	var out []string
	step := max(len(s)/n, 1)
	for len(s) > 0 {
		k := min(step, len(s))
		out = append(out, s[:k])
		s = s[k:]
	}
	return out
}

func chatWhole(p plan) []byte {
	msg := map[string]any{"role": "assistant", "content": text(p)}
	finish := "stop"
	if p.toolArgs != "" {
		msg["tool_calls"] = []any{map[string]any{"id": "call_1", "type": "function",
			"function": map[string]any{"name": "lookup", "arguments": p.toolArgs}}}
		finish = "tool_calls"
	}
	return []byte(js(map[string]any{"id": "chatcmpl-mock", "object": "chat.completion", "created": 1700000000, "model": "mock-1",
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": 10, "completion_tokens": len(p.words), "total_tokens": 10 + len(p.words)}}))
}

func chatChunk(delta map[string]any, finish any) []byte {
	return []byte("data: " + js(map[string]any{"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1700000000,
		"model": "mock-1", "choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}) + "\n\n")
}

func chatEvents(p plan, azure bool) [][]byte {
	var evs [][]byte
	if azure {
		// Azure's first chunk carries only the prompt filter results.
		evs = append(evs, []byte(`data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"jailbreak":{"filtered":false,"detected":false}}}]}`+"\n\n"))
	}
	evs = append(evs, chatChunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for _, w := range p.words {
		evs = append(evs, chatChunk(map[string]any{"content": w}, nil))
	}
	finish := "stop"
	if p.toolArgs != "" {
		for i, a := range pieces(p.toolArgs, 3) {
			tc := map[string]any{"index": 0, "function": map[string]any{"arguments": a}}
			if i == 0 {
				tc["id"], tc["type"] = "call_1", "function"
				tc["function"].(map[string]any)["name"] = "lookup"
			}
			evs = append(evs, chatChunk(map[string]any{"tool_calls": []any{tc}}, nil))
		}
		finish = "tool_calls"
	}
	evs = append(evs, chatChunk(map[string]any{}, finish))
	return append(evs, []byte("data: [DONE]\n\n"))
}

func completionWhole(p plan) []byte {
	return []byte(js(map[string]any{"id": "cmpl-mock", "object": "text_completion", "model": "mock-1",
		"choices": []any{map[string]any{"index": 0, "text": text(p), "finish_reason": "stop"}}}))
}

func completionEvents(p plan) [][]byte {
	var evs [][]byte
	for _, w := range p.words {
		evs = append(evs, []byte("data: "+js(map[string]any{"id": "cmpl-mock", "object": "text_completion", "model": "mock-1",
			"choices": []any{map[string]any{"index": 0, "text": w, "finish_reason": nil}}})+"\n\n"))
	}
	return append(evs, []byte("data: [DONE]\n\n"))
}

func responsesWhole(p plan) []byte {
	out := []any{map[string]any{"type": "message", "id": "msg_1", "role": "assistant",
		"content": []any{map[string]any{"type": "output_text", "text": text(p)}}}}
	if p.toolArgs != "" {
		out = append(out, map[string]any{"type": "function_call", "id": "fc_1", "name": "lookup", "arguments": p.toolArgs})
	}
	return []byte(js(map[string]any{"id": "resp_mock", "object": "response", "model": "mock-1", "status": "completed", "output": out}))
}

func named(name string, v any) []byte {
	return []byte("event: " + name + "\ndata: " + js(v) + "\n\n")
}

func responsesEvents(p plan) [][]byte {
	evs := [][]byte{named("response.created", map[string]any{"type": "response.created", "response": map[string]any{"id": "resp_mock", "status": "in_progress"}})}
	for _, w := range p.words {
		evs = append(evs, named("response.output_text.delta", map[string]any{"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": w}))
	}
	if p.toolArgs != "" {
		for _, a := range pieces(p.toolArgs, 3) {
			evs = append(evs, named("response.function_call_arguments.delta", map[string]any{"type": "response.function_call_arguments.delta", "output_index": 1, "delta": a}))
		}
	}
	return append(evs, named("response.completed", map[string]any{"type": "response.completed", "response": map[string]any{"id": "resp_mock", "status": "completed"}}))
}

func anthropicWhole(p plan) []byte {
	content := []any{map[string]any{"type": "text", "text": text(p)}}
	if p.toolArgs != "" {
		content = append(content, map[string]any{"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": json.RawMessage(p.toolArgs)})
	}
	return []byte(js(map[string]any{"id": "msg_mock", "type": "message", "role": "assistant", "model": "mock-1",
		"content": content, "stop_reason": "end_turn", "usage": map[string]any{"input_tokens": 10, "output_tokens": len(p.words)}}))
}

func anthropicEvents(p plan) [][]byte {
	evs := [][]byte{
		named("message_start", map[string]any{"type": "message_start", "message": map[string]any{"id": "msg_mock", "type": "message",
			"role": "assistant", "model": "mock-1", "content": []any{}, "usage": map[string]any{"input_tokens": 10, "output_tokens": 1}}}),
		named("content_block_start", map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]any{"type": "text", "text": ""}}),
		named("ping", map[string]any{"type": "ping"}),
	}
	for _, w := range p.words {
		evs = append(evs, named("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "text_delta", "text": w}}))
	}
	evs = append(evs, named("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0}))
	if p.toolArgs != "" {
		evs = append(evs, named("content_block_start", map[string]any{"type": "content_block_start", "index": 1,
			"content_block": map[string]any{"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": map[string]any{}}}))
		for _, a := range pieces(p.toolArgs, 3) {
			evs = append(evs, named("content_block_delta", map[string]any{"type": "content_block_delta", "index": 1, "delta": map[string]any{"type": "input_json_delta", "partial_json": a}}))
		}
		evs = append(evs, named("content_block_stop", map[string]any{"type": "content_block_stop", "index": 1}))
	}
	return append(evs,
		named("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn"}, "usage": map[string]any{"output_tokens": len(p.words)}}),
		named("message_stop", map[string]any{"type": "message_stop"}))
}
