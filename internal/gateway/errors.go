package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/llmapi"
)

// Error is a failure answered by Warden itself, written in the caller's
// provider's error shape so SDKs raise their usual exceptions. Message is
// safe to show; Err (which may quote input) only reaches the debug log.
type Error struct {
	Status  int
	Code    string // content_filter, request_too_large, upstream_timeout, ...
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// asError turns any error into an *Error, treating unknown ones as internal.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal_error", Message: "internal error", Err: err}
}

// writeError writes e in the error shape of style. It is the one place
// gateway errors become responses.
func writeError(w http.ResponseWriter, style string, e *Error, requestID string) {
	msg := e.Message
	if requestID != "" {
		msg += " (warden request " + requestID + ")"
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Del("Content-Length")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(errorBody(style, e, msg)) //nolint:errcheck // the client may be gone
}

func errorBody(style string, e *Error, msg string) any {
	switch style {
	case config.StyleAnthropic:
		return map[string]any{"type": "error", "error": map[string]any{"type": anthropicErrorType(e), "message": msg}}
	case config.StyleAzureOpenAI:
		inner := map[string]any{"code": e.Code, "message": msg, "param": nil, "status": e.Status}
		if e.Code == "content_filter" {
			inner["param"] = "prompt"
			inner["innererror"] = map[string]any{
				"code": "ResponsibleAIPolicyViolation",
				"content_filter_result": map[string]any{
					"jailbreak": map[string]any{"filtered": true, "detected": true},
				},
			}
		}
		return map[string]any{"error": inner}
	}
	typ := "invalid_request_error"
	if e.Status >= 500 {
		typ = "server_error"
	}
	return map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": e.Code}}
}

func anthropicErrorType(e *Error) string {
	switch {
	case e.Status == http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case e.Status == http.StatusNotFound:
		return "not_found_error"
	case e.Status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case e.Status >= 500:
		return "api_error"
	}
	return "invalid_request_error"
}

// streamErrorEvent is the final event that ends a stream Warden cuts, in the
// stream grammar of api: an error chunk then [DONE] for OpenAI-style
// streams, a named error event for the Responses API and Anthropic.
func streamErrorEvent(style string, api llmapi.API, e *Error) []byte {
	switch {
	case style == config.StyleAnthropic:
		b, _ := json.Marshal(errorBody(style, e, e.Message))
		return []byte("event: error\ndata: " + string(b) + "\n\n")
	case api == llmapi.OpenAIResponses:
		b, _ := json.Marshal(map[string]any{"type": "error", "code": e.Code, "message": e.Message, "param": nil})
		return []byte("event: error\ndata: " + string(b) + "\n\n")
	}
	b, _ := json.Marshal(errorBody(style, e, e.Message))
	return []byte("data: " + string(b) + "\n\ndata: [DONE]\n\n")
}

func itoa(i int) string { return strconv.Itoa(i) }
