package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

// Incident is a group of correlated alerts.
type Incident struct {
	ID             string        `json:"id"`
	Subscription   string        `json:"subscription"`
	Title          string        `json:"title"`
	Severity       string        `json:"severity"`
	Status         string        `json:"status"`
	Assignee       string        `json:"assignee,omitempty"`
	Classification string        `json:"classification,omitempty"`
	FirstSeen      time.Time     `json:"first_seen"`
	LastSeen       time.Time     `json:"last_seen"`
	AlertCount     int           `json:"alert_count"`
	Alerts         []alert.Alert `json:"alerts,omitempty"`   // the story, oldest first
	Comments       []Comment     `json:"comments,omitempty"` // on the incident
}

// Comment is a note on an alert or an incident.
type Comment struct {
	Author string    `json:"author"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

// Update changes the triage fields of an alert or an incident; empty
// fields are left as they are.
type Update struct {
	Status         string `json:"status,omitempty"`
	Assignee       string `json:"assignee,omitempty"`
	Classification string `json:"classification,omitempty"`
	Comment        string `json:"comment,omitempty"`
	Author         string `json:"author,omitempty"`
}

// ErrInvalid is wrapped by errors about a bad update.
var ErrInvalid = errors.New("invalid")

// Validate checks an update's values.
func (u Update) Validate() error {
	switch u.Status {
	case "", "new", "active", "resolved":
	default:
		return fmt.Errorf("status %q (new, active, resolved): %w", u.Status, ErrInvalid)
	}
	switch u.Classification {
	case "", "true_positive", "benign_true_positive", "false_positive":
	default:
		return fmt.Errorf("classification %q (true_positive, benign_true_positive, false_positive): %w", u.Classification, ErrInvalid)
	}
	if u.Comment != "" && u.Author == "" {
		return fmt.Errorf("a comment needs an author: %w", ErrInvalid)
	}
	return nil
}

// UpdateAlert applies u to an alert.
func (s *Store) UpdateAlert(ctx context.Context, id string, u Update) (alert.Alert, error) {
	if err := u.Validate(); err != nil {
		return alert.Alert{}, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return alert.Alert{}, err
	}
	defer tx.Rollback() //nolint:errcheck
	var body string
	if err := tx.QueryRowContext(ctx, `SELECT body FROM alerts WHERE id = ?`, id).Scan(&body); errors.Is(err, sql.ErrNoRows) {
		return alert.Alert{}, fmt.Errorf("alert %s: %w", id, ErrNotFound)
	} else if err != nil {
		return alert.Alert{}, err
	}
	var a alert.Alert
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		return a, err
	}
	before := a
	set(&a.Status, u.Status)
	set(&a.Assignee, u.Assignee)
	set(&a.Classification, u.Classification)
	nb, _ := json.Marshal(a)
	if _, err := tx.ExecContext(ctx, `UPDATE alerts SET status = ?, assignee = ?, classification = ?, body = ? WHERE id = ?`,
		a.Status, a.Assignee, a.Classification, string(nb), id); err != nil {
		return a, err
	}
	if err := addComment(ctx, tx, "alert:"+id, u, s.now()); err != nil {
		return a, err
	}
	if err := triaged(ctx, tx, "alert:"+id, u, s.now(), [3]string{before.Status, before.Assignee, before.Classification},
		[3]string{a.Status, a.Assignee, a.Classification}); err != nil {
		return a, err
	}
	return a, tx.Commit()
}

// UpdateIncident applies u to an incident; resolving it resolves its
// alerts.
func (s *Store) UpdateIncident(ctx context.Context, id string, u Update) (Incident, error) {
	if err := u.Validate(); err != nil {
		return Incident{}, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Incident{}, err
	}
	defer tx.Rollback() //nolint:errcheck
	var was [3]string
	if err := tx.QueryRowContext(ctx, `SELECT status, assignee, classification FROM incidents WHERE id = ?`, id).Scan(&was[0], &was[1], &was[2]); errors.Is(err, sql.ErrNoRows) {
		return Incident{}, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	} else if err != nil {
		return Incident{}, err
	}
	now := [3]string{cmp.Or(u.Status, was[0]), cmp.Or(u.Assignee, was[1]), cmp.Or(u.Classification, was[2])}
	if err := triaged(ctx, tx, "incident:"+id, u, s.now(), was, now); err != nil {
		return Incident{}, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE incidents SET status = coalesce(nullif(?, ''), status), assignee = coalesce(nullif(?, ''), assignee),
		classification = coalesce(nullif(?, ''), classification) WHERE id = ?`, u.Status, u.Assignee, u.Classification, id)
	if err != nil {
		return Incident{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Incident{}, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	}
	if u.Status == "resolved" {
		rows, err := tx.QueryContext(ctx, `SELECT id, body FROM alerts WHERE incident = ?`, id)
		if err != nil {
			return Incident{}, err
		}
		type upd struct{ id, body string }
		var us []upd
		for rows.Next() {
			var aid, body string
			rows.Scan(&aid, &body)
			var a alert.Alert
			if json.Unmarshal([]byte(body), &a) == nil {
				a.Status = "resolved"
				set(&a.Classification, u.Classification)
				nb, _ := json.Marshal(a)
				us = append(us, upd{aid, string(nb)})
			}
		}
		rows.Close()
		for _, x := range us {
			if _, err := tx.ExecContext(ctx, `UPDATE alerts SET status = 'resolved', body = ? WHERE id = ?`, x.body, x.id); err != nil {
				return Incident{}, err
			}
		}
	}
	if err := addComment(ctx, tx, "incident:"+id, u, s.now()); err != nil {
		return Incident{}, err
	}
	if err := tx.Commit(); err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, id)
}

