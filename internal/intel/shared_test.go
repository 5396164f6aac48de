package intel

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// memShared is a Shared store in memory, as the database is for replicas.
type memShared struct {
	mu   sync.Mutex
	body map[string][]byte
	at   map[string]time.Time
}

func (m *memShared) PutFeed(_ context.Context, name string, body []byte, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.body[name], m.at[name] = body, at
	return nil
}

func (m *memShared) Feed(_ context.Context, name string) ([]byte, time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.body[name]
	return b, m.at[name], ok, nil
}

// TestSharedFeeds: the elected replica fetches a new version of a feed
// and keeps it; a follower loads that version without fetching the source
// itself, and does not load the same version twice.
func TestSharedFeeds(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "deny.txt")
	write := func(s string) {
		if err := os.WriteFile(src, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("192.0.2.1\n")
	feeds := []Feed{{Name: "deny", Kind: KindIP, Source: src, Refresh: time.Hour}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	shared := &memShared{body: map[string][]byte{}, at: map[string]time.Time{}}
	leader, err := New(ctx, feeds, nil, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	follower, err := New(ctx, feeds, nil, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	leader.WithShared(shared)
	follower.WithShared(shared)
	listed := func(in *Intel, ip string) bool { return len(in.CheckAccess(ip, "")) > 0 }

	write("198.51.100.7\n")
	time.Sleep(time.Millisecond) // a fetch time after the follower's own
	if err := leader.Load(ctx, feeds[0]); err != nil {
		t.Fatal(err)
	}
	// The source changes again; only the leader would fetch it.
	write("203.0.113.9\n")
	if err := follower.follow(ctx, feeds[0]); err != nil {
		t.Fatal(err)
	}
	if !listed(follower, "198.51.100.7") || listed(follower, "192.0.2.1") || listed(follower, "203.0.113.9") {
		t.Errorf("follower: want the version the leader kept (198.51.100.7), not its own first one or the source's latest")
	}
	// Nothing newer kept: the follower keeps what it has.
	before, _ := follower.fetched.Load("deny")
	if err := follower.follow(ctx, feeds[0]); err != nil {
		t.Fatal(err)
	}
	if after, _ := follower.fetched.Load("deny"); after != before {
		t.Error("follower loaded the same version again")
	}
}
