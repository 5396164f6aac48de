package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/controlplane"
)

// ChangeSubscription applies a change to a subscription's settings, appends
// it to the audit log and records the alerts it raised, in one transaction:
// a change is never applied without its audit entry or its alert.
func (s *Store) ChangeSubscription(ctx context.Context, c controlplane.Change, as []alert.Alert) error {
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode change: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	sub := c.After
	if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET name = ?, plan_enabled = ?, mode = ?, prompt_evidence = ?,
		data_security = ?, model_security = ?, source = 'api', updated_at = ?, updated_by = ?, sensitivity = ?, redact = ?, capture = ? WHERE id = ?`,
		sub.Name, flag(sub.Plan), string(sub.Mode), flag(sub.PromptEvidence), flag(sub.DataSecurity), flag(sub.ModelSecurity),
		ts(c.At), c.Principal, sensitivity(sub), strings.Join(sub.Redact, ","), capture(sub), sub.ID); err != nil {
		return fmt.Errorf("change subscription %s: %w", sub.ID, err)
	}
	if err := insertChange(ctx, tx, c, body); err != nil {
		return err
	}
	if err := s.recordAlerts(ctx, tx, as); err != nil {
		return err
	}
	if err := s.notify(ctx, tx, ChannelSettings, sub.ID); err != nil {
		return err
	}
	return tx.Commit()
}

// insertChange appends c (encoded as body) to the audit log.
func insertChange(ctx context.Context, tx *sql.Tx, c controlplane.Change, body []byte) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings_changes (id, subscription, principal, at, body) VALUES (?, ?, ?, ?, ?)`,
		c.ID, c.Subscription, c.Principal, ts(c.At), string(body)); err != nil {
		return fmt.Errorf("audit change %s: %w", c.ID, err)
	}
	return nil
}

// SettingsChanges returns a subscription's changes since a time, oldest
// first, at most limit of them (0: 1000).
func (s *Store) SettingsChanges(ctx context.Context, subscription string, since time.Time, limit int) ([]controlplane.Change, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM settings_changes WHERE subscription = ? AND at >= ?
		ORDER BY at DESC LIMIT ?`, subscription, ts(since), limit)
	if err != nil {
		return nil, fmt.Errorf("list settings changes: %w", err)
	}
	defer rows.Close()
	var out []controlplane.Change
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var c controlplane.Change
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			return nil, fmt.Errorf("decode settings change: %w", err)
		}
		out = append(out, c)
	}
	// Newest were selected (the limit keeps the recent past); return them
	// oldest first.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, rows.Err()
}
