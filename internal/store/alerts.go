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
	"github.com/wardenhq/warden/internal/scan"
)

// RecordAlerts writes alerts in one transaction: all of them or none.
// An alert whose fingerprint matches an open alert seen within the
// aggregation window is folded into it (count, last seen, highest severity)
// instead of flooding; a new alert joins the open incident that shares its
// user, address or resource within the incident window, or starts one.
// Every stored alert and every update of one is an outbox event in the same
// transaction, except suppressed alerts, which are kept but not exported.
func (s *Store) RecordAlerts(ctx context.Context, as []alert.Alert) error {
	if len(as) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if err := s.recordAlerts(ctx, tx, as); err != nil {
		return err
	}
	return tx.Commit()
}

// RecordAlertsOnce records a batch replayed from the journal's spool,
// unless a batch with the same key was recorded before: the key and the
// alerts are written in one transaction, so a replay that a crash cut short
// neither loses a batch nor counts one twice.
func (s *Store) RecordAlertsOnce(ctx context.Context, key string, as []alert.Alert) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	res, err := tx.ExecContext(ctx, `INSERT INTO spool_applied (key, applied_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		key, s.now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("spool batch %s: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // recorded before
	}
	if err := s.recordAlerts(ctx, tx, as); err != nil {
		return err
	}
	return tx.Commit()
}

// recordAlerts is RecordAlerts inside the caller's transaction.
func (s *Store) recordAlerts(ctx context.Context, sqlTx *sql.Tx, as []alert.Alert) error {
	// A batch runs the same few statements for every alert: prepared once
	// per transaction, SQLite parses each once, not once per alert (the
	// parsing was a third of the time of a large batch).
	if err := s.takeLocks(ctx, sqlTx, batchLocks(as, !s.noOutbox)); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	tx := prepared(sqlTx)
	defer tx.close()
	now := s.now().UTC().Format(time.RFC3339Nano)
	for _, a := range as {
		if a.Status == "" {
			a.Status = "new"
		}
		// An id already stored is a repeat (a replay, a retry), not a new
		// alert: it is skipped, so one repeat cannot fail the batch of
		// alerts around it, nor be folded or exported twice.
		var one int
		switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM alerts WHERE id = ?`, a.ID).Scan(&one); {
		case err == nil:
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("alert %s: %w", a.ID, err)
		}
		p, err := s.windows.Place(ctx, history{tx}, a)
		if err != nil {
			return err
		}
		a, merged := p.Alert, p.Folded
		var body []byte
		if merged {
			if err := foldInto(ctx, tx, a); err != nil {
				return err
			}
		} else {
			if p.Incident != "" {
				if err := joinIncident(ctx, tx, p); err != nil {
					return err
				}
			}
			if body, err = json.Marshal(a); err != nil {
				return fmt.Errorf("encode alert %s: %w", a.ID, err)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO alerts
				(id, type, severity, subscription, resource, action, confidence, first_seen, last_seen, fingerprint, status, incident, body)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, a.ID, a.Type, string(a.Severity), a.Subscription, a.Resource, a.Action,
				a.Confidence, ts(a.FirstSeen), ts(a.LastSeen), a.Fingerprint, a.Status, a.Incident, string(body))
			if err != nil {
				return fmt.Errorf("insert alert %s: %w", a.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
		}
		if a.Status == "suppressed" || s.noOutbox {
			continue
		}
		// The outbox row is written in the same transaction: an alert is
		// exported if and only if it was stored. An update carries the
		// alert's count in its event id, so receivers keep both.
		if body == nil {
			if body, err = json.Marshal(a); err != nil {
				return err
			}
		}
		eventID := a.ID
		if merged {
			eventID = fmt.Sprintf("%s#%d", a.ID, a.Count)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (event_id, body, created_at) VALUES (?, ?, ?)`, eventID, string(body), now); err != nil {
			return fmt.Errorf("outbox %s: %w", a.ID, err)
		}
	}
	return nil
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// foldInto writes an alert that a repeat was folded into, and moves its
// incident along.
func foldInto(ctx context.Context, tx txq, a alert.Alert) error {
	nb, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE alerts SET last_seen = ?, severity = ?, confidence = ?, body = ? WHERE id = ?`,
		ts(a.LastSeen), string(a.Severity), a.Confidence, string(nb), a.ID); err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	if a.Incident != "" {
		return bumpIncident(ctx, tx, a.Incident, a.Severity, a.LastSeen, 0)
	}
	return nil
}

// bumpIncident raises an incident's severity to sev if higher, moves its
// last seen time, adds alerts to its count and reopens it if resolved.
func bumpIncident(ctx context.Context, tx txq, id string, sev scan.Severity, last time.Time, alerts int) error {
	// One statement: the higher severity of the incident's and this one's
	// (ranked as scan.Severity.Rank does).
	res, err := tx.ExecContext(ctx, `UPDATE incidents SET
		severity = CASE WHEN `+sevRank("?")+` > `+sevRank("severity")+` THEN ? ELSE severity END,
		last_seen = CASE WHEN last_seen > ? THEN last_seen ELSE ? END, alerts = alerts + ?,
		status = CASE WHEN status = 'resolved' THEN 'active' ELSE status END WHERE id = ?`,
		string(sev), string(sev), ts(last), ts(last), alerts, id)
	if err != nil {
		return fmt.Errorf("incident %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("incident %s: %w", id, sql.ErrNoRows)
	}
	return nil
}

// sevRank is an SQL expression ranking the severity in expr.
func sevRank(expr string) string {
	return fmt.Sprintf(`(CASE %s WHEN '%s' THEN 1 WHEN '%s' THEN 2 WHEN '%s' THEN 3 WHEN '%s' THEN 4 ELSE 0 END)`,
		expr, scan.SeverityLow, scan.SeverityMedium, scan.SeverityHigh, scan.SeverityCritical)
}

// joinIncident writes a new alert's place in its incident: the incident
// (created if new), its count, severity and last seen, and the keys later
// alerts correlate on.
func joinIncident(ctx context.Context, tx txq, p alert.Placement) error {
	a, id := p.Alert, p.Incident
	if p.NewIncident {
		if _, err := tx.ExecContext(ctx, `INSERT INTO incidents (id, subscription, title, severity, first_seen, last_seen, alerts)
			VALUES (?, ?, ?, ?, ?, ?, 0)`, id, a.Subscription, a.DisplayName, string(a.Severity), ts(a.FirstSeen), ts(a.LastSeen)); err != nil {
			return fmt.Errorf("incident: %w", err)
		}
	}
	if err := bumpIncident(ctx, tx, id, a.Severity, a.LastSeen, 1); err != nil {
		return err
	}
	cache, _ := tx.(*stmtTx)
	for _, k := range p.Keys {
		if cache != nil && k.Kind == "user" {
			ck := [3]string{k.Kind, k.Value, a.Subscription}
			if cache.incidentOf[ck] == id {
				continue
			}
			cache.incidentOf[ck] = id
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_keys (incident, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, id, k.Kind, k.Value); err != nil {
			return fmt.Errorf("incident: %w", err)
		}
	}
	return nil
}

// history reads stored alerts and incidents for alert.Windows.Place,
// inside the recording transaction.
type history struct{ tx txq }

// LastOpen implements alert.History.
func (h history) LastOpen(ctx context.Context, fp string, since time.Time) (alert.Alert, bool, error) {
	var body string
	err := h.tx.QueryRowContext(ctx, `SELECT body FROM alerts WHERE fingerprint = ? AND status IN ('new', 'active', 'suppressed')
		AND last_seen >= ? ORDER BY last_seen DESC LIMIT 1`, fp, ts(since)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return alert.Alert{}, false, nil
	}
	if err != nil {
		return alert.Alert{}, false, fmt.Errorf("aggregate: %w", err)
	}
	var old alert.Alert
	if err := json.Unmarshal([]byte(body), &old); err != nil {
		return alert.Alert{}, false, fmt.Errorf("aggregate: %w", err)
	}
	return old, true, nil
}

// OpenIncident implements alert.History. Within one batch the same users
// recur: the incident a user led to is remembered for the rest of the
// transaction.
func (h history) OpenIncident(ctx context.Context, sub string, k alert.Key, since time.Time, userless bool) (string, error) {
	cache, _ := h.tx.(*stmtTx)
	if cache != nil && !userless {
		if id := cache.incidentOf[[3]string{k.Kind, k.Value, sub}]; id != "" {
			return id, nil
		}
	}
	q := `SELECT i.id FROM incident_keys k JOIN incidents i ON i.id = k.incident
		WHERE k.kind = ? AND k.value = ? AND i.subscription = ? AND i.status != 'resolved' AND i.last_seen >= ?`
	if userless {
		q += ` AND NOT EXISTS (SELECT 1 FROM incident_keys u WHERE u.incident = i.id AND u.kind = 'user')`
	}
	var id string
	err := h.tx.QueryRowContext(ctx, q+` ORDER BY i.last_seen DESC LIMIT 1`, k.Kind, k.Value, sub, ts(since)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("correlate: %w", err)
	}
	return id, nil
}

// AlertFilter selects alerts; zero fields match everything. User,
// Application and RequestID match the alert's entities and request id
// exactly.
type AlertFilter struct {
	Subscription string
	Type         string
	Severity     string
	Status       string
	Resource     string
	User         string
	Application  string
	RequestID    string
	Since        time.Time
	Until        time.Time
	Limit        int
	Offset       int
}

// jsonLike is a LIKE pattern (with ESCAPE '\') for text as JSON encodes
// it, between prefix and suffix: exact matching of a field inside the
// alert's body, whatever the value holds.
func jsonLike(prefix, v, suffix string) string {
	b, _ := json.Marshal(v)
	esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
	return "%" + esc.Replace(prefix) + esc.Replace(string(b)) + esc.Replace(suffix) + "%"
}

// where is f as SQL conditions and their arguments.
func (f AlertFilter) where() ([]string, []any) {
	var where []string
	var args []any
	add := func(c string, v ...any) { where, args = append(where, c), append(args, v...) }
	for col, v := range map[string]string{"subscription": f.Subscription, "type": f.Type, "severity": f.Severity, "status": f.Status, "resource": f.Resource} {
		if v != "" {
			add(col+" = ?", v)
		}
	}
	for kind, v := range map[string]string{"user": f.User, "application": f.Application} {
		if v != "" {
			// An entity is {"kind":K,"id":V} then "," (attrs) or "}".
			add(`(body LIKE ? ESCAPE '\' OR body LIKE ? ESCAPE '\')`,
				jsonLike(`{"kind":"`+kind+`","id":`, v, ","), jsonLike(`{"kind":"`+kind+`","id":`, v, "}"))
		}
	}
	if f.RequestID != "" {
		add(`body LIKE ? ESCAPE '\'`, jsonLike(`"request_id":`, f.RequestID, ""))
	}
	if !f.Since.IsZero() {
		add("last_seen >= ?", f.Since.UTC().Format(time.RFC3339Nano))
	}
	if !f.Until.IsZero() {
		add("last_seen < ?", f.Until.UTC().Format(time.RFC3339Nano))
	}
	return where, args
}

// CountAlerts counts the alerts f selects (its paging aside).
func (s *Store) CountAlerts(ctx context.Context, f AlertFilter) (int, error) {
	where, args := f.where()
	q := "SELECT COUNT(*) FROM alerts"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	var n int
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count alerts: %w", err)
	}
	return n, nil
}

// Alerts lists alerts, newest first.
func (s *Store) Alerts(ctx context.Context, f AlertFilter) ([]alert.Alert, error) {
	where, args := f.where()
	q, args, limit := page("SELECT body FROM alerts", where, args, f.Limit, f.Offset)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	out, _, err := decodeAlerts(rows, limit)
	if out == nil {
		out = []alert.Alert{}
	}
	return out, err
}

// page completes a list query: its conditions, newest first, and a page of
// at most 1000 rows (100 when limit is unset); it returns the limit used.
func page(q string, where []string, args []any, limit, offset int) (string, []any, int) {
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return q + " ORDER BY last_seen DESC, id LIMIT ? OFFSET ?", append(args, limit, offset), limit
}

// decodeAlerts reads up to limit alerts from rows of bodies; more reports
// whether another row followed.
func decodeAlerts(rows *sql.Rows, limit int) (as []alert.Alert, more bool, err error) {
	for rows.Next() {
		if len(as) == limit {
			return as, true, nil
		}
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, false, err
		}
		var a alert.Alert
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			return nil, false, fmt.Errorf("decode alert: %w", err)
		}
		as = append(as, a)
	}
	return as, false, rows.Err()
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

// AlertsOfTypes returns up to limit alerts of the given types last seen in
// [since, until), newest first, for one subscription or all (""); more
// reports whether there were more.
func (s *Store) AlertsOfTypes(ctx context.Context, subscription string, types []string, since, until time.Time, limit int) (as []alert.Alert, more bool, err error) {
	q := `SELECT body FROM alerts WHERE last_seen >= ? AND last_seen < ? AND type IN (?` + strings.Repeat(", ?", len(types)-1) + `)`
	args := []any{ts(since), ts(until)}
	for _, t := range types {
		args = append(args, t)
	}
	if subscription != "" {
		q += ` AND subscription = ?`
		args = append(args, subscription)
	}
	q += ` ORDER BY last_seen DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("alerts of types: %w", err)
	}
	defer rows.Close()
	return decodeAlerts(rows, limit)
}

// txq is what writing alerts needs of a transaction.
type txq interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtTx is a transaction that prepares each statement text once.
type stmtTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// incidentOf is the incident each (kind, value, subscription) key was
	// correlated to in this transaction (see correlate).
	incidentOf map[[3]string]string
}

func prepared(tx *sql.Tx) *stmtTx {
	return &stmtTx{tx: tx, stmts: map[string]*sql.Stmt{}, incidentOf: map[[3]string]string{}}
}

func (t *stmtTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	return st, nil
}

// ExecContext implements txq.
func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowContext implements txq. A statement that fails to prepare is
// run unprepared, so its error reaches the caller's Scan.
func (t *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (t *stmtTx) close() {
	for _, st := range t.stmts {
		st.Close()
	}
}
