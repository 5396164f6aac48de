package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/signin"
)

// PutAccount adds or replaces a local account.
func (s *Store) PutAccount(ctx context.Context, a signin.Account) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO accounts (name, role, subscriptions, hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET role = excluded.role, subscriptions = excluded.subscriptions, hash = excluded.hash, disabled = excluded.disabled`,
		a.Name, a.Role, strings.Join(a.Subscriptions, ","), a.Hash, flag(a.Disabled), fixedTS(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("account %s: %w", a.Name, err)
	}
	return nil
}

// Account returns a local account, and whether there is one.
func (s *Store) Account(ctx context.Context, name string) (signin.Account, bool, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx, `SELECT name, role, subscriptions, hash, disabled, created_at FROM accounts WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, err
}

// Accounts lists the local accounts (without their hashes), by name.
func (s *Store) Accounts(ctx context.Context) ([]signin.Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, role, subscriptions, hash, disabled, created_at FROM accounts ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	defer rows.Close()
	out := []signin.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		a.Hash = ""
		out = append(out, a)
	}
	return out, rows.Err()
}

func scanAccount(sc interface{ Scan(...any) error }) (signin.Account, error) {
	var a signin.Account
	var subs, at string
	var disabled int
	if err := sc.Scan(&a.Name, &a.Role, &subs, &a.Hash, &disabled, &at); err != nil {
		return a, err
	}
	if subs != "" {
		a.Subscriptions = strings.Split(subs, ",")
	}
	a.Disabled = disabled == 1
	a.CreatedAt, _ = time.Parse(fixedLayout, at)
	return a, nil
}

// PutSession stores a session under key (and drops expired ones).
func (s *Store) PutSession(ctx context.Context, key string, sess signin.Session) error {
	body, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, fixedTS(s.now())); err != nil {
			return fmt.Errorf("sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (key, body, expires_at) VALUES (?, ?, ?)`, key, string(body), fixedTS(sess.Expires)); err != nil {
			return fmt.Errorf("session: %w", err)
		}
		return nil
	})
}

// Session returns the session stored under key, and whether there is one.
func (s *Store) Session(ctx context.Context, key string) (signin.Session, bool, error) {
	var body string
	var sess signin.Session
	err := s.db.QueryRowContext(ctx, `SELECT body FROM sessions WHERE key = ?`, key).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, false, nil
	}
	if err != nil {
		return sess, false, fmt.Errorf("session: %w", err)
	}
	return sess, true, json.Unmarshal([]byte(body), &sess)
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE key = ?`, key)
	return err
}
