package detect

import (
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/sensitive"
)

// credentialLines are lines a rule finds, each with its secret.
var credentialLines = []struct{ line, secret string }{
	{"LINEAR_API_KEY=lin_api_k3j9x0q2m8v7b6n5c4x3z2l1k0j9h8g7f6d5s4a3", "lin_api_k3j9x0q2m8v7b6n5c4x3z2l1k0j9h8g7f6d5s4a3"},
	{"PULUMI_ACCESS_TOKEN=pul-3f9a7c2e81b64d5f9e0a1b2c3d4e5f6071829304", "pul-3f9a7c2e81b64d5f9e0a1b2c3d4e5f6071829304"},
	{"export DOPPLER_TOKEN=dp.pt.Qk3j9X0q2M8v7B6n5C4x3Z2l1K0j9H8g7F6d5S4a3Qw", "dp.pt.Qk3j9X0q2M8v7B6n5C4x3Z2l1K0j9H8g7F6d5S4a3Qw"},
}

// junk turns fuzz bytes into bytes that can never be part of valid UTF-8
// text around ASCII: NULs, lone continuation bytes, and 0xF8-0xFF.
func junk(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		switch c % 3 {
		case 0:
			out[i] = 0
		case 1:
			out[i] = 0x80 + c%64
		default:
			out[i] = 0xF8 + c%8
		}
	}
	return string(out)
}

// insert puts j into s at each of the positions (clamped, ascending).
func insert(s, j string, at ...int) string {
	var b strings.Builder
	prev := 0
	for _, p := range at {
		p = min(max(p, prev), len(s))
		b.WriteString(s[prev:p])
		b.WriteString(j)
		prev = p
	}
	b.WriteString(s[prev:])
	return b.String()
}

// FuzzCredentialBehindInvalidBytes: invalid bytes and NULs inserted before
// a credential line, after its '=', inside its secret and after it hide
// nothing: the credential is found, its span covers every raw byte of the
// secret, and redaction leaves none of the secret's characters in a row.
func FuzzCredentialBehindInvalidBytes(f *testing.F) {
	d, err := DefaultSecrets()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{0xff}, uint8(0), uint8(7))
	f.Add([]byte{0, 0, 1}, uint8(1), uint8(20))
	f.Add([]byte{2, 5, 8}, uint8(2), uint8(3))
	f.Fuzz(func(t *testing.T, raw []byte, which, inside uint8) {
		if len(raw) == 0 || len(raw) > 16 {
			return
		}
		c := credentialLines[int(which)%len(credentialLines)]
		j := junk(raw)
		eq := strings.IndexByte(c.line, '=') + 1
		start := strings.Index(c.line, c.secret)
		mid := start + 1 + int(inside)%(len(c.secret)-2)
		text := insert(c.line, j, 0, eq, mid, len(c.line))
		ms := d.Find(text)
		// Where the secret's bytes are in text: from its first character
		// to its last, junk inside included.
		first := strings.Index(text, c.secret[:mid-start])
		last := strings.LastIndex(text, c.secret[mid-start:]) + len(c.secret) - (mid - start)
		covered := false
		for _, m := range ms {
			if m.Span[0] <= first && m.Span[1] >= last {
				covered = true
			}
		}
		if !covered {
			t.Fatalf("%q: no match covers the secret at [%d, %d): %+v", text, first, last, ms)
		}
		if red := d.Redact(text); strings.Contains(red, c.secret[:8]) || strings.Contains(red, c.secret[len(c.secret)-8:]) {
			t.Fatalf("redacted %q still shows the secret: %q", text, red)
		}
	})
}

// Invalid bytes hide no sensitive value either.
func TestSensitiveBehindInvalidBytes(t *testing.T) {
	c, err := sensitive.Default()
	if err != nil {
		t.Fatal(err)
	}
	text := "card number: \xff4111 1111 1111 1111\x00 exp 12/29"
	found := false
	for _, m := range c.Find(text) {
		if strings.Contains(text[m.Span[0]:m.Span[1]], "4111 1111 1111 1111") {
			found = true
		}
	}
	if !found {
		t.Errorf("the card number behind an invalid byte was not found: %+v", c.Find(text))
	}
}
