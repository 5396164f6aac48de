package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wardenhq/warden/internal/alert"
)

// AddSuppression stores a suppression rule added at run time.
func (s *Store) AddSuppression(ctx context.Context, r alert.Suppression) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO suppressions (id, created_at, body) VALUES (?, ?, ?)`, r.ID, ts(r.CreatedAt), string(body)); err != nil {
		return fmt.Errorf("add suppression: %w", err)
	}
	return nil
}

// DeleteSuppression removes a stored rule; ErrNotFound when there is none.
func (s *Store) DeleteSuppression(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM suppressions WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete suppression: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("suppression %s: %w", id, ErrNotFound)
	}
	return nil
}

// Suppressions returns the stored rules, oldest first.
func (s *Store) Suppressions(ctx context.Context) ([]alert.Suppression, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM suppressions ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list suppressions: %w", err)
	}
	defer rows.Close()
	var out []alert.Suppression
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var r alert.Suppression
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, fmt.Errorf("decode suppression: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
