package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wardenhq/warden/internal/insider"
)

// RiskLevels returns the last assessment of every user, keyed by
// subscription and user.
func (s *Store) RiskLevels(ctx context.Context) (map[[2]string]insider.Assessment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM insider_risk`)
	if err != nil {
		return nil, fmt.Errorf("insider risk: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]insider.Assessment{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var a insider.Assessment
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			return nil, err
		}
		out[[2]string{a.Subscription, a.User}] = a
	}
	return out, rows.Err()
}

// PutRiskLevels keeps assessments, replacing each user's previous one.
func (s *Store) PutRiskLevels(ctx context.Context, as []insider.Assessment) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	for _, a := range as {
		body, err := json.Marshal(a)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO insider_risk (subscription, user_id, level, body) VALUES (?, ?, ?, ?)
			ON CONFLICT (subscription, user_id) DO UPDATE SET level = excluded.level, body = excluded.body`,
			a.Subscription, a.User, a.Level, string(body)); err != nil {
			return fmt.Errorf("insider risk %s: %w", a.User, err)
		}
	}
	return tx.Commit()
}
