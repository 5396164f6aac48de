package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/internal/interaction"
)

// ChannelCompliance announces a change to the compliance policies.
const ChannelCompliance = "warden_compliance"

// Review statuses: an item waits for a reviewer, who resolves it or
// escalates it for investigation.
const (
	ReviewPending   = "pending"
	ReviewResolved  = "resolved"
	ReviewEscalated = "escalated"
)

// AuditEvent is one action a person took on compliance or eDiscovery
// records: who, when, what, on what, and their note or reason.
type AuditEvent struct {
	At        time.Time `json:"at"`
	Principal string    `json:"principal"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	Detail    string    `json:"detail,omitempty"`
}

func audit(ctx context.Context, tx txq, e AuditEvent) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, principal, action, target, detail) VALUES (?, ?, ?, ?, ?)`,
		fixedTS(e.At), e.Principal, e.Action, e.Target, e.Detail); err != nil {
		return fmt.Errorf("audit %s %s: %w", e.Action, e.Target, err)
	}
	return nil
}

// AuditEvents lists audit events, newest first: of one target (a review
// item, a policy, a case) or all with "", at most limit (0: 1000).
func (s *Store) AuditEvents(ctx context.Context, target string, limit int) ([]AuditEvent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q, args := `SELECT at, principal, action, target, detail FROM audit_events`, []any{}
	if target != "" {
		q, args = q+` WHERE target = ?`, append(args, target)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY at DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	defer rows.Close()
	out := []AuditEvent{}
	for rows.Next() {
		var e AuditEvent
		var at string
		if err := rows.Scan(&at, &e.Principal, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(fixedLayout, at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// PutCompliancePolicy adds a policy and its audit event, and tells the
// other replicas.
func (s *Store) PutCompliancePolicy(ctx context.Context, p interaction.Policy, e AuditEvent) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO compliance_policies (id, body, created_at) VALUES (?, ?, ?)`,
			p.ID, string(body), fixedTS(p.CreatedAt)); err != nil {
			return fmt.Errorf("policy %s: %w", p.ID, err)
		}
		if err := audit(ctx, tx, e); err != nil {
			return err
		}
		return s.notify(ctx, tx, ChannelCompliance, p.ID)
	})
}

// DeleteCompliancePolicy removes a policy (its review items stay) with
// its audit event; ErrNotFound when there is none.
func (s *Store) DeleteCompliancePolicy(ctx context.Context, id string, e AuditEvent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM compliance_policies WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("policy %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := audit(ctx, tx, e); err != nil {
			return err
		}
		return s.notify(ctx, tx, ChannelCompliance, id)
	})
}

// CompliancePolicies lists the policies, oldest first.
func (s *Store) CompliancePolicies(ctx context.Context) ([]interaction.Policy, error) {
	return listBodies[interaction.Policy](ctx, s.db, "policies", `SELECT body FROM compliance_policies ORDER BY created_at, id`)
}

// listBodies runs a query whose rows are one JSON column each and decodes
// them; what names the list in errors.
func listBodies[T any](ctx context.Context, db *sql.DB, what, q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var body string
		var v T
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// inTx runs f in a transaction, committed when f returns nil.
func (s *Store) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// queueReviews puts an interaction's policy hits in the review queue, in
// the transaction that records it, and gives its user a pseudonym.
func queueReviews(ctx context.Context, tx txq, r interaction.Record) error {
	if len(r.Reviews) == 0 {
		return nil
	}
	var b [6]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	if _, err := tx.ExecContext(ctx, `INSERT INTO pseudonyms (user_id, pseudonym) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING`,
		r.User, "user-"+hex.EncodeToString(b[:])); err != nil {
		return fmt.Errorf("pseudonym: %w", err)
	}
	for _, h := range r.Reviews {
		reasons, _ := json.Marshal(h.Reasons)
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_items (id, interaction, policy, subscription, application, user_id, reasons, status, at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (interaction, policy) DO NOTHING`,
			uuid.NewString(), r.ID, h.Policy, r.Subscription, r.Application, r.User, string(reasons), ReviewPending, fixedTS(r.At), fixedTS(r.At)); err != nil {
			return fmt.Errorf("review item %s: %w", r.ID, err)
		}
	}
	return nil
}

// ReviewItem is one interaction in the review queue. Pseudonym stands for
// the user; User is filled only for a principal who asked to identify
// them (an audited action).
type ReviewItem struct {
	ID           string    `json:"id"`
	Interaction  string    `json:"interaction"`
	Policy       string    `json:"policy"`
	Subscription string    `json:"subscription"`
	Application  string    `json:"application,omitempty"`
	Pseudonym    string    `json:"pseudonym"`
	User         string    `json:"user,omitempty"`
	Reasons      []string  `json:"reasons"`
	Status       string    `json:"status"`
	At           time.Time `json:"at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// ReviewFilter selects review items; zero fields match all.
type ReviewFilter struct {
	Subscriptions []string // any of; nil: all
	Status        string
	Policy        string
	Limit         int
	Cursor        string
}

const reviewColumns = `ri.id, ri.interaction, ri.policy, ri.subscription, ri.application, p.pseudonym, ri.user_id, ri.reasons, ri.status, ri.at, ri.updated_at
	FROM review_items ri JOIN pseudonyms p ON p.user_id = ri.user_id`

func scanReview(sc interface{ Scan(...any) error }) (ReviewItem, error) {
	var it ReviewItem
	var reasons, at, upd string
	if err := sc.Scan(&it.ID, &it.Interaction, &it.Policy, &it.Subscription, &it.Application, &it.Pseudonym, &it.User,
		&reasons, &it.Status, &at, &upd); err != nil {
		return it, err
	}
	it.At, _ = time.Parse(fixedLayout, at)
	it.UpdatedAt, _ = time.Parse(fixedLayout, upd)
	err := json.Unmarshal([]byte(reasons), &it.Reasons)
	return it, err
}

// ReviewItems lists the review queue, newest first, with the cursor of
// the next page ("" after the last). Users are pseudonymised: User is
// empty in what it returns.
func (s *Store) ReviewItems(ctx context.Context, f ReviewFilter) ([]ReviewItem, string, error) {
	var where []string
	var args []any
	if f.Subscriptions != nil {
		if len(f.Subscriptions) == 0 {
			return []ReviewItem{}, "", nil
		}
		where = append(where, "ri.subscription IN (?"+strings.Repeat(", ?", len(f.Subscriptions)-1)+")")
		args = append(args, anys(f.Subscriptions)...)
	}
	if f.Status != "" {
		where, args = append(where, "ri.status = ?"), append(args, f.Status)
	}
	if f.Policy != "" {
		where, args = append(where, "ri.policy = ?"), append(args, f.Policy)
	}
	if f.Cursor != "" {
		at, id, ok := strings.Cut(f.Cursor, "|")
		if !ok {
			return nil, "", fmt.Errorf("%w: bad cursor", ErrInvalid)
		}
		where, args = append(where, "(ri.at < ? OR (ri.at = ? AND ri.id < ?))"), append(args, at, at, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT ` + reviewColumns
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY ri.at DESC, ri.id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("review items: %w", err)
	}
	defer rows.Close()
	out := []ReviewItem{}
	for rows.Next() {
		it, err := scanReview(rows)
		if err != nil {
			return nil, "", err
		}
		if len(out) == limit {
			last := out[len(out)-1]
			return out, fixedTS(last.At) + "|" + last.ID, rows.Err()
		}
		it.User = ""
		out = append(out, it)
	}
	return out, "", rows.Err()
}

// ReviewItem returns one item, its user included: callers decide who
// sees it. ErrNotFound when there is none.
func (s *Store) ReviewItem(ctx context.Context, id string) (ReviewItem, error) {
	it, err := scanReview(s.db.QueryRowContext(ctx, `SELECT `+reviewColumns+` WHERE ri.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrNotFound
	}
	return it, err
}

// ActOnReview sets an item's status (resolved or escalated) with its
// audit event, in one transaction.
func (s *Store) ActOnReview(ctx context.Context, id, status string, e AuditEvent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE review_items SET status = ?, updated_at = ? WHERE id = ?`, status, fixedTS(e.At), id)
		if err != nil {
			return fmt.Errorf("review item %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, e)
	})
}

// Audit records one event on its own (an identification, a search).
func (s *Store) Audit(ctx context.Context, e AuditEvent) error { return audit(ctx, s.db, e) }
