package benchtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for _, n := range []int{100, 2048, 1 << 20} {
		s := Text(n, 1)
		if len(s) > n || len(s) < n-3 || !utf8.ValidString(s) {
			t.Errorf("Text(%d): %d bytes, valid UTF-8 %v; want about %d", n, len(s), utf8.ValidString(s), n)
		}
		if s != Text(n, 1) {
			t.Errorf("Text(%d, 1) differs between calls", n)
		}
	}
	// Varied: a 2 KB text holds many different lines, not one repeated.
	s := Text(2048, 1)
	distinct := 0
	for _, l := range Lines() {
		if strings.Contains(s, l) {
			distinct++
		}
	}
	if distinct < 10 {
		t.Errorf("2 KB holds %d distinct corpus lines, want 10 or more", distinct)
	}
	if Text(2048, 1) == Text(2048, 2) {
		t.Error("seeds 1 and 2 give the same text")
	}
}
