package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ObserveSensitive records that a resource returned the given sensitive
// information types at now, and returns those it had never returned before
// once its learning period is over. During the learning period (counted
// from the first time the resource was seen here) every type is learnt
// without being reported. Only types are kept, never values.
func (s *Store) ObserveSensitive(ctx context.Context, subscription, resource string, kinds []string, now time.Time, learning time.Duration) ([]string, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("observe sensitive types: %w", err)
	}
	defer tx.Rollback()
	ts := now.UTC().Format(time.RFC3339Nano)
	if _, err := tx.ExecContext(ctx, `INSERT INTO resource_watch (subscription, resource, first_seen) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, subscription, resource, ts); err != nil {
		return nil, fmt.Errorf("observe sensitive types: %w", err)
	}
	var first string
	if err := tx.QueryRowContext(ctx, `SELECT first_seen FROM resource_watch WHERE subscription = ? AND resource = ?`,
		subscription, resource).Scan(&first); err != nil {
		return nil, fmt.Errorf("observe sensitive types: %w", err)
	}
	since, err := time.Parse(time.RFC3339Nano, first)
	if err != nil {
		return nil, fmt.Errorf("observe sensitive types: bad first_seen %q: %w", first, err)
	}
	learnt := now.Sub(since) >= learning
	var novel []string
	for _, k := range kinds {
		var x string
		err := tx.QueryRowContext(ctx, `SELECT kind FROM sensitive_seen WHERE subscription = ? AND resource = ? AND kind = ?`,
			subscription, resource, k).Scan(&x)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO sensitive_seen (subscription, resource, kind, first_seen) VALUES (?, ?, ?, ?)`,
				subscription, resource, k, ts); err != nil {
				return nil, fmt.Errorf("observe sensitive types: %w", err)
			}
			if learnt {
				novel = append(novel, k)
			}
		case err != nil:
			return nil, fmt.Errorf("observe sensitive types: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("observe sensitive types: %w", err)
	}
	return novel, nil
}
