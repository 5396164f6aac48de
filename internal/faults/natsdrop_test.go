package faults

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sync"
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

// bus is a JetStream stream of its own reached through a cutter, for tests
// that drop the NATS connection; without WARDEN_TEST_NATS_URL it is off.
type bus struct {
	t       *testing.T
	relay   *cutter
	js      jetstream.JetStream
	stream  string
	subject string
}

func newBus(t *testing.T) *bus {
	natsURL := os.Getenv("WARDEN_TEST_NATS_URL")
	if natsURL == "" {
		t.Log("WARDEN_TEST_NATS_URL is not set: no NATS sink")
		return &bus{t: t}
	}
	u, err := url.Parse(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatalf("NATS: %v", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	b := &bus{t: t, relay: newCutter(t, u.Host), js: js, stream: fmt.Sprintf("WARDEN_TEST_%d", time.Now().UnixNano())}
	b.subject = "wardentest." + b.stream
	t.Cleanup(func() { js.DeleteStream(context.Background(), b.stream); nc.Close() }) //nolint:errcheck
	return b
}

// sink is the configuration lines of a nats sink to the bus.
func (b *bus) sink() string {
	if b.relay == nil {
		return ""
	}
	return fmt.Sprintf("    - {name: bus, type: nats, url: \"nats://%s\", stream: %s, subject: %s}\n", b.relay.ln.Addr(), b.stream, b.subject)
}

func (b *bus) drop(d time.Duration) {
	if b.relay != nil {
		b.relay.drop(d)
	}
}

// holdsAll waits until the stream holds as many messages as the outbox
// has events, and fails if it holds more (an event twice).
func (b *bus) holdsAll(t *testing.T, db *sql.DB) {
	if b.relay == nil {
		return
	}
	var events int64
	var msgs uint64
	waitUntil(t, "the stream to hold every outbox event", 2*time.Minute, func() bool {
		if err := db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&events); err != nil {
			t.Fatal(err)
		}
		s, err := b.js.Stream(context.Background(), b.stream)
		if err != nil {
			return false
		}
		info, err := s.Info(context.Background())
		if err != nil {
			return false
		}
		msgs = info.State.Msgs
		return int64(msgs) >= events
	})
	if int64(msgs) != events {
		t.Errorf("stream holds %d messages for %d outbox events, want each exactly once", msgs, events)
	}
	t.Logf("%d outbox events, %d messages in the stream", events, msgs)
}
