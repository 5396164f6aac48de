package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OutboxEvent is one event waiting to be exported: an alert as JSON.
type OutboxEvent struct {
	Seq     int64
	EventID string
	Body    []byte
}

// OutboxAfter returns up to limit events after seq, in order.
func (s *Store) OutboxAfter(ctx context.Context, seq int64, limit int) ([]OutboxEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, event_id, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEvent
	for rows.Next() {
		var e OutboxEvent
		var body string
		if err := rows.Scan(&e.Seq, &e.EventID, &body); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		e.Body = []byte(body)
		out = append(out, e)
	}
	return out, rows.Err()
}

// SinkPosition returns the last outbox sequence a sink delivered (0 for a
// new sink).
func (s *Store) SinkPosition(ctx context.Context, sink string) (int64, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, `SELECT seq FROM sink_positions WHERE sink = ?`, sink).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sink position: %w", err)
	}
	return seq, nil
}

// SetSinkPosition records that a sink delivered everything up to seq.
func (s *Store) SetSinkPosition(ctx context.Context, sink string, seq int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sink_positions (sink, seq) VALUES (?, ?)
		ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > sink_positions.seq`, sink, seq)
	if err != nil {
		return fmt.Errorf("sink position: %w", err)
	}
	return nil
}

// Park sets aside an event a sink can never deliver, with why.
func (s *Store) Park(ctx context.Context, sink string, e OutboxEvent, reason string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sink_parked (sink, seq, event_id, error, parked_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (sink, seq) DO UPDATE SET event_id = excluded.event_id, error = excluded.error, parked_at = excluded.parked_at`,
		sink, e.Seq, e.EventID, reason, s.now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("park: %w", err)
	}
	return nil
}

// Parked counts the events a sink parked.
func (s *Store) Parked(ctx context.Context, sink string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sink_parked WHERE sink = ?`, sink).Scan(&n)
	return n, err
}

// DeadLetter is an event a sink set aside: refused for good, or failed
// too many times in a row.
type DeadLetter struct {
	Sink     string    `json:"sink"`
	Seq      int64     `json:"seq"`
	EventID  string    `json:"event_id"`
	Error    string    `json:"error"`
	ParkedAt time.Time `json:"parked_at"`
}

// DeadLetters returns a sink's dead letters, newest first.
func (s *Store) DeadLetters(ctx context.Context, sink string, limit int) ([]DeadLetter, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sink, seq, event_id, error, parked_at FROM sink_parked WHERE sink = ? ORDER BY seq DESC LIMIT ?`, sink, limit)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var d DeadLetter
		var at string
		if err := rows.Scan(&d.Sink, &d.Seq, &d.EventID, &d.Error, &at); err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		d.ParkedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// SinkState is where a sink stands: its position in the outbox, the events
// after it, and its dead letters.
type SinkState struct {
	Sink        string `json:"sink"`
	Position    int64  `json:"position"`
	Pending     int64  `json:"pending"`
	DeadLetters int64  `json:"dead_letters"`
}

// SinkStates returns the state of each named sink.
func (s *Store) SinkStates(ctx context.Context, sinks []string) ([]SinkState, error) {
	var out []SinkState
	for _, sink := range sinks {
		st := SinkState{Sink: sink}
		err := s.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT seq FROM sink_positions WHERE sink = ?), 0)`, sink).Scan(&st.Position)
		if err == nil {
			err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE seq > ?`, st.Position).Scan(&st.Pending)
		}
		if err == nil {
			err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM sink_parked WHERE sink = ?`, sink).Scan(&st.DeadLetters)
		}
		if err != nil {
			return nil, fmt.Errorf("sink %s: %w", sink, err)
		}
		out = append(out, st)
	}
	return out, nil
}
