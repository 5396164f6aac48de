package llmapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestRewriteStrings(t *testing.T) {
	upper := func(s string) (string, bool) {
		u := strings.ToUpper(s)
		return u, u != s
	}
	tests := []struct{ name, in, want string }{
		{"values not keys", `{"role":"user","content":"hi"}`, `{"role":"USER","content":"HI"}`},
		{"unchanged keeps bytes", `{"A" : "B", "n": 1}`, `{"A" : "B", "n": 1}`},
		{"escapes decoded and re-encoded", `{"k":"a\u0062\"c\n"}`, `{"k":"AB\"C\n"}`},
		{"key with space before colon", `{"k" :"v"}`, `{"k" :"V"}`},
		{"arrays and nesting", `[{"x":["a",{"y":"b"}]},"c"]`, `[{"x":["A",{"y":"B"}]},"C"]`},
		{"html left alone", `{"k":"<a&b>"}`, `{"k":"<A&B>"}`},
	}
	for _, tt := range tests {
		got, err := RewriteStrings([]byte(tt.in), upper)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
	if _, err := RewriteStrings([]byte(`{"k":"never ends`), upper); err == nil {
		t.Error("an unterminated string: no error")
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"plain", "q\"b\\", "\x00\x1f\t\r\n", "é中\u2028\u2029", "bad\xffbyte", "<>&"} {
		b := AppendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("%q encoded as %s: %v", s, b, err)
			continue
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if got != want {
			t.Errorf("%q round-tripped as %q, want %q", s, got, want)
		}
	}
}

// FuzzRewriteStrings checks, for any JSON document, that the rewrite is
// JSON again and reads as the original with each string value (and only
// those) transformed.
func FuzzRewriteStrings(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `["x",{"k":["y\n",1,null]}]`, `"top"`, `{"a\"b":"c\\d","e":"\u00e9"}`, `{"k" : "v" , "l":[ "w" ]}`} {
		f.Add([]byte(s))
	}
	tag := func(s string) (string, bool) { return "<" + s + ">", true }
	f.Fuzz(func(t *testing.T, body []byte) {
		var before any
		if json.Unmarshal(body, &before) != nil {
			return
		}
		got, err := RewriteStrings(body, tag)
		if err != nil {
			t.Fatalf("valid JSON %q: %v", body, err)
		}
		var after any
		if err := json.Unmarshal(got, &after); err != nil {
			t.Fatalf("rewrite of %q is not JSON: %q: %v", body, got, err)
		}
		if want := tagAll(before); !reflect.DeepEqual(after, want) {
			t.Fatalf("rewrite of %q reads %#v, want %#v", body, after, want)
		}
	})
}

func tagAll(v any) any {
	switch x := v.(type) {
	case string:
		return "<" + x + ">"
	case []any:
		for i := range x {
			x[i] = tagAll(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = tagAll(x[k])
		}
	}
	return v
}
