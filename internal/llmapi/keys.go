package llmapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrAmbiguousKey is wrapped by errors for bodies with a key that differs
// only in letter case from a field Warden reads ("Messages", "CONTENT").
//
// encoding/json matches keys case-insensitively, the providers do not: in
// {"messages": [attack], "Messages": [benign]} Warden would read the second
// and the provider the first. Such a body has no legitimate use, so it is
// refused rather than forwarded unscanned.
var ErrAmbiguousKey = errors.New("ambiguous key")

// fields are the JSON keys the parsers read.
var fields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(`model stream messages role content refusal tool_calls function_call index
		function name arguments type text user user_security_context application_name end_user_id
		end_user_tenant_id source_ip prompt input instructions output system metadata user_id source data
		choices message delta`) {
		m[f] = true
	}
	return m
}()

// checkKeys walks the object keys of a JSON document (already known to be
// valid) and rejects case variants of the fields above.
func checkKeys(b []byte) error {
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		start := i
		esc := false
		for i++; i < len(b); i++ {
			if b[i] == '\\' {
				i++
				esc = true
				continue
			}
			if b[i] == '"' {
				break
			}
		}
		end := i // closing quote
		j := end + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
			j++
		}
		if j >= len(b) || b[j] != ':' {
			continue // a string value, not a key
		}
		key := string(b[start+1 : end])
		if esc {
			if err := json.Unmarshal(b[start:end+1], &key); err != nil {
				continue
			}
		}
		if !fields[key] {
			if lk := strings.ToLower(key); lk != key && fields[lk] {
				return fmt.Errorf("%w %q: keys are case-sensitive", ErrAmbiguousKey, key)
			}
		}
	}
	return nil
}
