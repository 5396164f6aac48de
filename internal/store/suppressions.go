package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/controlplane"
)

// AddSuppression stores a suppression rule added at run time with its
// audit entry and the alerts the change raised, in one transaction: a rule
// never takes effect unaudited.
func (s *Store) AddSuppression(ctx context.Context, r alert.Suppression, c controlplane.Change, as []alert.Alert) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.changeSuppressions(ctx, c, as, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO suppressions (id, created_at, body) VALUES (?, ?, ?)`, r.ID, ts(r.CreatedAt), string(body)); err != nil {
			return fmt.Errorf("add suppression: %w", err)
		}
		return nil
	})
}

// DeleteSuppression removes a stored rule with its audit entry;
// ErrNotFound when there is none (and then nothing is audited).
func (s *Store) DeleteSuppression(ctx context.Context, id string, c controlplane.Change) error {
	return s.changeSuppressions(ctx, c, nil, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM suppressions WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete suppression: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("suppression %s: %w", id, ErrNotFound)
		}
		return nil
	})
}

func (s *Store) changeSuppressions(ctx context.Context, c controlplane.Change, as []alert.Alert, change func(*sql.Tx) error) error {
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode change: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if err := change(tx); err != nil {
		return err
	}
	if err := insertChange(ctx, tx, c, body); err != nil {
		return err
	}
	if err := s.recordAlerts(ctx, tx, as); err != nil {
		return err
	}
	if err := s.notify(ctx, tx, ChannelSuppressions, c.ID); err != nil {
		return err
	}
	return tx.Commit()
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
