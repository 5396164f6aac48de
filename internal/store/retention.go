package store

import (
	"context"
	"fmt"
	"time"
)

// Retention says how long stored records are kept; zero keeps them.
type Retention struct {
	// Alerts bounds alerts and incidents by when they were last seen,
	// with their comments, and the dashboard's traffic counts.
	Alerts time.Duration
	// Audit bounds the audit logs: changes to subscriptions' settings and
	// the people's actions (API changes, sign-ins, triage, policies,
	// compliance, cases).
	Audit time.Duration
	// Outbox bounds export events, and only those every sink delivered.
	Outbox time.Duration
}

// Purged counts what a purge deleted.
type Purged struct {
	Alerts, Incidents, Changes, Events int64
}

// Purge deletes what retention no longer keeps, in one transaction. sinks
// are the positions' names of the configured export sinks: an event is
// deleted only once each of them delivered it (a sink that never ran holds
// everything).
func (s *Store) Purge(ctx context.Context, now time.Time, r Retention, sinks []string) (Purged, error) {
	var p Purged
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return p, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	exec := func(n *int64, q string, args ...any) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		if n != nil {
			c, _ := res.RowsAffected()
			*n += c
		}
		return nil
	}
	if r.Alerts > 0 {
		cut := ts(now.Add(-r.Alerts))
		for _, step := range []struct {
			n *int64
			q string
		}{
			{nil, `DELETE FROM comments WHERE target IN (SELECT 'alert:' || id FROM alerts WHERE last_seen < ?)`},
			{&p.Alerts, `DELETE FROM alerts WHERE last_seen < ?`},
			{nil, `DELETE FROM comments WHERE target IN (SELECT 'incident:' || id FROM incidents WHERE last_seen < ?)`},
			{nil, `DELETE FROM incident_keys WHERE incident IN (SELECT id FROM incidents WHERE last_seen < ?)`},
			{&p.Incidents, `DELETE FROM incidents WHERE last_seen < ?`},
		} {
			if err := exec(step.n, step.q, cut); err != nil {
				return p, err
			}
		}
		if err := exec(nil, `DELETE FROM traffic_minutes WHERE minute < ?`, fixedTS(now.Add(-r.Alerts))); err != nil {
			return p, err
		}
	}
	if r.Audit > 0 {
		if err := exec(&p.Changes, `DELETE FROM settings_changes WHERE at < ?`, ts(now.Add(-r.Audit))); err != nil {
			return p, err
		}
		if err := exec(&p.Changes, `DELETE FROM audit_events WHERE at < ?`, fixedTS(now.Add(-r.Audit))); err != nil {
			return p, err
		}
	}
	// Sessions past their end are of no use.
	if err := exec(nil, `DELETE FROM sessions WHERE expires_at < ?`, fixedTS(now)); err != nil {
		return p, err
	}
	if r.Outbox > 0 {
		// The lowest position among the sinks; a sink without one holds
		// everything back.
		limit := int64(-1)
		for _, sink := range sinks {
			var seq int64
			err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM sink_positions WHERE sink = ?`, sink).Scan(&seq)
			if err != nil {
				return p, fmt.Errorf("purge: %w", err)
			}
			if limit < 0 || seq < limit {
				limit = seq
			}
		}
		q, args := `DELETE FROM outbox WHERE created_at < ?`, []any{ts(now.Add(-r.Outbox))}
		if limit >= 0 {
			q, args = q+` AND seq <= ?`, append(args, limit)
		}
		if err := exec(&p.Events, q, args...); err != nil {
			return p, err
		}
	}
	// Behaviour windows are minutes long: a day-old count is of no use to
	// anyone.
	cut := ts(now.Add(-24 * time.Hour))
	for _, q := range []string{`DELETE FROM behaviour_counts WHERE window_start < ?`, `DELETE FROM behaviour_alerted WHERE window_start < ?`,
		// Probe kinds per window (habits proper are kept).
		`DELETE FROM behaviour_seen WHERE key LIKE 'recon|%' AND first_seen < ?`} {
		if err := exec(nil, q, cut); err != nil {
			return p, err
		}
	}
	return p, tx.Commit()
}
