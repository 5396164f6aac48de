package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AddCount adds n to key's count in the window starting at start, and
// returns the window's count after the addition and the previous window's
// (starting at prev). Each addition sees a distinct total, so exactly one
// caller, on whichever replica, sees a threshold crossed.
func (s *Store) AddCount(ctx context.Context, key string, start, prev time.Time, n int) (cur, before int, err error) {
	err = s.db.QueryRowContext(ctx, `INSERT INTO behaviour_counts (key, window_start, n) VALUES (?, ?, ?)
		ON CONFLICT (key, window_start) DO UPDATE SET n = behaviour_counts.n + excluded.n RETURNING n`,
		key, ts(start), n).Scan(&cur)
	if err != nil {
		return 0, 0, fmt.Errorf("behaviour count: %w", err)
	}
	err = s.db.QueryRowContext(ctx, `SELECT n FROM behaviour_counts WHERE key = ? AND window_start = ?`, key, ts(prev)).Scan(&before)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("behaviour count: %w", err)
	}
	return cur, before, nil
}

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
