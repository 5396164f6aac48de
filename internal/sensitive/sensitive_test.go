package sensitive

import (
	"slices"
	"strings"
	"testing"
)

// TestTypeExamples runs every built-in type's own examples: each "match"
// must find that type, each "nomatch" must not.
func TestTypeExamples(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Types()); n < 50 {
		t.Errorf("built-in types: got %d, want at least 50", n)
	}
	for _, ty := range c.Types() {
		if len(ty.Match) == 0 {
			t.Errorf("type %s has no examples", ty.ID)
		}
		for _, ex := range ty.Match {
			if !found(c, ty.ID, ex) {
				t.Errorf("type %s: not found in its example %q (found %v)", ty.ID, ex, c.Find(ex))
			}
		}
		for _, ex := range ty.NoMatch {
			if found(c, ty.ID, ex) {
				t.Errorf("type %s: found in its near miss %q", ty.ID, ex)
			}
		}
	}
}

func found(c *Classifier, id, text string) bool {
	return slices.ContainsFunc(c.Find(text), func(m Match) bool { return m.Type == id })
}

func TestConfidenceLevels(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		give     string
		wantType string
		want     int
	}{
		{"4539301019673114", "credit_card", Low},              // Luhn alone
		{"card number 4539301019673114", "credit_card", High}, // Luhn and a keyword
		{"4539 3010 1967 3114", "credit_card", Medium},        // formatted, no keyword
		{"SSN: 752-52-8258", "us_ssn", High},                  // formatted with keyword
		{"752-52-8258", "us_ssn", Low},                        // formatted alone
		{"My IBAN is GB82WEST12345698765432", "iban", High},   // checksum: no keyword needed
		{"the routing number is 021000021 for transfers", "aba_routing", High},
	}
	for _, tt := range tests {
		ms := c.Find(tt.give)
		var got int
		for _, m := range ms {
			if m.Type == tt.wantType {
				got = m.Confidence
			}
		}
		if got != tt.want {
			t.Errorf("Find(%q) %s confidence = %d, want %d (all: %v)", tt.give, tt.wantType, got, tt.want, ms)
		}
	}
}

func TestSpansAreTheValue(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	text := "Hi, my name is Laura Ortiz. Card 4539 3010 1967 3114, email laura.ortiz@fleckens.hu."
	for _, m := range c.Find(text) {
		got := text[m.Span[0]:m.Span[1]]
		if strings.ContainsAny(got[:1], " ,.") || strings.ContainsAny(got[len(got)-1:], " ,") {
			t.Errorf("%s span %q has separators at its edges", m.Type, got)
		}
	}
	want := []string{"person_name", "credit_card", "email_address"}
	var got []string
	for _, m := range c.Find(text) {
		got = append(got, m.Type)
	}
	if !slices.Equal(got, want) {
		t.Errorf("types: got %v, want %v", got, want)
	}
}

func TestExactData(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	file := "# employee ids\n" + HashValue(key, "EMP-004211") + "\n" + HashValue(key, "Ada  Lovelace") + "\n"
	d, err := LoadExactData("employee", key, strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	ts, _ := BuiltinTypes()
	c, err := New(ts, d)
	_ = ts
	if err != nil {
		t.Fatal(err)
	}
	text := "Ticket from ada lovelace about emp-004211. Not EMP-004212."
	var got []string
	for _, m := range c.Find(text) {
		if m.Type == "employee" {
			got = append(got, text[m.Span[0]:m.Span[1]])
		}
	}
	want := []string{"ada lovelace", "emp-004211"}
	if !slices.Equal(got, want) {
		t.Errorf("exact data matches: got %q, want %q", got, want)
	}
	if _, err := LoadExactData("x", key, strings.NewReader("nothex\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad hash line: got %v, want an error naming line 1", err)
	}
	if _, err := LoadExactData("x", []byte("short"), strings.NewReader("")); err == nil {
		t.Error("short key: got no error")
	}
}

func TestCustomTypeErrors(t *testing.T) {
	tests := []struct {
		name string
		give Type
		want string
	}{
		{"unknown validator", Type{ID: "x", Patterns: []Pattern{{Regex: `\d+`, Validator: "nope", Keyword: 75}}}, "unknown validator"},
		{"bad regex", Type{ID: "x", Patterns: []Pattern{{Regex: `(`, Keyword: 75}}}, "pattern"},
		{"no patterns", Type{ID: "x"}, "no patterns"},
		{"confidence", Type{ID: "x", Patterns: []Pattern{{Regex: `\d+`, Alone: 90, Keyword: 75}}}, "confidences"},
	}
	for _, tt := range tests {
		_, err := New([]Type{tt.give})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
