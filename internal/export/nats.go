package export

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATS publishes each event to JetStream on Subject.<severity>, with the
// event id as the message id, so that JetStream drops a repeat within its
// duplicate window. The stream is created if it does not exist.
type NATS struct {
	URL     string
	Stream  string // default WARDEN_ALERTS
	Subject string // default warden.alerts

	mu sync.Mutex
	nc *nats.Conn
	js jetstream.JetStream
}

func (n *NATS) connect(ctx context.Context) error {
	if n.js != nil && n.nc.IsConnected() {
		return nil
	}
	if n.nc != nil {
		n.nc.Close()
	}
	nc, err := nats.Connect(n.URL, nats.Name("warden-export"))
	if err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return err
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: n.stream(), Subjects: []string{n.subject() + ".>"}}); err != nil {
		nc.Close()
		return fmt.Errorf("stream %s: %w", n.stream(), err)
	}
	n.nc, n.js = nc, js
	return nil
}

func (n *NATS) stream() string {
	if n.Stream == "" {
		return "WARDEN_ALERTS"
	}
	return n.Stream
}

func (n *NATS) subject() string {
	if n.Subject == "" {
		return "warden.alerts"
	}
	return n.Subject
}

// Send implements Sink.
func (n *NATS) Send(ctx context.Context, evs []Event) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.connect(ctx); err != nil {
		return 0, err
	}
	for i, e := range evs {
		body, err := json.Marshal(map[string]any{"event_id": e.ID, "alert": e.Alert})
		if err != nil {
			return i, &Permanent{Err: err}
		}
		if _, err := n.js.Publish(ctx, n.subject()+"."+string(e.Alert.Severity), body, jetstream.WithMsgID(e.ID)); err != nil {
			return i, err
		}
	}
	return len(evs), nil
}

// Close closes the connection.
func (n *NATS) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.nc != nil {
		n.nc.Close()
	}
}
