package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/controlplane"
	"github.com/wardenhq/warden/internal/subscription"
)

const subscriptionColumns = `id, name, plan_enabled, mode, prompt_evidence, data_security, model_security, source, updated_at, updated_by, sensitivity, redact, capture`

// flag is a boolean as the integer column holds it (0 or 1): PostgreSQL
// does not take a boolean for an integer, as SQLite does.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// capture is what a subscription keeps of content ("off" when unset).
func capture(s subscription.Settings) string {
	if s.Capture == "" {
		return subscription.CaptureOff
	}
	return s.Capture
}

// SeedSubscriptions writes the subscriptions of the configuration file. A
// subscription changed through the API since (source "api") keeps its
// run-time settings; one still owned by the configuration is updated.
func (s *Store) SeedSubscriptions(ctx context.Context, subs []subscription.Settings, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	for _, sub := range subs {
		_, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (`+subscriptionColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'config', ?, 'config', ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, plan_enabled = excluded.plan_enabled,
				mode = excluded.mode, prompt_evidence = excluded.prompt_evidence,
				data_security = excluded.data_security, model_security = excluded.model_security,
				updated_at = excluded.updated_at, sensitivity = excluded.sensitivity, redact = excluded.redact,
				capture = excluded.capture
			WHERE subscriptions.source = 'config'`,
			sub.ID, sub.Name, flag(sub.Plan), string(sub.Mode), flag(sub.PromptEvidence), flag(sub.DataSecurity), flag(sub.ModelSecurity),
			now.UTC().Format(time.RFC3339Nano), sensitivity(sub), strings.Join(sub.Redact, ","), capture(sub))
		if err != nil {
			return fmt.Errorf("seed subscription %s: %w", sub.ID, err)
		}
	}
	if err := s.notify(ctx, tx, ChannelSettings, ""); err != nil {
		return err
	}
	return tx.Commit()
}

// PutSubscription writes a subscription's settings as changed at run time.
func (s *Store) PutSubscription(ctx context.Context, sub subscription.Settings) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO subscriptions (`+subscriptionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'api', ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, plan_enabled = excluded.plan_enabled,
			mode = excluded.mode, prompt_evidence = excluded.prompt_evidence,
			data_security = excluded.data_security, model_security = excluded.model_security,
			source = 'api', updated_at = excluded.updated_at, updated_by = excluded.updated_by,
			sensitivity = excluded.sensitivity, redact = excluded.redact, capture = excluded.capture`,
		sub.ID, sub.Name, flag(sub.Plan), string(sub.Mode), flag(sub.PromptEvidence), flag(sub.DataSecurity), flag(sub.ModelSecurity),
		sub.UpdatedAt.UTC().Format(time.RFC3339Nano), sub.UpdatedBy, sensitivity(sub), strings.Join(sub.Redact, ","), capture(sub))
	if err != nil {
		return fmt.Errorf("put subscription %s: %w", sub.ID, err)
	}
	return s.notify(ctx, s.db, ChannelSettings, sub.ID)
}

// Subscriptions returns every subscription's settings.
func (s *Store) Subscriptions(ctx context.Context) ([]subscription.Settings, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	defer rows.Close()
	var out []subscription.Settings
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// Subscription returns one subscription's settings.
func (s *Store) Subscription(ctx context.Context, id string) (subscription.Settings, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = ?`, id)
	sub, err := scanSubscription(row)
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fmt.Errorf("subscription %s: %w", id, ErrNotFound)
	}
	return sub, err
}

func scanSubscription(r interface{ Scan(...any) error }) (subscription.Settings, error) {
	var sub subscription.Settings
	var mode, updated, redact string
	err := r.Scan(&sub.ID, &sub.Name, &sub.Plan, &mode, &sub.PromptEvidence, &sub.DataSecurity,
		&sub.ModelSecurity, &sub.Source, &updated, &sub.UpdatedBy, &sub.Sensitivity, &redact, &sub.Capture)
	if err != nil {
		return sub, err
	}
	sub.Redact = []string{}
	if redact != "" {
		sub.Redact = strings.Split(redact, ",")
	}
	sub.Mode = subscription.Mode(mode)
	sub.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return sub, nil
}

func sensitivity(s subscription.Settings) string {
	if s.Sensitivity == "" {
		return "medium"
	}
	return s.Sensitivity
}

// CreateSubscription adds a subscription (c.After) with its audit entry,
// in one transaction; ErrConflict when the id is taken.
func (s *Store) CreateSubscription(ctx context.Context, c controlplane.Change) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		sub := c.After
		res, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (`+subscriptionColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'api', ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			sub.ID, sub.Name, flag(sub.Plan), string(sub.Mode), flag(sub.PromptEvidence), flag(sub.DataSecurity), flag(sub.ModelSecurity),
			ts(c.At), c.Principal, sensitivity(sub), strings.Join(sub.Redact, ","), capture(sub))
		if err != nil {
			return fmt.Errorf("create subscription %s: %w", sub.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: subscription %s exists", ErrConflict, sub.ID)
		}
		if err := insertChange(ctx, tx, c, body); err != nil {
			return err
		}
		return s.notify(ctx, tx, ChannelSettings, sub.ID)
	})
}

// DeleteSubscription removes a subscription (c.Before) with its audit
// entry, in one transaction; ErrNotFound when there is none. Its alerts,
// interactions and audit log stay.
func (s *Store) DeleteSubscription(ctx context.Context, c controlplane.Change) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = ?`, c.Subscription)
		if err != nil {
			return fmt.Errorf("delete subscription %s: %w", c.Subscription, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := insertChange(ctx, tx, c, body); err != nil {
			return err
		}
		return s.notify(ctx, tx, ChannelSettings, c.Subscription)
	})
}
