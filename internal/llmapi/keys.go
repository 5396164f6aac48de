package llmapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrAmbiguous is wrapped by errors for bodies that two JSON readers can
// read differently, so that what Warden scans might not be what the
// provider reads:
//
//   - a key that appears twice in one object: encoding/json merges the two
//     values into one struct field (a string kept beside a later list), the
//     providers keep the last;
//   - a key that only case or Unicode folding makes a field Warden reads
//     ("Messages", "meſſages" with a long s): encoding/json matches it, the
//     providers do not;
//   - bytes that are not UTF-8, which encoding/json replaces and a provider
//     may reject, drop or keep.
//
// Such a body has no legitimate use. Block mode refuses it; detect mode
// forwards the canonical body (Canonical) so that the provider reads what
// was scanned.
var ErrAmbiguous = errors.New("ambiguous JSON")

// ErrAmbiguousKey is the key variant of ErrAmbiguous; errors wrapping it
// also wrap ErrAmbiguous.
var ErrAmbiguousKey = fmt.Errorf("%w: ambiguous key", ErrAmbiguous)

// maxDepth bounds nesting: no API request nests deeply, and a bound keeps
// the walk's recursion small.
const maxDepth = 512

// fields are the JSON keys the parsers read.
var fields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(`model stream messages role content refusal tool_calls function_call index
		function name arguments type text user user_security_context application_name end_user_id
		end_user_tenant_id source_ip prompt input instructions output system metadata user_id source data
		choices message delta tools functions description parameters input_schema custom`) {
		m[f] = true
	}
	return m
}()

// folded reports whether key is not a field but encoding/json, which
// matches keys with Unicode simple case folding, would take it for one.
func folded(key string) bool {
	if fields[key] {
		return false
	}
	if lk := strings.ToLower(key); lk != key && fields[lk] {
		return true
	}
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			// Non-ASCII letters can fold to ASCII ones (ſ to s, K to k).
			for f := range fields {
				if strings.EqualFold(key, f) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// checkBody walks a JSON document and reports the first ambiguity: a
// duplicate key at any depth, a folded key, bytes that are not UTF-8. It
// does not validate the document; a syntax error stops the walk without an
// error, for the decoder to report.
func checkBody(b []byte) error {
	if !utf8.Valid(b) {
		return fmt.Errorf("%w: the body is not UTF-8", ErrAmbiguous)
	}
	w := walker{b: b}
	w.skipSpace()
	err := w.value(0)
	if errors.Is(err, errSyntax) {
		return nil
	}
	return err
}

var errSyntax = errors.New("syntax")

type walker struct {
	b []byte
	i int
}

func (w *walker) skipSpace() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

func (w *walker) value(depth int) error {
	if w.i >= len(w.b) {
		return errSyntax
	}
	switch w.b[w.i] {
	case '{':
		if depth >= maxDepth {
			return fmt.Errorf("%w: nested deeper than %d", ErrAmbiguous, maxDepth)
		}
		return w.object(depth + 1)
	case '[':
		if depth >= maxDepth {
			return fmt.Errorf("%w: nested deeper than %d", ErrAmbiguous, maxDepth)
		}
		w.i++
		w.skipSpace()
		if w.i < len(w.b) && w.b[w.i] == ']' {
			w.i++
			return nil
		}
		for {
			w.skipSpace()
			if err := w.value(depth + 1); err != nil {
				return err
			}
			if done, err := w.after(']'); done || err != nil {
				return err
			}
		}
	case '"':
		_, _, err := w.str()
		return err
	default:
		// A number or a literal: skip to the next delimiter.
		for w.i < len(w.b) {
			switch w.b[w.i] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				return nil
			}
			w.i++
		}
		return nil
	}
}

// object walks an object whose '{' is at w.i, checking its keys.
func (w *walker) object(depth int) error {
	w.i++
	var keys []string // small objects: a linear search beats a map
	var seen map[string]bool
	for {
		w.skipSpace()
		if w.i >= len(w.b) {
			return errSyntax
		}
		if w.b[w.i] == '}' && len(keys) == 0 && seen == nil {
			w.i++
			return nil
		}
		raw, esc, err := w.str()
		if err != nil {
			return err
		}
		key := string(raw)
		if esc {
			if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &key) != nil {
				return errSyntax
			}
		}
		if folded(key) {
			return fmt.Errorf("%w %q: keys are case-sensitive", ErrAmbiguousKey, key)
		}
		dup := false
		if seen != nil {
			dup = seen[key]
			seen[key] = true
		} else {
			for _, k := range keys {
				dup = dup || k == key
			}
			keys = append(keys, key)
			if len(keys) > 16 {
				seen = make(map[string]bool, 32)
				for _, k := range keys {
					seen[k] = true
				}
			}
		}
		if dup {
			return fmt.Errorf("%w: key %q appears twice in one object", ErrAmbiguous, key)
		}
		w.skipSpace()
		if w.i >= len(w.b) || w.b[w.i] != ':' {
			return errSyntax
		}
		w.i++
		w.skipSpace()
		if err := w.value(depth); err != nil {
			return err
		}
		if done, err := w.after('}'); done || err != nil {
			return err
		}
	}
}

// after reads what follows a value inside an array or object: a comma
// (more to come) or the closing bracket (done).
func (w *walker) after(closing byte) (done bool, err error) {
	w.skipSpace()
	if w.i >= len(w.b) {
		return false, errSyntax
	}
	switch w.b[w.i] {
	case ',':
		w.i++
		return false, nil
	case closing:
		w.i++
		return true, nil
	}
	return false, errSyntax
}

// str reads a string token at w.i and returns the bytes between its quotes
// and whether they hold an escape.
func (w *walker) str() (raw []byte, esc bool, err error) {
	if w.i >= len(w.b) || w.b[w.i] != '"' {
		return nil, false, errSyntax
	}
	start := w.i + 1
	// The next quote, found with IndexByte (vectorised), ends the string
	// unless a backslash before it escapes something: prompts are long
	// strings with few escapes.
	for i := start; i < len(w.b); {
		q := bytes.IndexByte(w.b[i:], '"')
		if q < 0 {
			break
		}
		q += i
		bs := bytes.IndexByte(w.b[i:q], '\\')
		if bs < 0 {
			w.i = q + 1
			return w.b[start:q], esc, nil
		}
		esc = true
		i += bs + 2 // the backslash and the byte it escapes
	}
	w.i = len(w.b)
	return nil, false, errSyntax
}
