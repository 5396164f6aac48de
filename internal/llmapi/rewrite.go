package llmapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// RewriteStrings returns body (a JSON document: a request, a response or a
// stream event's data) with every string value passed through f; object
// keys are left alone, and so is every byte f does not change. Redaction
// uses it to swap values for placeholders in whatever field carries them,
// read or not by Warden's parsers, so that a value cannot reach the
// provider through a field the parsers skip.
//
// body must be JSON; a string that does not end is an error and nothing
// is returned for it.
func RewriteStrings(body []byte, f func(string) (string, bool)) ([]byte, error) {
	var out []byte // nil until something changes
	last := 0
	for i := 0; i < len(body); {
		q := bytes.IndexByte(body[i:], '"')
		if q < 0 {
			break
		}
		start := i + q
		w := walker{b: body, i: start}
		raw, esc, err := w.str()
		if err != nil {
			return nil, fmt.Errorf("rewrite: string at byte %d does not end", start)
		}
		end := w.i
		i = end
		w.skipSpace()
		if w.i < len(body) && body[w.i] == ':' {
			continue // a key
		}
		s := string(raw)
		if esc {
			if err := json.Unmarshal(body[start:end], &s); err != nil {
				return nil, fmt.Errorf("rewrite: string at byte %d: %w", start, err)
			}
		}
		ns, changed := f(s)
		if !changed {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(body)+64)
		}
		out = append(out, body[last:start]...)
		out = AppendJSONString(out, ns)
		last = end
	}
	if out == nil {
		return body, nil
	}
	return append(out, body[last:]...), nil
}

// AppendJSONString appends s to b as a JSON string literal, quotes
// included. Unlike encoding/json it leaves <, > and & alone (nothing here
// is embedded in HTML), so an unchanged rewrite of plain text keeps its
// bytes; U+2028 and U+2029 are escaped for JavaScript readers, and invalid
// UTF-8 becomes U+FFFD as encoding/json would make it.
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}
