package cleantext

import (
	"strings"
	"testing"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		raw, clean string
	}{
		{"plain text", "plain text"},
		{"héllo wörld", "héllo wörld"},
		{"key = \xffAKIA", "key = AKIA"},
		{"A\x00K\x00I\x00A\x00", "AKIA"},
		{"\xc3", ""},
		{"ok\xe2\x82", "ok"},
		{"€\xff€", "€€"},
	} {
		got := Of(tc.raw)
		if got.Clean != tc.clean {
			t.Errorf("Of(%q).Clean = %q, want %q", tc.raw, got.Clean, tc.clean)
		}
	}
}

// A span of the clean text maps back over the raw bytes it came from,
// removed bytes inside it included.
func TestRaw(t *testing.T) {
	raw := "x=\xffAB\x00CD\xfe;"
	tx := Of(raw)
	i := strings.Index(tx.Clean, "ABCD")
	s, e := tx.Raw(i, i+4)
	if got := raw[s:e]; got != "AB\x00CD" {
		t.Errorf("raw span = %q, want %q", got, "AB\x00CD")
	}
	clean := Of("no change")
	if s, e := clean.Raw(3, 9); s != 3 || e != 9 {
		t.Errorf("identity map: %d, %d", s, e)
	}
}

// FuzzOf: the clean text is valid UTF-8 without NULs, and every clean byte
// maps to the same raw byte.
func FuzzOf(f *testing.F) {
	f.Add("aws_secret_access_key = \xffwJalrXUtnFEMI")
	f.Add("\x00\x00\xc3\xa9")
	f.Fuzz(func(t *testing.T, raw string) {
		tx := Of(raw)
		if strings.ContainsRune(tx.Clean, 0) || !utf8Valid(tx.Clean) {
			t.Fatalf("Of(%q) = %q: not clean", raw, tx.Clean)
		}
		for i := 0; i < len(tx.Clean); i++ {
			s, _ := tx.Raw(i, i+1)
			if raw[s] != tx.Clean[i] {
				t.Fatalf("clean byte %d (%q) maps to raw %d (%q)", i, tx.Clean[i], s, raw[s])
			}
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
