package redact

import (
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	key := []byte("subscription key of thirty-two b")
	text := "card 4539 3010 1967 3114, token ghp_x, mail a@b.hu"
	card := Mark{5, 24, "credit_card", false}
	tok := Mark{32, 37, "github_token", true}
	mail := Mark{44, 50, "email_address", false}
	tests := []struct {
		name  string
		marks []Mark
		o     Options
		want  string
	}{
		{"typed", []Mark{mail, card, tok}, Options{}, "card [CREDIT_CARD], token [REDACTED:GITHUB_TOKEN], mail [EMAIL_ADDRESS]"},
		{"last four", []Mark{card}, Options{LastFour: true}, "card [CREDIT_CARD ****3114], token ghp_x, mail a@b.hu"},
		{"secrets never keep anything", []Mark{tok}, Options{LastFour: true, HashKey: key}, "card 4539 3010 1967 3114, token [REDACTED:GITHUB_TOKEN], mail a@b.hu"},
		{"overlap merges to the secret", []Mark{{5, 30, "credit_card", false}, {20, 37, "github_token", true}}, Options{}, "card [REDACTED:GITHUB_TOKEN], mail a@b.hu"},
		{"out of range ignored", []Mark{{40, 99, "x", false}}, Options{}, text},
	}
	for _, tt := range tests {
		got, _ := Apply(text, tt.marks, tt.o)
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestHashLinksWithinASubscription(t *testing.T) {
	server := []byte("server secret")
	a, b := SubscriptionKey(server, "sub-a"), SubscriptionKey(server, "sub-b")
	p1 := Placeholder("credit_card", "4539 3010 1967 3114", false, Options{HashKey: a})
	p2 := Placeholder("credit_card", "4539301019673114", false, Options{HashKey: a})
	p3 := Placeholder("credit_card", "4539301019673114", false, Options{HashKey: b})
	if p1 != p2 {
		t.Errorf("same value, same subscription: %q != %q", p1, p2)
	}
	if p1 == p3 {
		t.Errorf("same value, other subscription: both %q", p1)
	}
	if strings.Contains(p1, "4539") || strings.Contains(p1, "3114") {
		t.Errorf("placeholder %q shows digits of the value", p1)
	}
}

func TestOffsetMap(t *testing.T) {
	text := "aa SECRET bb"
	got, at := Apply(text, []Mark{{3, 9, "x", true}}, Options{})
	if got[at(10):] != "bb" {
		t.Errorf("offset after the mark maps to %q, want \"bb\"", got[at(10):])
	}
	if at(1) != 1 || at(5) != 3 {
		t.Errorf("at(1)=%d at(5)=%d, want 1 and 3", at(1), at(5))
	}
}

func FuzzApply(f *testing.F) {
	f.Add("card 4539 3010 1967 3114 end", 5, 24, 2, 9, true)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int, secret bool) {
		marks := []Mark{{s1, e1, "credit_card", false}, {s2, e2, "api_key", secret}}
		got, at := Apply(text, marks, Options{LastFour: true, HashKey: []byte("k")})
		for _, m := range merge(text, marks) {
			if m.Secret && m.End-m.Start >= 4 && strings.Contains(got, text[m.Start:m.End]) && !strings.Contains(text[:m.Start]+text[m.End:], text[m.Start:m.End]) {
				t.Fatalf("secret %q survives in %q", text[m.Start:m.End], got)
			}
		}
		if p := at(len(text)); p != len(got) {
			t.Fatalf("end maps to %d, want %d", p, len(got))
		}
	})
}

func TestShapes(t *testing.T) {
	tests := []struct {
		give string
		want []string // the marked tokens
	}{
		{"the secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8aLbTq3v ok", []string{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8aLbTq3v"}},
		{"token 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", []string{"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
		{"internationalization and docs/api/v1/reference/getting-started", nil},
		{"a short Ab1 token and 12345678901234567890123", nil},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range Shapes(tt.give) {
			got = append(got, tt.give[m.Start:m.End])
			if !m.Secret {
				t.Errorf("Shapes(%q): mark %+v is not secret", tt.give, m)
			}
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Shapes(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}
