package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PutFeed keeps a threat-intelligence feed's validated bytes, fetched at
// at, for the replicas that do not fetch it themselves.
func (s *Store) PutFeed(ctx context.Context, name string, body []byte, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO intel_feeds (name, body, fetched_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at`, name, body, ts(at))
	if err != nil {
		return fmt.Errorf("feed %s: %w", name, err)
	}
	return nil
}

// Feed returns a kept feed and when it was fetched; ok is false when none
// is kept.
func (s *Store) Feed(ctx context.Context, name string) (body []byte, at time.Time, ok bool, err error) {
	var when string
	err = s.db.QueryRowContext(ctx, `SELECT body, fetched_at FROM intel_feeds WHERE name = ?`, name).Scan(&body, &when)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("feed %s: %w", name, err)
	}
	at, err = time.Parse(time.RFC3339Nano, when)
	return body, at, err == nil, err
}
