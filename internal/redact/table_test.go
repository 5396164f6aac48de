package redact

import (
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	tb := NewTable(`{"content":"mail ana@example.org, not [EMAIL_ADDRESS_1]"}`)
	if got, want := tb.Add("email_address", "ana@example.org"), "[EMAIL_ADDRESS_2]"; got != want {
		t.Errorf("first email: got %s, want %s (the client's own text holds _1)", got, want)
	}
	if got, want := tb.Add("email_address", "ana@example.org"), "[EMAIL_ADDRESS_2]"; got != want {
		t.Errorf("same value again: got %s, want %s", got, want)
	}
	if got, want := tb.Add("aws-access-key", "AKIAEXAMPLEKEY"), "[AWS_ACCESS_KEY_1]"; got != want {
		t.Errorf("credential: got %s, want %s", got, want)
	}
	tb.Add("aws_secret", "AKIAEXAMPLEKEY/secretpart") // contains the shorter value
	hidden, ok := tb.Hide("to ana@example.org key AKIAEXAMPLEKEY/secretpart and AKIAEXAMPLEKEY")
	if want := "to [EMAIL_ADDRESS_2] key [AWS_SECRET_1] and [AWS_ACCESS_KEY_1]"; !ok || hidden != want {
		t.Errorf("Hide: got %q, want %q", hidden, want)
	}
	back, ok := tb.Restore(hidden + " [EMAIL_ADDRESS_1] [EMAIL_ADDRESS_9]")
	if want := "to ana@example.org key AKIAEXAMPLEKEY/secretpart and AKIAEXAMPLEKEY [EMAIL_ADDRESS_1] [EMAIL_ADDRESS_9]"; !ok || back != want {
		t.Errorf("Restore: got %q, want %q", back, want)
	}
	if got := tb.Kinds(); got["EMAIL_ADDRESS"] != 1 || got["AWS_ACCESS_KEY"] != 1 || got["AWS_SECRET"] != 1 {
		t.Errorf("Kinds = %v, want one of each", got)
	}
	for _, tt := range []struct {
		s    string
		want int
	}{
		{"write to [EMAIL_AD", len("write to ")},
		{"write to [", len("write to ")},
		{"write to [EMAIL_ADDRESS_2", len("write to ")},
		{"write to [EMAIL_ADDRESS_2]", len("write to [EMAIL_ADDRESS_2]")},
		{"a [list] of [AWS", len("a [list] of ")},
		{"[NOT_A_NAME", len("[NOT_A_NAME")},
		{"no bracket", len("no bracket")},
	} {
		if got := tb.Partial(tt.s); got != tt.want {
			t.Errorf("Partial(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestEmptyTable(t *testing.T) {
	tb := NewTable("")
	if s, ok := tb.Hide("x"); ok || s != "x" {
		t.Errorf("empty Hide changed %q", s)
	}
	if s, ok := tb.Restore("[X_1]"); ok || s != "[X_1]" {
		t.Errorf("empty Restore changed %q", s)
	}
	if got := tb.Partial("a ["); got != 3 {
		t.Errorf("empty Partial = %d, want 3", got)
	}
	if !strings.HasPrefix(tb.Add("", "v"), "[VALUE_") {
		t.Error("a kindless value has no VALUE placeholder")
	}
}
