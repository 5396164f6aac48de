package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

// RecordAlerts writes alerts in one transaction: all of them or none.
func (s *Store) RecordAlerts(ctx context.Context, as []alert.Alert) error {
	if len(as) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO alerts
		(id, type, severity, subscription, resource, action, confidence, first_seen, last_seen, fingerprint, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	// The outbox row is written in the same transaction: an alert is
	// exported if and only if it was stored.
	out, err := tx.PrepareContext(ctx, `INSERT INTO outbox (event_id, body, created_at) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer out.Close()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for _, a := range as {
		body, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("encode alert %s: %w", a.ID, err)
		}
		_, err = stmt.ExecContext(ctx, a.ID, a.Type, string(a.Severity), a.Subscription, a.Resource, a.Action,
			a.Confidence, a.FirstSeen.UTC().Format(time.RFC3339Nano), a.LastSeen.UTC().Format(time.RFC3339Nano),
			a.Fingerprint, string(body))
		if err != nil {
			return fmt.Errorf("insert alert %s: %w", a.ID, err)
		}
		if _, err := out.ExecContext(ctx, a.ID, string(body), now); err != nil {
			return fmt.Errorf("outbox %s: %w", a.ID, err)
		}
	}
	return tx.Commit()
}

// AlertFilter selects alerts; zero fields match everything.
type AlertFilter struct {
	Subscription string
	Type         string
	Severity     string
	Since        time.Time
	Limit        int
	Offset       int
}

// Alerts lists alerts, newest first.
func (s *Store) Alerts(ctx context.Context, f AlertFilter) ([]alert.Alert, error) {
	var where []string
	var args []any
	if f.Subscription != "" {
		where = append(where, "subscription = ?")
		args = append(args, f.Subscription)
	}
	if f.Type != "" {
		where = append(where, "type = ?")
		args = append(args, f.Type)
	}
	if f.Severity != "" {
		where = append(where, "severity = ?")
		args = append(args, f.Severity)
	}
	if !f.Since.IsZero() {
		where = append(where, "last_seen >= ?")
		args = append(args, f.Since.UTC().Format(time.RFC3339Nano))
	}
	q := "SELECT body FROM alerts"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q += " ORDER BY last_seen DESC, id LIMIT ? OFFSET ?"
	args = append(args, limit, f.Offset)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	out := []alert.Alert{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var a alert.Alert
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			return nil, fmt.Errorf("decode alert: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Alert returns one alert by id.
func (s *Store) Alert(ctx context.Context, id string) (alert.Alert, error) {
	var a alert.Alert
	var body string
	err := s.db.QueryRowContext(ctx, "SELECT body FROM alerts WHERE id = ?", id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("alert %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, err
	}
	err = json.Unmarshal([]byte(body), &a)
	return a, err
}
