package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/store"
)

// complianceRoutes are communication compliance: policies (owners and
// contributors write them), the review queue (reviewers work it, users
// pseudonymised), and the audit of what people did. only(roles...) wraps a
// handler admitting those roles alone.
func complianceRoutes(mux *http.ServeMux, h func(handlerFunc) http.Handler, only func(...string) func(handlerFunc) http.Handler, s Store, o Options) {
	look := only(RoleOwner, RoleContributor, RoleReader, RoleComplianceReviewer)
	act := only(RoleOwner, RoleContributor, RoleComplianceReviewer)
	mux.Handle("GET /api/compliance/policies", look(func(r *http.Request) (any, error) {
		ps, err := s.CompliancePolicies(r.Context())
		return map[string]any{"policies": ps}, err
	}))
	mux.Handle("POST /api/compliance/policies", h(func(r *http.Request) (any, error) { return addPolicy(s, r, o) }))
	mux.Handle("DELETE /api/compliance/policies/{id}", h(func(r *http.Request) (any, error) {
		id := r.PathValue("id")
		e := store.AuditEvent{At: o.Now(), Principal: principalOf(r.Context()).Name, Action: "policy.delete", Target: "policy:" + id}
		if err := s.DeleteCompliancePolicy(r.Context(), id, e); err != nil {
			return storeErr[any](nil, err)
		}
		if o.PoliciesChanged != nil {
			o.PoliciesChanged()
		}
		return map[string]string{"deleted": id}, nil
	}))
	mux.Handle("GET /api/compliance/queue", look(func(r *http.Request) (any, error) { return reviewQueue(s, r) }))
	mux.Handle("GET /api/compliance/items/{id}", look(func(r *http.Request) (any, error) { return reviewItem(s, r) }))
	mux.Handle("GET /api/compliance/items/{id}/history", look(func(r *http.Request) (any, error) {
		it, err := reviewItemFor(s, r)
		if err != nil {
			return nil, err
		}
		evs, err := s.AuditEvents(r.Context(), "review:"+it.ID, 0)
		return map[string]any{"history": evs}, err
	}))
	for _, a := range []struct{ verb, status string }{{"resolve", store.ReviewResolved}, {"escalate", store.ReviewEscalated}} {
		mux.Handle("POST /api/compliance/items/{id}/"+a.verb, act(func(r *http.Request) (any, error) {
			it, err := reviewItemFor(s, r)
			if err != nil {
				return nil, err
			}
			note, err := readReason(r, "note", 0)
			if err != nil {
				return nil, err
			}
			e := store.AuditEvent{At: o.Now(), Principal: principalOf(r.Context()).Name, Action: "review." + a.verb, Target: "review:" + it.ID, Detail: note}
			if err := s.ActOnReview(r.Context(), it.ID, a.status, e); err != nil {
				return storeErr[any](nil, err)
			}
			it.Status, it.UpdatedAt, it.User = a.status, e.At, ""
			return it, nil
		}))
	}
	// Identifying the person behind a pseudonym is a reviewer's or an
	// owner's act, with a reason, and audited.
	mux.Handle("POST /api/compliance/items/{id}/identify", only(RoleOwner, RoleComplianceReviewer)(func(r *http.Request) (any, error) {
		it, err := reviewItemFor(s, r)
		if err != nil {
			return nil, err
		}
		reason, err := readReason(r, "reason", 8)
		if err != nil {
			return nil, err
		}
		e := store.AuditEvent{At: o.Now(), Principal: principalOf(r.Context()).Name, Action: "review.identify", Target: "review:" + it.ID, Detail: reason}
		if err := s.Audit(r.Context(), e); err != nil {
			return nil, err
		}
		return map[string]string{"pseudonym": it.Pseudonym, "user": it.User}, nil
	}))
	// A reviewer reads the text of an item's interaction (when the
	// subscription kept it) to judge it, saying why; it is a reveal like
	// a content reader's, recorded with the interaction.
	mux.Handle("GET /api/compliance/items/{id}/content", only(RoleComplianceReviewer)(func(r *http.Request) (any, error) {
		it, err := reviewItemFor(s, r)
		if err != nil {
			return nil, err
		}
		rec, err := s.Interaction(r.Context(), it.Interaction)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoContent
		}
		if err != nil {
			return nil, err
		}
		c, err := openContent(s, r, o.Sealer, rec, o.Now())
		if err != nil {
			return nil, err
		}
		it.User = ""
		return map[string]any{"item": it, "content": c}, nil
	}))
	mux.Handle("GET /api/audit", only(RoleOwner)(func(r *http.Request) (any, error) {
		limit, _, err := paging(r.URL.Query().Get("limit"), "")
		if err != nil {
			return nil, err
		}
		evs, err := s.AuditEvents(r.Context(), r.URL.Query().Get("target"), limit)
		return map[string]any{"events": evs}, err
	}))
}

