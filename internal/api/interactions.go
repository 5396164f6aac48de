package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/insider"
	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/store"
)

// listInteractions is the activity explorer: interaction records (data
// security for AI interactions), newest first, filtered by time, app,
// user, finding type, sensitive type and verdict, with a cursor for the
// next page. A principal limited to some subscriptions sees theirs only.
func listInteractions(s Store, r *http.Request) (any, error) {
	q := r.URL.Query()
	f := interaction.Filter{Application: q.Get("app"), User: q.Get("user"), FindingType: q.Get("type"),
		SensitiveType: q.Get("sensitive_type"), Verdict: q.Get("verdict"), Cursor: q.Get("cursor")}
	var err error
	if f.Limit, _, err = paging(q.Get("limit"), ""); err != nil {
		return nil, err
	}
	if err := queryTimes(q, map[string]*time.Time{"from": &f.From, "to": &f.To}); err != nil {
		return nil, err
	}
	if f.Subscriptions, err = reach(principalOf(r.Context()), q.Get("subscription")); err != nil {
		return nil, err
	}
	rs, next, err := s.Interactions(r.Context(), f)
	if errors.Is(err, store.ErrInvalid) {
		return nil, &Error{Status: http.StatusBadRequest, Message: "cursor is not one this API returned"}
	}
	if err != nil {
		return nil, err
	}
	if rs == nil {
		rs = []interaction.Record{}
	}
	// Each user's insider-risk level, as the explorer shows it beside
	// their interactions.
	levels, err := s.RiskLevels(r.Context())
	if err != nil {
		return nil, err
	}
	risk := map[string]string{}
	for _, x := range rs {
		if a, ok := levels[[2]string{x.Subscription, x.User}]; ok && x.User != "" {
			risk[x.User] = a.Level
		}
	}
	return map[string]any{"interactions": rs, "next": next, "user_risk": risk}, nil
}

// insiderRisk lists users' insider-risk assessments, highest first, in
// the subscriptions the principal reaches (?subscription= for one).
func insiderRisk(s Store, r *http.Request) (any, error) {
	p := principalOf(r.Context())
	sub := r.URL.Query().Get("subscription")
	if sub != "" && !p.Reaches(sub) {
		return nil, errForbidden
	}
	levels, err := s.RiskLevels(r.Context())
	if err != nil {
		return nil, err
	}
	out := []insider.Assessment{}
	for _, a := range levels {
		if (sub == "" || a.Subscription == sub) && p.Reaches(a.Subscription) && a.Level != insider.LevelNone {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(x, y insider.Assessment) int {
		if x.Score != y.Score {
			return y.Score - x.Score
		}
		return strings.Compare(x.User, y.User)
	})
	return map[string]any{"users": out}, nil
}

// interactionFor reads one interaction the principal may reach; one it may
// not reach is not found, as if it did not exist.
func interactionFor(s Store, r *http.Request) (interaction.Record, error) {
	rec, err := s.Interaction(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !principalOf(r.Context()).Reaches(rec.Subscription) {
		return interaction.Record{}, &Error{Status: http.StatusNotFound, Message: "no such interaction"}
	}
	return rec, err
}

// revealContent returns an interaction's captured text to a content
// reader, who must say why (?reason=); the reading is recorded, with who
// and when, in the same transaction that reads it.
func revealContent(s Store, r *http.Request, sealer *interaction.Sealer, now time.Time) (any, error) {
	if principalOf(r.Context()).Role != RoleContentReader {
		return nil, &Error{Status: http.StatusForbidden, Message: "reading captured content needs the content_reader role"}
	}
	rec, err := interactionFor(s, r)
	if err != nil {
		return nil, err
	}
	c, err := openContent(s, r, sealer, rec, now)
	if err != nil {
		return nil, err
	}
	return map[string]any{"interaction": rec, "content": c}, nil
}

var errNoContent = &Error{Status: http.StatusNotFound, Message: "no content is kept for this interaction"}

// openContent reads and opens rec's content for the caller, who must say
// why (?reason=), recording the reveal in the transaction that reads it.
func openContent(s Store, r *http.Request, sealer *interaction.Sealer, rec interaction.Record, now time.Time) (interaction.Content, error) {
	reason := r.URL.Query().Get("reason")
	if len(reason) < 8 {
		return interaction.Content{}, &Error{Status: http.StatusBadRequest, Message: "say why (?reason=, at least 8 characters): every reading is audited"}
	}
	if sealer == nil || !rec.HasContent {
		return interaction.Content{}, errNoContent
	}
	kid, sealed, err := s.RevealContent(r.Context(), rec.ID, principalOf(r.Context()).Name, reason, now)
	if errors.Is(err, store.ErrNotFound) {
		return interaction.Content{}, errNoContent
	}
	if err != nil {
		return interaction.Content{}, err
	}
	c, err := sealer.Open(rec.ID, kid, sealed)
	if err != nil {
		return interaction.Content{}, fmt.Errorf("interaction %s: %w", rec.ID, err)
	}
	return c, nil
}

// contentReveals lists who read an interaction's content, for owners and
// content readers.
func contentReveals(s Store, r *http.Request) (any, error) {
	if p := principalOf(r.Context()); p.Role != RoleOwner && p.Role != RoleContentReader {
		return nil, &Error{Status: http.StatusForbidden, Message: "the audit of content readings is for owners and content readers"}
	}
	rec, err := interactionFor(s, r)
	if err != nil {
		return nil, err
	}
	rv, err := s.Reveals(r.Context(), rec.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"reveals": rv}, nil
}
