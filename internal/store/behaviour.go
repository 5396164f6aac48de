package store

import (
	"context"
	"fmt"
	"time"
)

// ClaimAlert claims the alert for key's window starting at start, unless
// the previous window (starting at prev) was claimed: true for exactly one
// caller across replicas.
func (s *Store) ClaimAlert(ctx context.Context, key string, start, prev time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO behaviour_alerted (key, window_start)
		SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM behaviour_alerted WHERE key = ? AND window_start = ?)
		ON CONFLICT (key, window_start) DO NOTHING`, key, ts(start), key, ts(prev))
	if err != nil {
		return false, fmt.Errorf("behaviour claim: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Learn records value under key and reports whether it is new to every
// replica (true for exactly one caller), and when key was first learned
// into by anyone (the start of its learning period).
func (s *Store) Learn(ctx context.Context, key, value string, now time.Time) (isNew bool, since time.Time, err error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO behaviour_seen (key, value, first_seen) VALUES (?, ?, ?)
		ON CONFLICT (key, value) DO NOTHING`, key, value, ts(now))
	if err != nil {
		return false, time.Time{}, fmt.Errorf("behaviour learn: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, time.Time{}, err
	}
	var first string
	if err := s.db.QueryRowContext(ctx, `SELECT MIN(first_seen) FROM behaviour_seen WHERE key = ?`, key).Scan(&first); err != nil {
		return false, time.Time{}, fmt.Errorf("behaviour learn: %w", err)
	}
	since, err = time.Parse(time.RFC3339Nano, first)
	return n == 1, since, err
}

// Values lists the values learned under key, in order.
func (s *Store) Values(ctx context.Context, key string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT value FROM behaviour_seen WHERE key = ? ORDER BY value`, key)
	if err != nil {
		return nil, fmt.Errorf("behaviour values: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
