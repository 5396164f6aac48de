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
	"math/rand/v2"
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
	// Batch bounds the events per Send (default 1000); Poll is how often an
	// idle dispatcher looks for new events (default 200 ms); MaxBackoff
	// bounds the wait between retries (default 1 minute).
	Batch      int
	Poll       time.Duration
	MaxBackoff time.Duration
	// MaxAttempts is how many failed attempts in a row an event gets before
	// it is dead-lettered (parked, listed by the API) so the events behind
	// it move (default 20: with the backoff, about ten minutes of a
	// receiver refusing it).
	MaxAttempts int
	// Notify, when set, wakes the dispatcher as soon as alerts are stored.
	Notify <-chan struct{}
	// Delivered, when set, is called with each number of events delivered,
	// partial progress included.
	Delivered func(n int)
	// Failed, when set, is called after each failed attempt.
	Failed func(err error)
	// DeadLettered, when set, is called for each event dead-lettered.
	DeadLettered func()

	head     int64 // the first undelivered event's sequence
	attempts int   // failed attempts in a row at head
	left     *batch
}

// Run delivers until ctx ends. The wait after a failure grows while
// nothing moves and starts again from its base after any progress, a
// partial batch included, with jitter so that sinks retrying together do
// not hit a recovering receiver in step.
func (d *Dispatcher) Run(ctx context.Context) {
	batch := d.Batch
	if batch <= 0 {
		batch = 1000
	}
	poll := d.Poll
	if poll <= 0 {
		poll = 200 * time.Millisecond
	}
	maxBackoff := d.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = time.Minute
	}
	// A receiver that fails now and then is retried at once; one that
	// keeps failing (quickRetries in a row without progress) is waited
	// for, longer each time, from base to MaxBackoff.
	const base, quickRetries = 10 * time.Millisecond, 3
	backoff, streak := base, 0
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
			if n > 0 {
				backoff, streak = base, 0 // it moved: try the rest at once
				continue
			}
			if streak++; streak <= quickRetries {
				continue
			}
			wait := jitter(backoff)
			d.Log.Warn("export: delivery failed, retrying", "sink", d.Name, "err", err, "in", wait, "attempts", d.attempts)
			sleep(ctx, wait)
			backoff = min(backoff*2, maxBackoff)
		case n == 0:
			backoff, streak = base, 0
			select {
			case <-ctx.Done():
			case <-d.Notify:
			case <-time.After(poll):
			}
		default:
			backoff, streak = base, 0
		}
	}
}

// jitter spreads d over [d/2, 3d/2).
func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// step delivers the next batch after the sink's position and returns the
// number of outbox events it moved past (delivered, filtered out or
// dead-lettered), with the error that stopped it if any.
func (d *Dispatcher) step(ctx context.Context, batch int) (int, error) {
	if d.left == nil {
		if err := d.load(ctx, batch); err != nil || d.left == nil {
			return 0, err
		}
	}
	b := d.left
	if len(b.evs) > 0 {
		n, err := d.deliver(ctx, b.evs, b.rawOf)
		if n > 0 && d.Delivered != nil {
			d.Delivered(n)
		}
		if err != nil {
			moved := 0
			if n > 0 {
				// Record what was acknowledged, so that it is not sent
				// again, before retrying the rest.
				if perr := d.Outbox.SetSinkPosition(ctx, d.Name, b.evs[n-1].Seq); perr != nil {
					d.left = nil
					return 0, perr
				}
				moved = countUpTo(b.raw, b.evs[n-1].Seq)
				b.evs, b.rawOf = b.evs[n:], b.rawOf[n:]
			}
			dead, derr := d.failedAt(ctx, b.rawOf[0], err)
			if derr == nil && dead {
				// The head was dead-lettered: move past it.
				derr = d.Outbox.SetSinkPosition(ctx, d.Name, b.rawOf[0].Seq)
				b.evs, b.rawOf = b.evs[1:], b.rawOf[1:]
				moved++
			}
			if derr != nil {
				d.left = nil // read again from the recorded position
				return moved, derr
			}
			if dead {
				return moved, nil
			}
			return moved, err
		}
		d.attempts = 0
	}
	d.left = nil
	if err := d.Outbox.SetSinkPosition(ctx, d.Name, b.last); err != nil {
		return 0, err
	}
	return len(b.raw), nil
}

// batch is the events read after the sink's position and not yet
// delivered: kept between attempts, so a retry does not read and decode
// the outbox again.
type batch struct {
	raw   []store.OutboxEvent // every event read
	evs   []Event             // those the filter takes, still to deliver
	rawOf []store.OutboxEvent // their outbox rows
	last  int64               // the last sequence read
}

// load reads the next batch after the sink's position into d.left (nil
// when there is nothing new).
func (d *Dispatcher) load(ctx context.Context, size int) error {
	pos, err := d.Outbox.SinkPosition(ctx, d.Name)
	if err != nil {
		return err
	}
	raw, err := d.Outbox.OutboxAfter(ctx, pos, size)
	if err != nil || len(raw) == 0 {
		return err
	}
	b := &batch{raw: raw, last: raw[len(raw)-1].Seq}
	for _, r := range raw {
		var a alert.Alert
		if err := json.Unmarshal(r.Body, &a); err != nil {
			if err := d.Outbox.Park(ctx, d.Name, r, "undecodable: "+err.Error()); err != nil {
				return err
			}
			continue
		}
		if d.Filter.Match(a) {
			b.evs = append(b.evs, Event{Seq: r.Seq, ID: r.EventID, Alert: a})
			b.rawOf = append(b.rawOf, r)
		}
	}
	d.left = b
	return nil
}

// countUpTo counts the events of raw up to and including seq.
func countUpTo(raw []store.OutboxEvent, seq int64) int {
	n := 0
	for _, r := range raw {
		if r.Seq <= seq {
			n++
		}
	}
	return n
}

// failedAt counts a failed attempt at the first undelivered event and
// dead-letters it once it has failed MaxAttempts times in a row.
func (d *Dispatcher) failedAt(ctx context.Context, head store.OutboxEvent, err error) (bool, error) {
	if head.Seq != d.head {
		d.head, d.attempts = head.Seq, 0
	}
	d.attempts++
	limit := d.MaxAttempts
	if limit <= 0 {
		limit = 20
	}
	if d.attempts < limit {
		return false, nil
	}
	d.Log.Error("export: event dead-lettered after repeated failures", "sink", d.Name, "event", head.EventID, "attempts", d.attempts, "err", err)
	if perr := d.Outbox.Park(ctx, d.Name, head, fmt.Sprintf("%d attempts: %v", d.attempts, err)); perr != nil {
		return false, perr
	}
	d.attempts = 0
	if d.DeadLettered != nil {
		d.DeadLettered()
	}
	return true, nil
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
		if d.DeadLettered != nil {
			d.DeadLettered()
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
