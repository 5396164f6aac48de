package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden/internal/policy"
)

// ChannelPolicies announces a change to the detection policies.
const ChannelPolicies = "warden_policies"

// ErrConflict is a write based on a version that is no longer current.
var ErrConflict = errors.New("conflict")

// Policies lists the current policies, by id.
func (s *Store) Policies(ctx context.Context) ([]policy.Policy, error) {
	return listBodies[policy.Policy](ctx, s.db, "policies", `SELECT body FROM policies ORDER BY id`)
}

// Policy returns one current policy; ErrNotFound when none.
func (s *Store) Policy(ctx context.Context, id string) (policy.Policy, error) {
	return getPolicy(ctx, s.db, id)
}

func getPolicy(ctx context.Context, q txq, id string) (policy.Policy, error) {
	var body string
	var p policy.Policy
	err := q.QueryRowContext(ctx, `SELECT body FROM policies WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("policy %s: %w", id, err)
	}
	return p, json.Unmarshal([]byte(body), &p)
}

// PutPolicy writes a policy as version base+1, where base is the version
// the writer read (0 to create): a write based on another version is
// ErrConflict, so two editors cannot silently undo each other. The old
// and new bodies go to the audit log, the version to the history, and
// the other replicas are told, in one transaction. It returns what was
// stored.
func (s *Store) PutPolicy(ctx context.Context, p policy.Policy, base int, e AuditEvent) (policy.Policy, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := getPolicy(ctx, tx, p.ID)
		switch {
		case errors.Is(err, ErrNotFound) && base != 0:
			return ErrNotFound
		case err == nil && before.Version != base:
			return fmt.Errorf("%w: policy %s is at version %d, not %d", ErrConflict, p.ID, before.Version, base)
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		p.Version = base + 1
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO policies (id, version, body, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at`,
			p.ID, p.Version, string(body), fixedTS(p.UpdatedAt)); err != nil {
			return fmt.Errorf("policy %s: %w", p.ID, err)
		}
		var prev any
		if base != 0 {
			prev = before
		}
		return s.policyChanged(ctx, tx, p.ID, p.Version, body, false, prev, p, e)
	})
	return p, err
}

// DeletePolicy removes a policy, keeping its history; ErrNotFound when
// there is none.
func (s *Store) DeletePolicy(ctx context.Context, id string, e AuditEvent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := getPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM policies WHERE id = ?`, id); err != nil {
			return fmt.Errorf("policy %s: %w", id, err)
		}
		body, _ := json.Marshal(before)
		return s.policyChanged(ctx, tx, id, before.Version+1, body, true, before, nil, e)
	})
}

// policyChanged records a version, the audit event (with before and
// after) and the notification.
func (s *Store) policyChanged(ctx context.Context, tx *sql.Tx, id string, version int, body []byte, deleted bool, before, after any, e AuditEvent) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO policy_versions (id, version, body, principal, at, deleted) VALUES (?, ?, ?, ?, ?, ?)`,
		id, version, string(body), e.Principal, fixedTS(e.At), flag(deleted)); err != nil {
		return fmt.Errorf("policy %s version %d: %w", id, version, err)
	}
	detail, _ := json.Marshal(map[string]any{"before": before, "after": after})
	e.Detail = string(detail)
	if err := audit(ctx, tx, e); err != nil {
		return err
	}
	return s.notify(ctx, tx, ChannelPolicies, id)
}

// PolicyVersion is one version of a policy in its history.
type PolicyVersion struct {
	Version   int           `json:"version"`
	Policy    policy.Policy `json:"policy"`
	Principal string        `json:"principal"`
	At        time.Time     `json:"at"`
	Deleted   bool          `json:"deleted,omitempty"`
}

// PolicyVersions lists a policy's versions, oldest first.
func (s *Store) PolicyVersions(ctx context.Context, id string) ([]PolicyVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version, body, principal, at, deleted FROM policy_versions WHERE id = ? ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("policy versions: %w", err)
	}
	defer rows.Close()
	out := []PolicyVersion{}
	for rows.Next() {
		var v PolicyVersion
		var body, at string
		var deleted int
		if err := rows.Scan(&v.Version, &body, &v.Principal, &at, &deleted); err != nil {
			return nil, err
		}
		v.At, _ = time.Parse(fixedLayout, at)
		v.Deleted = deleted == 1
		if err := json.Unmarshal([]byte(body), &v.Policy); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SeedPolicies writes the configuration file's policies that are not in
// the store yet (those changed or deleted at run time are the API's).
func (s *Store) SeedPolicies(ctx context.Context, ps []policy.Policy, at time.Time) error {
	for _, p := range ps {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM policy_versions WHERE id = ?`, p.ID).Scan(&n); err != nil {
			return fmt.Errorf("seed policy %s: %w", p.ID, err)
		}
		if n > 0 {
			continue
		}
		p.Source, p.UpdatedBy, p.UpdatedAt = "config", "config", at
		if _, err := s.PutPolicy(ctx, p, 0, AuditEvent{At: at, Principal: "config", Action: "policy.create", Target: "policy:" + p.ID}); err != nil {
			return err
		}
	}
	return nil
}
