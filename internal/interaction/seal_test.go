package interaction

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"testing"
)

func key(t *testing.T, id string) Key {
	t.Helper()
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck
	k, err := ParseKey(id, base64.StdEncoding.EncodeToString(b))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSealRotation: content sealed under the old key opens after a new key
// is put first; new content is sealed under the new key; a row moved to
// another interaction, a flipped byte or an unknown key does not open.
func TestSealRotation(t *testing.T) {
	old, next := key(t, "k1"), key(t, "k2")
	s1, err := NewSealer([]Key{old})
	if err != nil {
		t.Fatal(err)
	}
	c := Content{Prompt: []Turn{{Role: "user", Text: "my card is 4111 1111 1111 1111"}}}
	kid, sealed, err := s1.Seal("req-1", c)
	if err != nil || kid != "k1" || bytes.Contains(sealed, []byte("4111")) {
		t.Fatalf("Seal: %s %v; the text must not show", kid, err)
	}
	s2, err := NewSealer([]Key{next, old})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.Open("req-1", kid, sealed)
	if err != nil || got.Prompt[0].Text != c.Prompt[0].Text {
		t.Errorf("Open after rotation: %+v, %v", got, err)
	}
	if kid2, _, _ := s2.Seal("req-2", c); kid2 != "k2" {
		t.Errorf("after rotation sealed under %s, want k2", kid2)
	}
	if _, err := s2.Open("req-9", kid, sealed); err == nil {
		t.Error("content opened for another interaction")
	}
	bad := bytes.Clone(sealed)
	bad[len(bad)-1] ^= 1
	if _, err := s2.Open("req-1", kid, bad); err == nil {
		t.Error("a flipped byte opened")
	}
	if _, err := NewSealer([]Key{next}); err != nil {
		t.Fatal(err)
	}
	s3, _ := NewSealer([]Key{next})
	if _, err := s3.Open("req-1", kid, sealed); err == nil {
		t.Error("content opened without its key")
	}
	for _, b64 := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := ParseKey("x", b64); err == nil {
			t.Errorf("ParseKey(%q): no error", b64)
		}
	}
}
