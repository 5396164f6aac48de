package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

// fixedTS is a time as fixed-width UTC text: text order is time order
// (RFC 3339 with trimmed fractions is not: "…:05Z" sorts after "…:05.1Z").
func fixedTS(t time.Time) string { return t.UTC().Format(fixedLayout) }

// fixedLayout is fixedTS's layout, to parse what it wrote.
const fixedLayout = "2006-01-02T15:04:05.000000000Z"

// commaList wraps values in commas ("," when empty) for exact LIKE
// matching of one value.
func commaList(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return "," + strings.Join(vs, ",") + ","
}

// RecordInteractions writes interaction records in one transaction; a
// record already written (same id) is left as it is.
func (s *Store) RecordInteractions(ctx context.Context, rs []interaction.Record) error {
	if len(rs) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO interactions
		(id, at, subscription, application, user_id, user_context, verdict, finding_types, sensitive_types, body, content, content_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("interactions: %w", err)
	}
	defer stmt.Close()
	for _, r := range rs {
		if r.Content != nil {
			return fmt.Errorf("interaction %s: content must be sealed before it is stored", r.ID)
		}
		body, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("interaction %s: %w", r.ID, err)
		}
		types := slices.Sorted(func(yield func(string) bool) {
			for k := range r.SensitiveTypes {
				if !yield(k) {
					return
				}
			}
		})
		if _, err := stmt.ExecContext(ctx, r.ID, fixedTS(r.At), r.Subscription, r.Application, r.User, flag(r.UserContext),
			r.Verdict, commaList(r.FindingTypes), commaList(types), string(body), r.Sealed, r.ContentKey); err != nil {
			return fmt.Errorf("interaction %s: %w", r.ID, err)
		}
		if err := s.index(ctx, tx, r); err != nil {
			return err
		}
		if err := queueReviews(ctx, tx, r); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Interactions lists interactions, newest first, and the cursor of the
// next page ("" after the last).
func (s *Store) Interactions(ctx context.Context, f interaction.Filter) ([]interaction.Record, string, error) {
	var where []string
	var args []any
	add := func(cond string, vs ...any) {
		where = append(where, cond)
		args = append(args, vs...)
	}
	if !f.From.IsZero() {
		add("at >= ?", fixedTS(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", fixedTS(f.To))
	}
	if f.Subscriptions != nil {
		if len(f.Subscriptions) == 0 {
			return nil, "", nil
		}
		add("subscription IN (?"+strings.Repeat(", ?", len(f.Subscriptions)-1)+")", anys(f.Subscriptions)...)
	}
	if f.Application != "" {
		add("application = ?", f.Application)
	}
	if f.User != "" {
		add("user_id = ?", f.User)
	}
	if f.Verdict != "" {
		add("verdict = ?", f.Verdict)
	}
	if f.FindingType != "" {
		add("finding_types LIKE ?", "%,"+likeEscape(f.FindingType)+",%")
	}
	if f.SensitiveType != "" {
		add("sensitive_types LIKE ?", "%,"+likeEscape(f.SensitiveType)+",%")
	}
	if len(f.Text) > 0 {
		cond, arg := s.matches(f.Text)
		add(cond, arg)
	}
	if f.Cursor != "" {
		at, id, ok := strings.Cut(f.Cursor, "|")
		if !ok {
			return nil, "", fmt.Errorf("%w: bad cursor", ErrInvalid)
		}
		add("(at < ? OR (at = ? AND id < ?))", at, at, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	// has_content is read from the content column: the lifecycle job may
	// have stripped the text since the record was written.
	q := `SELECT at, id, body, CASE WHEN content IS NULL THEN 0 ELSE 1 END FROM interactions`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY at DESC, id DESC LIMIT ?`
	rows, err := s.db.QueryContext(ctx, q, append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("interactions: %w", err)
	}
	defer rows.Close()
	var out []interaction.Record
	var lastAt, lastID string
	for rows.Next() {
		var at, id, body string
		var has int
		if err := rows.Scan(&at, &id, &body, &has); err != nil {
			return nil, "", err
		}
		if len(out) == limit {
			return out, lastAt + "|" + lastID, rows.Err()
		}
		var r interaction.Record
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, "", fmt.Errorf("interaction %s: %w", id, err)
		}
		r.HasContent = has == 1
		out = append(out, r)
		lastAt, lastID = at, id
	}
	return out, "", rows.Err()
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// likeEscape drops % from a value: it would be a wildcard. An _ stays (it
// matches itself among any one character): type names are Warden's own
// lower-case ids, wrapped in commas, so it cannot reach across a name.
func likeEscape(s string) string { return strings.ReplaceAll(s, "%", "") }

// InteractionCounts counts the interactions of a period (of one
// subscription, or all with ""), and those without user context.
func (s *Store) InteractionCounts(ctx context.Context, subscription string, since, until time.Time) (total, withoutUser int, err error) {
	q := `SELECT COUNT(*), COALESCE(SUM(CASE WHEN user_context = 0 THEN 1 ELSE 0 END), 0) FROM interactions WHERE at >= ? AND at < ?`
	args := []any{fixedTS(since), fixedTS(until)}
	if subscription != "" {
		q += ` AND subscription = ?`
		args = append(args, subscription)
	}
	err = s.db.QueryRowContext(ctx, q, args...).Scan(&total, &withoutUser)
	if err != nil {
		return 0, 0, fmt.Errorf("interactions: %w", err)
	}
	return total, withoutUser, nil
}

// RevealContent returns an interaction's sealed content and key id, and
// records the reveal (who, why, when) in the same transaction: content is
// never read without its audit entry. ErrNotFound when the interaction or
// its content is not kept.
func (s *Store) RevealContent(ctx context.Context, id, principal, reason string, at time.Time) (keyID string, sealed []byte, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	err = tx.QueryRowContext(ctx, `SELECT content_key, content FROM interactions WHERE id = ?`, id).Scan(&keyID, &sealed)
	if errors.Is(err, sql.ErrNoRows) || err == nil && len(sealed) == 0 {
		return "", nil, ErrNotFound
	}
	if err != nil {
		return "", nil, fmt.Errorf("interaction %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO content_reveals (interaction, principal, reason, at) VALUES (?, ?, ?, ?)`,
		id, principal, reason, fixedTS(at)); err != nil {
		return "", nil, fmt.Errorf("reveal %s: %w", id, err)
	}
	return keyID, sealed, tx.Commit()
}

// Reveal is one reading of an interaction's content.
type Reveal struct {
	Principal string    `json:"principal"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// Reveals lists who read an interaction's content, when and why, oldest
// first.
func (s *Store) Reveals(ctx context.Context, id string) ([]Reveal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT principal, reason, at FROM content_reveals WHERE interaction = ? ORDER BY at`, id)
	if err != nil {
		return nil, fmt.Errorf("reveals: %w", err)
	}
	defer rows.Close()
	out := []Reveal{}
	for rows.Next() {
		var r Reveal
		var at string
		if err := rows.Scan(&r.Principal, &r.Reason, &at); err != nil {
			return nil, err
		}
		r.At, _ = time.Parse(fixedLayout, at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Interaction returns one interaction record; ErrNotFound when none.
func (s *Store) Interaction(ctx context.Context, id string) (interaction.Record, error) {
	var body string
	var has int
	err := s.db.QueryRowContext(ctx, `SELECT body, CASE WHEN content IS NULL THEN 0 ELSE 1 END FROM interactions WHERE id = ?`, id).Scan(&body, &has)
	if errors.Is(err, sql.ErrNoRows) {
		return interaction.Record{}, ErrNotFound
	}
	if err != nil {
		return interaction.Record{}, fmt.Errorf("interaction %s: %w", id, err)
	}
	var r interaction.Record
	err = json.Unmarshal([]byte(body), &r)
	r.HasContent = has == 1
	return r, err
}
