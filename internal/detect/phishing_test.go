package detect

import (
	"context"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/scan"
)

func TestPhishing(t *testing.T) {
	d, err := ReadPhishing(strings.NewReader("# feed\nlogin-micros0ft.example\nhttps://paypa1-secure.example/verify\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		role scan.Role
		text string
		want string
	}{
		{scan.RoleUser, "check https://login-micros0ft.example/reset?u=1 please", "phishing_url_prompt"},
		{scan.RoleAssistant, "Sure, sign in at www.account.login-micros0ft.example.", "phishing_url_response"},
		{scan.RoleDocument, "Pay here: http://PAYPA1-SECURE.example", "phishing_url_data"},
		{scan.RoleUser, "see https://microsoft.com and https://example.com/login-micros0ft.example", "none"},
		{scan.RoleSystem, "never link https://login-micros0ft.example", "none"},
	}
	for _, tt := range tests {
		fs, _ := d.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: tt.role, Text: tt.text}}})
		got := "none"
		if len(fs) > 0 {
			got = fs[0].Type
			if sp := fs[0].Spans[0]; !strings.Contains(strings.ToLower(tt.text[sp[0]:sp[1]]), "example") {
				t.Errorf("%q: span %v = %q", tt.text, sp, tt.text[sp[0]:sp[1]])
			}
		}
		if got != tt.want {
			t.Errorf("Detect(%q as %s) = %s, want %s", tt.text, tt.role, got, tt.want)
		}
	}
	if _, err := ReadPhishing(strings.NewReader("http://\n")); err == nil {
		t.Error("malformed list accepted")
	}
}