func addPolicy(s Store, r *http.Request, o Options) (any, error) {
	var p interaction.Policy
	d := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 256<<10))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "body must be a policy (name, scope, conditions): " + err.Error()}
	}
	if err := p.Validate(); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: err.Error()}
	}
	pr := principalOf(r.Context())
	for _, sub := range p.Subscriptions {
		if !pr.Reaches(sub) {
			return nil, errForbidden
		}
	}
	if len(p.Subscriptions) == 0 && len(pr.Subscriptions) > 0 {
		p.Subscriptions = pr.Subscriptions
	}
	p.ID, p.CreatedBy, p.CreatedAt = uuid.NewString(), pr.Name, o.Now().UTC()
	e := store.AuditEvent{At: p.CreatedAt, Principal: pr.Name, Action: "policy.create", Target: "policy:" + p.ID, Detail: p.Name}
	if err := s.PutCompliancePolicy(r.Context(), p, e); err != nil {
		return nil, err
	}
	if o.PoliciesChanged != nil {
		o.PoliciesChanged()
	}
	return p, nil
}

// readReason reads {"<field>": "..."} from the body, at least least bytes
// long (0: optional).
func readReason(r *http.Request, field string, least int) (string, error) {
	var v map[string]string
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 16<<10)).Decode(&v); err != nil && !errors.Is(err, io.EOF) {
		return "", &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("body must be a JSON object with %s: %v", field, err)}
	}
	if len(v[field]) < least {
		return "", &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("%s is required (at least %d characters): the act is audited", field, least)}
	}
	return v[field], nil
}

func reviewQueue(s Store, r *http.Request) (any, error) {
	q := r.URL.Query()
	f := store.ReviewFilter{Status: q.Get("status"), Policy: q.Get("policy"), Cursor: q.Get("cursor")}
	var err error
	if f.Limit, _, err = paging(q.Get("limit"), ""); err != nil {
		return nil, err
	}
	if f.Subscriptions, err = reach(principalOf(r.Context()), q.Get("subscription")); err != nil {
		return nil, err
	}
	items, next, err := s.ReviewItems(r.Context(), f)
	if errors.Is(err, store.ErrInvalid) {
		return nil, &Error{Status: http.StatusBadRequest, Message: "cursor is not one this API returned"}
	}
	return map[string]any{"items": items, "next": next}, err
}

// reviewItemFor reads one item the principal reaches (others are not
// found); its User is for the caller to withhold or reveal.
func reviewItemFor(s Store, r *http.Request) (store.ReviewItem, error) {
	it, err := s.ReviewItem(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !principalOf(r.Context()).Reaches(it.Subscription) {
		return it, &Error{Status: http.StatusNotFound, Message: "no such review item"}
	}
	return it, err
}

// reviewItem is an item with its interaction's record, the user replaced
// by the pseudonym throughout.
func reviewItem(s Store, r *http.Request) (any, error) {
	it, err := reviewItemFor(s, r)
	if err != nil {
		return nil, err
	}
	it.User = ""
	rec, err := s.Interaction(r.Context(), it.Interaction)
	if errors.Is(err, store.ErrNotFound) {
		// The lifecycle job deleted the record; the item stays.
		return map[string]any{"item": it}, nil
	}
	if err != nil {
		return nil, err
	}
	rec.User, rec.ClientIP = it.Pseudonym, ""
	return map[string]any{"item": it, "interaction": rec}, nil
}
