package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Case statuses.
const (
	CaseOpen   = "open"
	CaseClosed = "closed"
)

// Case is an eDiscovery case: a named investigation holding searches
// (what its export contains) and holds.
type Case struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
}

// CaseSearch is a search saved in a case: words and phrases over captured
// content (Text) and metadata filters.
type CaseSearch struct {
	ID            string    `json:"id"`
	Case          string    `json:"case"`
	Text          string    `json:"text,omitempty"`
	Subscription  string    `json:"subscription,omitempty"`
	Application   string    `json:"application,omitempty"`
	User          string    `json:"user,omitempty"`
	SensitiveType string    `json:"sensitive_type,omitempty"`
	Verdict       string    `json:"verdict,omitempty"`
	From          time.Time `json:"from,omitzero"`
	To            time.Time `json:"to,omitzero"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// PutCase opens a case, with its audit event.
func (s *Store) PutCase(ctx context.Context, c Case, e AuditEvent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ediscovery_cases (id, name, description, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, c.Name, c.Description, c.Status, c.CreatedBy, fixedTS(c.CreatedAt)); err != nil {
			return fmt.Errorf("case %s: %w", c.ID, err)
		}
		return audit(ctx, tx, e)
	})
}

func scanCase(sc interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var at, closed string
	if err := sc.Scan(&c.ID, &c.Name, &c.Description, &c.Status, &c.CreatedBy, &at, &closed); err != nil {
		return c, err
	}
	c.CreatedAt, _ = time.Parse(fixedLayout, at)
	c.ClosedAt, _ = time.Parse(fixedLayout, closed)
	return c, nil
}

const caseColumns = `id, name, description, status, created_by, created_at, closed_at FROM ediscovery_cases`

// Cases lists the cases, newest first.
func (s *Store) Cases(ctx context.Context) ([]Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+caseColumns+` ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Case returns one case; ErrNotFound when none.
func (s *Store) Case(ctx context.Context, id string) (Case, error) {
	c, err := scanCase(s.db.QueryRowContext(ctx, `SELECT `+caseColumns+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// CloseCase closes an open case and releases its holds, with its audit
// event, in one transaction; ErrNotFound when no open case has the id.
func (s *Store) CloseCase(ctx context.Context, id string, e AuditEvent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ediscovery_cases SET status = ?, closed_at = ? WHERE id = ? AND status = ?`,
			CaseClosed, fixedTS(e.At), id, CaseOpen)
		if err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM holds WHERE case_id = ?`, id); err != nil {
			return fmt.Errorf("case %s holds: %w", id, err)
		}
		return audit(ctx, tx, e)
	})
}

// AddCaseSearch saves a search in a case, with its audit event.
func (s *Store) AddCaseSearch(ctx context.Context, cs CaseSearch, e AuditEvent) error {
	body, err := json.Marshal(cs)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_searches (id, case_id, body, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			cs.ID, cs.Case, string(body), cs.CreatedBy, fixedTS(cs.CreatedAt)); err != nil {
			return fmt.Errorf("case search %s: %w", cs.ID, err)
		}
		return audit(ctx, tx, e)
	})
}

// CaseSearches lists a case's searches, oldest first.
func (s *Store) CaseSearches(ctx context.Context, caseID string) ([]CaseSearch, error) {
	return listBodies[CaseSearch](ctx, s.db, "case searches", `SELECT body FROM case_searches WHERE case_id = ? ORDER BY created_at, id`, caseID)
}
