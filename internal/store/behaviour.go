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