// triaged records a triage update in the audit log (the target's
// history): who, and each field that changed, before and after.
func triaged(ctx context.Context, tx *sql.Tx, target string, u Update, at time.Time, before, after [3]string) error {
	var changes []string
	for i, name := range []string{"status", "assignee", "classification"} {
		if before[i] != after[i] {
			changes = append(changes, fmt.Sprintf("%s %q → %q", name, before[i], after[i]))
		}
	}
	if u.Comment != "" {
		changes = append(changes, "comment")
	}
	if len(changes) == 0 {
		return nil
	}
	return audit(ctx, tx, AuditEvent{At: at, Principal: u.Author, Action: "triage", Target: target, Detail: strings.Join(changes, "; ")})
}

func set(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func addComment(ctx context.Context, tx *sql.Tx, target string, u Update, at time.Time) error {
	if u.Comment == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO comments (target, author, text, created_at) VALUES (?, ?, ?, ?)`,
		target, u.Author, u.Comment, ts(at))
	return err
}

// Comments returns the comments on a target ("alert:<id>", "incident:<id>").
func (s *Store) Comments(ctx context.Context, target string) ([]Comment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT author, text, created_at FROM comments WHERE target = ? ORDER BY created_at`, target)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		var at string
		if err := rows.Scan(&c.Author, &c.Text, &at); err != nil {
			return nil, err
		}
		c.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// IncidentFilter selects incidents; zero fields match everything.
type IncidentFilter struct {
	Subscription, Status, Severity string
	Limit, Offset                  int
}

// Incidents lists incidents, most recent activity first.
func (s *Store) Incidents(ctx context.Context, f IncidentFilter) ([]Incident, error) {
	var where []string
	var args []any
	for _, c := range [][2]string{{"subscription", f.Subscription}, {"status", f.Status}, {"severity", f.Severity}} {
		if c[1] != "" {
			where = append(where, c[0]+" = ?")
			args = append(args, c[1])
		}
	}
	q, args, _ := page(`SELECT id, subscription, title, severity, status, assignee, classification, first_seen, last_seen, alerts FROM incidents`,
		where, args, f.Limit, f.Offset)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	out := []Incident{}
	for rows.Next() {
		var in Incident
		var fs, ls string
		if err := rows.Scan(&in.ID, &in.Subscription, &in.Title, &in.Severity, &in.Status, &in.Assignee, &in.Classification, &fs, &ls, &in.AlertCount); err != nil {
			return nil, err
		}
		in.FirstSeen, _ = time.Parse(time.RFC3339Nano, fs)
		in.LastSeen, _ = time.Parse(time.RFC3339Nano, ls)
		out = append(out, in)
	}
	return out, rows.Err()
}

// Incident returns one incident with its alerts in order (the story) and
// its comments.
func (s *Store) Incident(ctx context.Context, id string) (Incident, error) {
	var in Incident
	var fs, ls string
	err := s.db.QueryRowContext(ctx, `SELECT id, subscription, title, severity, status, assignee, classification, first_seen, last_seen, alerts
		FROM incidents WHERE id = ?`, id).Scan(&in.ID, &in.Subscription, &in.Title, &in.Severity, &in.Status, &in.Assignee, &in.Classification, &fs, &ls, &in.AlertCount)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return in, err
	}
	in.FirstSeen, _ = time.Parse(time.RFC3339Nano, fs)
	in.LastSeen, _ = time.Parse(time.RFC3339Nano, ls)
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM alerts WHERE incident = ? ORDER BY first_seen, id`, id)
	if err != nil {
		return in, err
	}
	defer rows.Close()
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return in, err
		}
		var a alert.Alert
		if err := json.Unmarshal([]byte(body), &a); err == nil {
			in.Alerts = append(in.Alerts, a)
		}
	}
	if err := rows.Err(); err != nil {
		return in, err
	}
	in.Comments, err = s.Comments(ctx, "incident:"+id)
	return in, err
}
