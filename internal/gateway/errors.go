package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/scan"
)

// Error is a failure answered by Warden itself, written in the caller's
// provider's error shape so SDKs raise their usual exceptions. Message is
// safe to show; Err (which may quote input) only reaches the debug log.
type Error struct {
	Status  int
	Code    string // content_filter, request_too_large, upstream_timeout, ...
	Message string
	Err     error
	// Side and Finding say, for a block, which side of the interaction
	// was blocked and by which finding.
	Side    string
	Finding *scan.Finding
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
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Del("Content-Length")
	setRequestID(h, style, requestID)
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(errorBody(style, e, requestID)) //nolint:errcheck // the client may be gone
}

// setRequestID gives a response the request-id header the provider's SDK
// reads (x-request-id for OpenAI and Azure, request-id for Anthropic),
// Warden's id where the upstream did not send its own.
func setRequestID(h http.Header, style, requestID string) {
	if requestID == "" {
		return
	}
	name := "X-Request-Id"
	if style == config.StyleAnthropic {
		name = "Request-Id"
	}
	if h.Get(name) == "" {
		h.Set(name, requestID)
	}
}

func errorBody(style string, e *Error, requestID string) any {
	msg := e.Message
	if requestID != "" {
		msg += " (warden request " + requestID + ")"
	}
	detail := wardenDetail(e, requestID)
	switch style {
	case config.StyleAnthropic:
		body := map[string]any{"type": "error", "error": map[string]any{"type": anthropicErrorType(e), "message": msg, "warden": detail}}
		if requestID != "" {
			body["request_id"] = requestID
		}
		return body
	case config.StyleAzureOpenAI:
		inner := map[string]any{"code": e.Code, "message": msg, "param": nil, "status": e.Status, "warden": detail}
		if e.Code == "content_filter" {
			if e.Side != sideResponse {
				inner["param"] = "prompt"
			}
			inner["innererror"] = map[string]any{
				"code": "ResponsibleAIPolicyViolation",
				"content_filter_result": map[string]any{
					azureFilterCategory(e): map[string]any{"filtered": true, "detected": true},
				},
			}
		}
		return map[string]any{"error": inner}
	}
	typ := "invalid_request_error"
	if e.Status >= 500 {
		typ = "server_error"
	}
	return map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": e.Code, "warden": detail}}
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
func streamErrorEvent(style string, api llmapi.API, e *Error, requestID string) []byte {
	switch {
	case style == config.StyleAnthropic:
		b, _ := json.Marshal(errorBody(style, e, requestID))
		return []byte("event: error\ndata: " + string(b) + "\n\n")
	case api == llmapi.OpenAIResponses:
		msg := e.Message
		if requestID != "" {
			msg += " (warden request " + requestID + ")"
		}
		b, _ := json.Marshal(map[string]any{"type": "error", "code": e.Code, "message": msg, "param": nil, "warden": wardenDetail(e, requestID)})
		return []byte("event: error\ndata: " + string(b) + "\n\n")
	}
	b, _ := json.Marshal(errorBody(style, e, requestID))
	return []byte("data: " + string(b) + "\n\ndata: [DONE]\n\n")
}

func itoa(i int) string { return strconv.Itoa(i) }
