package llmapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Canonical returns the one reading of body that Warden scans and the
// provider will read. For the usual body, one no two readers can read
// differently, it returns body itself and a nil error. For an ambiguous
// body (ErrAmbiguous) it returns the body re-serialised as the providers
// read it, with the ambiguity as the error:
//
//   - of a key given twice, the last value, at the first key's place (the
//     reading of Python's json and JavaScript's JSON.parse);
//   - keys that only folding makes a field Warden reads are dropped, since
//     the providers' exact match ignores them anyway;
//   - bytes that are not UTF-8 become U+FFFD, as Warden scans them.
//
// The gateway refuses ambiguous bodies in block mode and forwards the
// canonical body in detect mode. A body that is not JSON is returned as it
// is, with nil, for the parser to report. An ambiguous body that has no
// canonical form (nested too deep) returns nil with its error.
func Canonical(body []byte) ([]byte, error) {
	amb := checkBody(body)
	if amb == nil {
		return body, nil
	}
	if !json.Valid(body) {
		return body, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := readValue(dec, 0)
	if err != nil {
		return nil, amb
	}
	var out bytes.Buffer
	if err := writeValue(&out, v); err != nil {
		return nil, amb
	}
	return out.Bytes(), amb
}

// object keeps keys in first-seen order with the last value of each.
type object struct {
	keys []string
	vals map[string]any
}

func readValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("too deep")
	}
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		o := &object{vals: map[string]any{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := readValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			if folded(k) {
				continue
			}
			if _, ok := o.vals[k]; !ok {
				o.keys = append(o.keys, k)
			}
			o.vals[k] = v
		}
		_, err := dec.Token() // '}'
		return o, err
	case json.Delim('['):
		l := []any{}
		for dec.More() {
			v, err := readValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err := dec.Token() // ']'
		return l, err
	}
	return t, nil
}

func writeValue(w io.Writer, v any) error {
	switch v := v.(type) {
	case *object:
		io.WriteString(w, "{")
		for i, k := range v.keys {
			if i > 0 {
				io.WriteString(w, ",")
			}
			if err := writeScalar(w, k); err != nil {
				return err
			}
			io.WriteString(w, ":")
			if err := writeValue(w, v.vals[k]); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "}")
		return err
	case []any:
		io.WriteString(w, "[")
		for i, e := range v {
			if i > 0 {
				io.WriteString(w, ",")
			}
			if err := writeValue(w, e); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "]")
		return err
	}
	return writeScalar(w, v)
}

func writeScalar(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	_, err := w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	return err
}
