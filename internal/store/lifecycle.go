package store

import (
	"context"
	"fmt"
	"time"
)

// Hold keeps the interactions it covers whatever retention says: those of
// a subscription, application and user ("" matches any) within [From, To)
// (zero: open).
type Hold struct {
	ID           string    `json:"id"`
	Subscription string    `json:"subscription,omitempty"`
	Application  string    `json:"application,omitempty"`
	User         string    `json:"user,omitempty"`
	From         time.Time `json:"from,omitzero"`
	To           time.Time `json:"to,omitzero"`
	Reason       string    `json:"reason"`
	// Case is the eDiscovery case the hold was placed for ("" for none):
	// closing the case releases it.
	Case      string    `json:"case,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// LifecyclePolicy is how long one subscription's (and optionally one
// application's) interactions are kept: Keep for the records, KeepContent
// (shorter, or zero for as long as the record) for their captured text.
type LifecyclePolicy struct {
	Subscription string
	Application  string
	Keep         time.Duration
	KeepContent  time.Duration
}

// LifecycleRun is what one run of the lifecycle job deleted, and how many
// records it kept because a hold covers them.
type LifecycleRun struct {
	At           time.Time `json:"at"`
	Interactions int64     `json:"interactions"`
	Contents     int64     `json:"contents"`
	Held         int64     `json:"held"`
}

// notHeld is the SQL condition that no hold covers an interaction row.
const notHeld = `NOT EXISTS (SELECT 1 FROM holds h WHERE
	(h.subscription = '' OR h.subscription = interactions.subscription) AND
	(h.application = '' OR h.application = interactions.application) AND
	(h.user_id = '' OR h.user_id = interactions.user_id) AND
	(h.from_at = '' OR interactions.at >= h.from_at) AND
	(h.to_at = '' OR interactions.at < h.to_at))`

// PutHold adds a hold.
func (s *Store) PutHold(ctx context.Context, h Hold) error {
	from, to := "", ""
	if !h.From.IsZero() {
		from = fixedTS(h.From)
	}
	if !h.To.IsZero() {
		to = fixedTS(h.To)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO holds (id, subscription, application, user_id, from_at, to_at, reason, created_by, created_at, case_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, h.ID, h.Subscription, h.Application, h.User, from, to, h.Reason, h.CreatedBy, fixedTS(h.CreatedAt), h.Case)
	if err != nil {
		return fmt.Errorf("hold %s: %w", h.ID, err)
	}
	return nil
}

// ReleaseHold removes a hold; ErrNotFound when there is none.
func (s *Store) ReleaseHold(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM holds WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("hold %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Holds lists the holds, oldest first.
func (s *Store) Holds(ctx context.Context) ([]Hold, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, subscription, application, user_id, from_at, to_at, reason, created_by, created_at, case_id
		FROM holds ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("holds: %w", err)
	}
	defer rows.Close()
	out := []Hold{}
	parse := func(s string) time.Time {
		t, _ := time.Parse(fixedLayout, s)
		return t
	}
	for rows.Next() {
		var h Hold
		var from, to, at string
		if err := rows.Scan(&h.ID, &h.Subscription, &h.Application, &h.User, &from, &to, &h.Reason, &h.CreatedBy, &at, &h.Case); err != nil {
			return nil, err
		}
		h.From, h.To, h.CreatedAt = parse(from), parse(to), parse(at)
		out = append(out, h)
	}
	return out, rows.Err()
}

// ApplyLifecycle deletes what the policies no longer keep, as of now, in
// one transaction, skipping what a hold covers, and records the run.
// Policies are applied most specific first (an application's before its
// subscription's, which come before the default with neither); each
// interaction is judged by the first policy that names it.
func (s *Store) ApplyLifecycle(ctx context.Context, now time.Time, policies []LifecyclePolicy) (LifecycleRun, error) {
	run := LifecycleRun{At: now}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return run, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	ordered := make([]LifecyclePolicy, 0, len(policies))
	for _, pass := range []func(LifecyclePolicy) bool{
		func(p LifecyclePolicy) bool { return p.Application != "" },
		func(p LifecyclePolicy) bool { return p.Application == "" && p.Subscription != "" },
		func(p LifecyclePolicy) bool { return p.Application == "" && p.Subscription == "" },
	} {
		for _, p := range policies {
			if pass(p) {
				ordered = append(ordered, p)
			}
		}
	}
	// "Names it" for a policy: matches its scope and no earlier (more
	// specific) policy's.
	var earlier []LifecyclePolicy
	scope := func(p LifecyclePolicy) (string, []any) {
		cond, args := "1 = 1", []any{}
		if p.Subscription != "" {
			cond, args = cond+" AND subscription = ?", append(args, p.Subscription)
		}
		if p.Application != "" {
			cond, args = cond+" AND application = ?", append(args, p.Application)
		}
		for _, e := range earlier {
			c, a := "1 = 1", []any{}
			if e.Subscription != "" {
				c, a = c+" AND subscription = ?", append(a, e.Subscription)
			}
			if e.Application != "" {
				c, a = c+" AND application = ?", append(a, e.Application)
			}
			cond, args = cond+" AND NOT ("+c+")", append(args, a...)
		}
		return cond, args
	}
	exec := func(n *int64, q string, args ...any) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("lifecycle: %w", err)
		}
		c, _ := res.RowsAffected()
		*n += c
		return nil
	}
	for _, p := range ordered {
		cond, args := scope(p)
		if p.Keep > 0 {
			cut := fixedTS(now.Add(-p.Keep))
			var held int64
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM interactions WHERE `+cond+` AND at < ? AND NOT (`+notHeld+`)`,
				append(append([]any{}, args...), cut)...).Scan(&held); err != nil {
				return run, fmt.Errorf("lifecycle: %w", err)
			}
			run.Held += held
			if err := s.unindex(ctx, tx, cond+` AND at < ? AND `+notHeld, append(append([]any{}, args...), cut)); err != nil {
				return run, err
			}
			if err := exec(&run.Interactions, `DELETE FROM interactions WHERE `+cond+` AND at < ? AND `+notHeld,
				append(append([]any{}, args...), cut)...); err != nil {
				return run, err
			}
		}
		if p.KeepContent > 0 {
			cut := fixedTS(now.Add(-p.KeepContent))
			if err := s.unindex(ctx, tx, cond+` AND at < ? AND content IS NOT NULL AND `+notHeld, append(append([]any{}, args...), cut)); err != nil {
				return run, err
			}
			if err := exec(&run.Contents, `UPDATE interactions SET content = NULL, content_key = '' WHERE `+cond+
				` AND at < ? AND content IS NOT NULL AND `+notHeld, append(append([]any{}, args...), cut)...); err != nil {
				return run, err
			}
		}
		earlier = append(earlier, p)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO lifecycle_runs (at, interactions, contents, held) VALUES (?, ?, ?, ?)`,
		fixedTS(now), run.Interactions, run.Contents, run.Held); err != nil {
		return run, fmt.Errorf("lifecycle: %w", err)
	}
	return run, tx.Commit()
}
