package redact

import (
	"sort"
	"strconv"
	"strings"
)

// Table is redact-and-continue's memory for one request: each sensitive
// value of the prompt gets a numbered, typed placeholder ([EMAIL_ADDRESS_1],
// [AWS_ACCESS_KEY_2]) that the model sees instead, and the model's answer
// is restored for the client. It lives in memory for that request only;
// nothing of it is stored or logged. It is not safe for concurrent use.
type Table struct {
	byValue map[string]string
	byName  map[string]string
	count   map[string]int // last number given, per kind
	kinds   map[string]int // values, per kind
	avoid   string
	maxLen  int
	// Replacers, built when first needed after the last Add.
	hide, restore *strings.Replacer
	names         []string
}

// NewTable returns an empty table whose placeholders never occur in avoid
// (the request as the client sent it): text the client wrote that looks
// like a placeholder is never taken for one on the way back.
func NewTable(avoid string) *Table {
	return &Table{byValue: map[string]string{}, byName: map[string]string{}, count: map[string]int{}, kinds: map[string]int{}, avoid: avoid}
}

// Add returns the placeholder for value, of kind (a sensitive information
// type or a credential kind), giving it the next number of that kind if
// the value is new.
func (t *Table) Add(kind, value string) string {
	if p, ok := t.byValue[value]; ok {
		return p
	}
	k := placeholderKind(kind)
	var p string
	for {
		t.count[k]++
		p = "[" + k + "_" + strconv.Itoa(t.count[k]) + "]"
		if !strings.Contains(t.avoid, p) {
			break
		}
	}
	t.byValue[value], t.byName[p] = p, value
	t.kinds[k]++
	t.maxLen = max(t.maxLen, len(p))
	t.hide, t.restore = nil, nil
	return p
}

// Len returns the number of values in the table.
func (t *Table) Len() int { return len(t.byValue) }

// Kinds returns, per placeholder kind, how many values were replaced: what
// an alert may say about a redaction.
func (t *Table) Kinds() map[string]int {
	out := make(map[string]int, len(t.kinds))
	for k, n := range t.kinds {
		out[k] = n
	}
	return out
}

// Hide replaces every value of the table in s by its placeholder, longest
// value first (a key that contains a shorter value is replaced whole).
func (t *Table) Hide(s string) (string, bool) {
	if len(t.byValue) == 0 {
		return s, false
	}
	t.build()
	out := t.hide.Replace(s)
	return out, out != s
}

// Restore replaces every placeholder of the table in s by its value.
func (t *Table) Restore(s string) (string, bool) {
	if len(t.byName) == 0 || !strings.Contains(s, "[") {
		return s, false
	}
	t.build()
	out := t.restore.Replace(s)
	return out, out != s
}

// Partial returns where a trailing piece of s starts that could still grow
// into a placeholder ("[EMAIL_AD" of "[EMAIL_ADDRESS_1]"), or len(s): a
// stream holds that piece back until the next delta says.
func (t *Table) Partial(s string) int {
	t.build()
	from := max(len(s)-t.maxLen+1, 0)
	for i := strings.LastIndexByte(s, '['); i >= from; i = strings.LastIndexByte(s[:i], '[') {
		tail := s[i:]
		for _, n := range t.names {
			if len(tail) < len(n) && strings.HasPrefix(n, tail) {
				return i
			}
		}
	}
	return len(s)
}

func (t *Table) build() {
	if t.hide != nil {
		return
	}
	values := make([]string, 0, len(t.byValue))
	for v := range t.byValue {
		values = append(values, v)
	}
	sort.Slice(values, func(i, j int) bool {
		if len(values[i]) != len(values[j]) {
			return len(values[i]) > len(values[j])
		}
		return values[i] < values[j]
	})
	var hide, restore []string
	t.names = t.names[:0]
	for _, v := range values {
		p := t.byValue[v]
		hide = append(hide, v, p)
		restore = append(restore, p, v)
		t.names = append(t.names, p)
	}
	t.hide, t.restore = strings.NewReplacer(hide...), strings.NewReplacer(restore...)
}

// placeholderKind makes a kind fit a placeholder: upper case letters,
// digits and underscores.
func placeholderKind(kind string) string {
	b := []byte(strings.ToUpper(kind))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "VALUE"
	}
	return string(b)
}
