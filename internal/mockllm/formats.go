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
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/v1/models/"):
		return &format{whole: func(pl plan) []byte {
			return []byte(js(map[string]any{"id": strings.TrimPrefix(pl.path, "/v1/models/"), "object": "model", "created": 1700000000, "owned_by": "warden"}))
		}}
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/v1/models"):
		return &format{whole: func(plan) []byte {
			return []byte(`{"object":"list","data":[{"id":"mock-1","object":"model","created":1700000000,"owned_by":"warden"}]}`)
		}}
	case p == "/v1/chat/completions" || p == "/models/chat/completions" || azure && strings.HasSuffix(p, "/chat/completions"):
		return &format{whole: chatWhole, events: func(pl plan) [][]byte { return chatEvents(pl, azure) }}
	case p == "/v1/completions" || azure && strings.HasSuffix(p, "/completions"):
		return &format{whole: completionWhole, events: completionEvents}
	case p == "/v1/embeddings" || p == "/models/embeddings" || azure && strings.HasSuffix(p, "/embeddings"):
		return &format{whole: embeddingsWhole}
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

// responsesOutput is the output items of a Responses API answer.
func responsesOutput(p plan) []any {
	out := []any{map[string]any{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
		"content": []any{map[string]any{"type": "output_text", "text": text(p), "annotations": []any{}}}}}
	if p.toolArgs != "" {
		out = append(out, map[string]any{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "lookup",
			"arguments": p.toolArgs, "status": "completed"})
	}
	return out
}

// responseObject is a Responses API response object in a given status.
func responseObject(status string, output []any) map[string]any {
	return map[string]any{"id": "resp_mock", "object": "response", "created_at": 1700000000, "model": "mock-1",
		"status": status, "output": output, "parallel_tool_calls": true, "tool_choice": "auto", "tools": []any{},
		"usage": map[string]any{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}}
}

func responsesWhole(p plan) []byte {
	return []byte(js(responseObject("completed", responsesOutput(p))))
}

func named(name string, v any) []byte {
	return []byte("event: " + name + "\ndata: " + js(v) + "\n\n")
}

// responsesEvents is the event sequence the Responses API streams and the
// SDKs' stream helpers follow: the response created and in progress, each
// output item added, its content part added, the text deltas and done, the
// part and the item done, then the response completed with its output.
func responsesEvents(p plan) [][]byte {
	seq := 0
	ev := func(name string, v map[string]any) []byte {
		v["type"], v["sequence_number"] = name, seq
		seq++
		return named(name, v)
	}
	out := responsesOutput(p)
	full := text(p)
	evs := [][]byte{
		ev("response.created", map[string]any{"response": responseObject("in_progress", []any{})}),
		ev("response.in_progress", map[string]any{"response": responseObject("in_progress", []any{})}),
		ev("response.output_item.added", map[string]any{"output_index": 0, "item": map[string]any{"type": "message", "id": "msg_1",
			"status": "in_progress", "role": "assistant", "content": []any{}}}),
		ev("response.content_part.added", map[string]any{"item_id": "msg_1", "output_index": 0, "content_index": 0,
			"part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}}}),
	}
	for _, w := range p.words {
		evs = append(evs, ev("response.output_text.delta", map[string]any{"item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": w}))
	}
	evs = append(evs,
		ev("response.output_text.done", map[string]any{"item_id": "msg_1", "output_index": 0, "content_index": 0, "text": full}),
		ev("response.content_part.done", map[string]any{"item_id": "msg_1", "output_index": 0, "content_index": 0,
			"part": map[string]any{"type": "output_text", "text": full, "annotations": []any{}}}),
		ev("response.output_item.done", map[string]any{"output_index": 0, "item": out[0]}))
	if p.toolArgs != "" {
		evs = append(evs, ev("response.output_item.added", map[string]any{"output_index": 1, "item": map[string]any{"type": "function_call",
			"id": "fc_1", "call_id": "call_1", "name": "lookup", "arguments": "", "status": "in_progress"}}))
		for _, a := range pieces(p.toolArgs, 3) {
			evs = append(evs, ev("response.function_call_arguments.delta", map[string]any{"item_id": "fc_1", "output_index": 1, "delta": a}))
		}
		evs = append(evs,
			ev("response.function_call_arguments.done", map[string]any{"item_id": "fc_1", "output_index": 1, "arguments": p.toolArgs}),
			ev("response.output_item.done", map[string]any{"output_index": 1, "item": out[1]}))
	}
	return append(evs, ev("response.completed", map[string]any{"response": responseObject("completed", out)}))
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
