package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATS publishes each event to JetStream on Subject.<severity>, with the
// event id as the message id, so that JetStream drops a repeat within its
// duplicate window. The stream is created, with Recommended settings, only
// if none exists: an existing stream is the operator's, and its limits
// (age, size, duplicate window) are never changed; where they differ from
// what Warden recommends, it says so in the log once at connection.
type NATS struct {
	URL     string
	Stream  string // default WARDEN_ALERTS
	Subject string // default warden.alerts
	Log     *slog.Logger

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
	if err := n.ensureStream(ctx, js); err != nil {
		nc.Close()
		return fmt.Errorf("stream %s: %w", n.stream(), err)
	}
	n.nc, n.js = nc, js
	return nil
}

// Recommended returns the stream settings Warden creates a missing stream
// with: its subjects, and a duplicate window long enough to cover a restart
// and a retry after it (the window JetStream drops a repeated event id in).
func (n *NATS) Recommended() jetstream.StreamConfig {
	return jetstream.StreamConfig{Name: n.stream(), Subjects: []string{n.subject() + ".>"}, Duplicates: 10 * time.Minute, Storage: jetstream.FileStorage}
}

// ensureStream creates the stream if it is missing and otherwise only
// reads it, reporting what differs from Recommended.
func (n *NATS) ensureStream(ctx context.Context, js jetstream.JetStream) error {
	want := n.Recommended()
	st, err := js.Stream(ctx, want.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, want)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return nil // another replica created it first
		}
		return err
	}
	if err != nil {
		return err
	}
	have := st.CachedInfo().Config
	for _, d := range streamDiffs(have, want) {
		n.log().Warn("export: the NATS stream's settings differ from Warden's recommendation; it is left as it is", "stream", want.Name, "setting", d)
	}
	return nil
}

// streamDiffs names how have falls short of want: subjects that do not
// cover Warden's, a shorter duplicate window.
func streamDiffs(have, want jetstream.StreamConfig) []string {
	var out []string
	for _, s := range want.Subjects {
		if !slices.Contains(have.Subjects, s) && !slices.Contains(have.Subjects, ">") {
			out = append(out, fmt.Sprintf("subjects %v do not name %s: publishes may not be stored", have.Subjects, s))
		}
	}
	if have.Duplicates < want.Duplicates {
		out = append(out, fmt.Sprintf("duplicate window %s (recommended %s): a repeat after a restart may be stored twice", have.Duplicates, want.Duplicates))
	}
	return out
}

func (n *NATS) log() *slog.Logger {
	if n.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return n.Log
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
