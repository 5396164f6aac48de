package gateway

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/scan"
)

// newCanary returns a fresh random canary token.
func newCanary() string {
	var b [8]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return scan.CanaryPrefix + hex.EncodeToString(b[:])
}

// errNoPlace is returned when a body has no place for a canary.
var errNoPlace = errors.New("no system prompt to mark")

// plantCanary returns body with a canary token appended to the system
// prompt: the first system or developer message of a chat request, or the
// system field of an Anthropic request, as a new system message when there
// is none. Only string content is marked; the rest of the body is left
// byte for byte as it was. A canary that comes back in a response proves
// the system prompt leaked.
func plantCanary(api llmapi.API, style string, body []byte, canary string) ([]byte, error) {
	mark := `\n\n(` + canary + `)`
	switch {
	case style == config.StyleAnthropic && api == llmapi.AnthropicMessages:
		if end, ok := stringEnd(body, "system"); ok {
			return splice(body, end-1, mark), nil
		}
		return nil, errNoPlace
	case api == llmapi.OpenAIChat:
		if end, ok := systemMessageEnd(body); ok {
			return splice(body, end-1, mark), nil
		}
		if start, ok := arrayStart(body, "messages"); ok {
			msg := `{"role":"system","content":"` + mark[4:] + `"}`
			if rest := bytes.TrimLeft(body[start:], " \t\r\n"); len(rest) > 0 && rest[0] != ']' {
				msg += ","
			}
			return splice(body, start, msg), nil
		}
	}
	return nil, errNoPlace
}

func splice(b []byte, at int, s string) []byte {
	out := make([]byte, 0, len(b)+len(s))
	out = append(out, b[:at]...)
	out = append(out, s...)
	return append(out, b[at:]...)
}

// atKey returns a decoder positioned just before the value of the
// top-level key of a JSON object, or false when there is no such key.
func atKey(body []byte, key string) (*json.Decoder, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false
		}
		if k == key {
			return dec, true
		}
		if err := skip(dec); err != nil {
			return nil, false
		}
	}
	return nil, false
}

// stringEnd returns the offset just past the top-level string value at key.
func stringEnd(body []byte, key string) (int, bool) {
	dec, ok := atKey(body, key)
	if !ok {
		return 0, false
	}
	if v, err := dec.Token(); err == nil {
		if _, isString := v.(string); isString {
			return int(dec.InputOffset()), true
		}
	}
	return 0, false
}

// arrayStart returns the offset just past the '[' of the top-level array
// at key.
func arrayStart(body []byte, key string) (int, bool) {
	dec, ok := atKey(body, key)
	if !ok {
		return 0, false
	}
	if t, err := dec.Token(); err == nil && t == json.Delim('[') {
		return int(dec.InputOffset()), true
	}
	return 0, false
}

// systemMessageEnd returns the offset just past the string content of the
// first system or developer message in messages.
func systemMessageEnd(body []byte) (int, bool) {
	dec, ok := atKey(body, "messages")
	if !ok {
		return 0, false
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return 0, false
	}
	for dec.More() {
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			return 0, false
		}
		role, contentEnd := "", -1
		for dec.More() {
			f, err := dec.Token()
			if err != nil {
				return 0, false
			}
			switch f {
			case "role":
				v, _ := dec.Token()
				role, _ = v.(string)
			case "content":
				v, err := dec.Token()
				if err != nil {
					return 0, false
				}
				if _, ok := v.(string); ok {
					contentEnd = int(dec.InputOffset())
				} else if d, ok := v.(json.Delim); ok && (d == '[' || d == '{') {
					if err := skipRest(dec); err != nil {
						return 0, false
					}
				}
			default:
				if err := skip(dec); err != nil {
					return 0, false
				}
			}
		}
		dec.Token() //nolint:errcheck // the closing brace
		if (role == "system" || role == "developer") && contentEnd > 0 {
			return contentEnd, true
		}
	}
	return 0, false
}

// skip consumes one value.
func skip(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); ok && (d == '[' || d == '{') {
		return skipRest(dec)
	}
	return nil
}

// skipRest consumes the rest of an array or object whose opening was read.
func skipRest(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '[', '{':
				depth++
			case ']', '}':
				depth--
			}
		}
	}
	return nil
}
