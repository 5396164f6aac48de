package store

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestFeeds(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, ok, err := s.Feed(ctx, "tor"); ok || err != nil {
		t.Fatalf("Feed before any kept: ok %v err %v, want neither", ok, err)
	}
	at := time.Date(2026, 12, 5, 12, 0, 0, 123, time.UTC)
	body := []byte("192.0.2.1\n\x00\xff binary-safe\n")
	for _, b := range [][]byte{[]byte("old\n"), body} {
		if err := s.PutFeed(ctx, "tor", b, at); err != nil {
			t.Fatal(err)
		}
	}
	got, gotAt, ok, err := s.Feed(ctx, "tor")
	if err != nil || !ok || !bytes.Equal(got, body) || !gotAt.Equal(at) {
		t.Errorf("Feed = %q, %v, %v, %v; want the last body kept, fetched at %v", got, gotAt, ok, err, at)
	}
}
