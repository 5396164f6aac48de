// Package export delivers alerts to a SOC's tools at least once: each sink
// reads the store's outbox (written in the same transaction as the alert)
// from its own recorded position, sends in order, retries with backoff
// while the receiver is down, and parks an event the receiver will never
// take instead of retrying it forever. Sinks run off the request path.
package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/store"
)

// Event is one alert to deliver, with the id receivers use to drop a
// repeat (an at-least-once delivery may repeat what was not acknowledged).
type Event struct {
	Seq   int64
	ID    string
	Alert alert.Alert
}

// Sink delivers events in order. It returns how many, from the first,
// the receiver acknowledged: a batch sink gives all or none, a sink that
// sends one at a time may stop part-way, and what was acknowledged is
// never sent again.
type Sink interface {
	Send(ctx context.Context, evs []Event) (int, error)
}

// Permanent marks an error the receiver will give again for the same
// events (a 400, a document it rejects): the event is parked.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return "permanent: " + p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// Filter selects the alerts a sink takes; zero fields take everything.
type Filter struct {
	MinSeverity   scan.Severity
	Subscriptions []string
	Types         []string
}

// Match reports whether a passes the filter.
func (f Filter) Match(a alert.Alert) bool {
	if f.MinSeverity != "" && a.Severity.Rank() < f.MinSeverity.Rank() {
		return false
	}
	if len(f.Subscriptions) > 0 && !slices.Contains(f.Subscriptions, a.Subscription) {
		return false
	}
	if len(f.Types) > 0 && !slices.Contains(f.Types, a.Type) {
		return false
	}
	return true
}

// Outbox is the store's side of delivery.
type Outbox interface {
	OutboxAfter(ctx context.Context, seq int64, limit int) ([]store.OutboxEvent, error)
	SinkPosition(ctx context.Context, sink string) (int64, error)
	SetSinkPosition(ctx context.Context, sink string, seq int64) error
	Park(ctx context.Context, sink string, e store.OutboxEvent, reason string) error
}

// Dispatcher runs one sink.
type Dispatcher struct {
	Name   string
	Sink   Sink
	Filter Filter
	Outbox Outbox
	Log    *slog.Logger
	// Batch bounds the events per Send (default 500); Poll is how often an
	// idle dispatcher looks for new events (default 200 ms); MaxBackoff
	// bounds the wait between retries (default 1 minute).
	Batch      int
	Poll       time.Duration
	MaxBackoff time.Duration
	// Notify, when set, wakes the dispatcher as soon as alerts are stored.
	Notify <-chan struct{}
	// Delivered, when set, is called after each successful batch.
	Delivered func(n int)
	// Failed, when set, is called after each failed attempt.
	Failed func(err error)
}

// Run delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	batch := d.Batch
	if batch <= 0 {
		batch = 500
	}
	poll := d.Poll
	if poll <= 0 {
		poll = 200 * time.Millisecond
	}
	maxBackoff := d.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = time.Minute
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		n, err := d.step(ctx, batch)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			if d.Failed != nil {
				d.Failed(err)
			}
			d.Log.Warn("export: delivery failed, retrying", "sink", d.Name, "err", err, "in", backoff)
			sleep(ctx, backoff)
			backoff = min(backoff*2, maxBackoff)
		case n == 0:
			backoff = 100 * time.Millisecond
			select {
			case <-ctx.Done():
			case <-d.Notify:
			case <-time.After(poll):
			}
		default:
			backoff = 100 * time.Millisecond
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// step delivers the next batch after the sink's position: the number of
// outbox events consumed, or an error (then nothing moved).
func (d *Dispatcher) step(ctx context.Context, batch int) (int, error) {
	pos, err := d.Outbox.SinkPosition(ctx, d.Name)
	if err != nil {
		return 0, err
	}
	raw, err := d.Outbox.OutboxAfter(ctx, pos, batch)
	if err != nil || len(raw) == 0 {
		return 0, err
	}
	var evs []Event
	var rawOf []store.OutboxEvent
	for _, r := range raw {
		var a alert.Alert
		if err := json.Unmarshal(r.Body, &a); err != nil {
			if err := d.Outbox.Park(ctx, d.Name, r, "undecodable: "+err.Error()); err != nil {
				return 0, err
			}
			continue
		}
		if d.Filter.Match(a) {
			evs = append(evs, Event{Seq: r.Seq, ID: r.EventID, Alert: a})
			rawOf = append(rawOf, r)
		}
	}
	last := raw[len(raw)-1].Seq
	if len(evs) > 0 {
		n, err := d.deliver(ctx, evs, rawOf)
		if n > 0 && n < len(evs) {
			// Part of the batch was acknowledged: record it, so that it is
			// not sent again, before retrying the rest.
			if perr := d.Outbox.SetSinkPosition(ctx, d.Name, evs[n-1].Seq); perr != nil {
				return 0, perr
			}
		}
		if err != nil {
			return 0, err
		}
	}
	if err := d.Outbox.SetSinkPosition(ctx, d.Name, last); err != nil {
		return 0, err
	}
	if d.Delivered != nil {
		d.Delivered(len(evs))
	}
	return len(raw), nil
}

// deliver sends evs and returns how many, from the first, are done
// (delivered or parked). When the receiver refuses events for good, the
// batch is split to find them; they are parked and the rest go.
func (d *Dispatcher) deliver(ctx context.Context, evs []Event, raw []store.OutboxEvent) (int, error) {
	n, err := d.Sink.Send(ctx, evs)
	var perm *Permanent
	if err == nil || !errors.As(err, &perm) {
		return n, err
	}
	if n > 0 {
		m, err := d.deliver(ctx, evs[n:], raw[n:])
		return n + m, err
	}
	if len(evs) == 1 {
		d.Log.Error("export: event parked", "sink", d.Name, "event", evs[0].ID, "err", err)
		if err := d.Outbox.Park(ctx, d.Name, raw[0], err.Error()); err != nil {
			return 0, err
		}
		return 1, nil
	}
	h := len(evs) / 2
	a, err := d.deliver(ctx, evs[:h], raw[:h])
	if err != nil || a < h {
		return a, err
	}
	b, err := d.deliver(ctx, evs[h:], raw[h:])
	return a + b, err
}

// httpStatusError turns a receiver's status into a transient or permanent
// error: 408, 425, 429 and 5xx are worth retrying, other 4xx are not.
func httpStatusError(status int, body string) error {
	err := fmt.Errorf("HTTP %d: %s", status, body)
	if status == 408 || status == 425 || status == 429 || status >= 500 {
		return err
	}
	return &Permanent{Err: err}
}
