package faults

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// cutter is a TCP relay to a server that can drop every connection
// through it and refuse new ones for a while: a NATS connection lost
// mid-run, as a network partition or a server restart would cause.
type cutter struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	until  time.Time
}

func newCutter(t *testing.T, target string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, target: target}
	go c.serve()
	t.Cleanup(func() { ln.Close(); c.drop(0) })
	return c
}

func (c *cutter) serve() {
	for {
		in, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		refuse := time.Now().Before(c.until)
		c.mu.Unlock()
		if refuse {
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", c.target)
		if err != nil {
			in.Close()
			continue
		}
		c.mu.Lock()
		c.conns = append(c.conns, in, out)
		c.mu.Unlock()
		go func() { io.Copy(out, in); out.Close() }() //nolint:errcheck
		go func() { io.Copy(in, out); in.Close() }()  //nolint:errcheck
	}
}

// drop closes every connection and refuses new ones for d.
func (c *cutter) drop(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.until = time.Now().Add(d)
	for _, x := range c.conns {
		x.Close()
	}
	c.conns = nil
}

// TestReplicasNATSDrop runs two Warden processes on one PostgreSQL database
// exporting to NATS JetStream through a relay, drops the NATS connection
// mid-load for three seconds, and checks that the stream ends up holding
// every outbox event exactly once: the dispatcher retries what the drop
// cut off, and a repeat (same event id) is dropped by JetStream's
// duplicate window.
func TestReplicasNATSDrop(t *testing.T) {
	needFaults(t)
	base, natsURL := os.Getenv("WARDEN_TEST_POSTGRES_URL"), os.Getenv("WARDEN_TEST_NATS_URL")
	if base == "" || natsURL == "" {
		t.Skip("WARDEN_TEST_POSTGRES_URL and WARDEN_TEST_NATS_URL are needed")
	}
	storeURL, db := schema(t, base)
	u, err := url.Parse(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	relay := newCutter(t, u.Host)
	stream := fmt.Sprintf("WARDEN_TEST_%d", time.Now().UnixNano())
	subject := "wardentest." + stream
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatalf("NATS: %v", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	defer js.DeleteStream(context.Background(), stream) //nolint:errcheck

	up := upstream()
	defer up.Close()
	var ws []*warden
	for i := range 2 {
		dir := t.TempDir()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cfg := fmt.Sprintf(`listen: %s
data_dir: %s
store: {url: %q}
log: {level: warn}
upstreams: [{name: up, url: %s}]
routes: [{name: blk, style: openai, upstream: up, subscription: blk}]
subscriptions: [{id: blk, name: Block, plan: true, mode: block}]
identity: {headers: {end_user_id: X-End-User-Id}}
export:
  sinks: [{name: bus, type: nats, url: "nats://%s", stream: %s, subject: %s}]
`, addr, filepath.Join(dir, "data"), storeURL, up.URL, relay.ln.Addr(), stream, subject)
		p := filepath.Join(dir, "warden.yaml")
		if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		ws = append(ws, start(t, p))
		defer ws[i].stop()
	}
	var next atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var blockedN atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 30 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				if blocked(c, ws[next.Add(1)%2].addr, int(users.Add(1))) {
					blockedN.Add(1)
				}
			}
		}()
	}
	time.Sleep(2 * time.Second)
	relay.drop(3 * time.Second)
	t.Log("dropped every NATS connection for 3 s")
	time.Sleep(4 * time.Second)
	close(stop)
	wg.Wait()

	var events int64
	waitUntil(t, "the stream to hold every outbox event", 2*time.Minute, func() bool {
		if err := db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&events); err != nil {
			t.Fatal(err)
		}
		s, err := js.Stream(context.Background(), stream)
		if err != nil {
			return false
		}
		info, err := s.Info(context.Background())
		return err == nil && int64(info.State.Msgs) >= events
	})
	s, _ := js.Stream(context.Background(), stream)
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if int64(info.State.Msgs) != events {
		t.Errorf("stream holds %d messages for %d outbox events, want each exactly once", info.State.Msgs, events)
	}
	t.Logf("%d requests blocked, %d outbox events, %d messages in the stream", blockedN.Load(), events, info.State.Msgs)
}
