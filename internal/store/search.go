package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/wardenhq/warden/internal/interaction"
)

// The blind search index over captured content (see
// interaction.Sealer.Terms) lives in each engine's full-text form: an FTS5
// table whose rowids are the interactions' with SQLite, a tsvector under
// a GIN index with PostgreSQL. These helpers are the only code that knows
// the difference.

// index adds r's entry, once (a retried batch adds nothing).
func (s *Store) index(ctx context.Context, tx txq, r interaction.Record) error {
	if r.Terms == "" {
		return nil
	}
	q := `INSERT INTO content_index (rowid, terms) SELECT rowid, ? FROM interactions i WHERE id = ?
		AND NOT EXISTS (SELECT 1 FROM content_index WHERE rowid = i.rowid)`
	args := []any{r.Terms, r.ID}
	if s.postgres {
		q, args = `INSERT INTO content_index (interaction, terms) VALUES (?, to_tsvector('simple', ?)) ON CONFLICT (interaction) DO NOTHING`,
			[]any{r.ID, r.Terms}
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("index interaction %s: %w", r.ID, err)
	}
	return nil
}

// matches is the condition on interactions that their content matches
// tq, and its argument.
func (s *Store) matches(tq interaction.TermQuery) (string, any) {
	and, or, phrase := " AND ", " OR ", func(toks []string) string { return `"` + strings.Join(toks, " ") + `"` }
	cond := `rowid IN (SELECT rowid FROM content_index WHERE content_index MATCH ?)`
	if s.postgres {
		and, or, phrase = " & ", " | ", func(toks []string) string { return "(" + strings.Join(toks, " <-> ") + ")" }
		cond = `id IN (SELECT interaction FROM content_index WHERE terms @@ to_tsquery('simple', ?))`
	}
	var alts []string
	for _, alt := range tq {
		var ps []string
		for _, p := range alt {
			ps = append(ps, phrase(p))
		}
		alts = append(alts, "("+strings.Join(ps, and)+")")
	}
	return cond, strings.Join(alts, or)
}

// unindex removes the index entries of the interactions that meet cond
// (a condition on interactions, with args), before they or their content
// are deleted.
func (s *Store) unindex(ctx context.Context, tx txq, cond string, args []any) (err error) {
	q := `DELETE FROM content_index WHERE rowid IN (SELECT rowid FROM interactions WHERE ` + cond + `)`
	if s.postgres {
		q = `DELETE FROM content_index WHERE interaction IN (SELECT id FROM interactions WHERE ` + cond + `)`
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("unindex: %w", err)
	}
	return nil
}
