package api

import (
	"errors"
	"net/http"

	"github.com/wardenhq/warden/internal/policy"
	"github.com/wardenhq/warden/internal/policyset"
	"github.com/wardenhq/warden/internal/store"
)

// policyRoutes manage detection policies: anyone with a broad role reads
// them, owners and contributors write them. Every write is checked
// (fields and patterns, by compiling) before it is stored, versioned
// (PUT names the version it edits: a stale one is refused with 409) and
// audited with before and after; gateways reload at once.
func policyRoutes(mux *http.ServeMux, h func(handlerFunc) http.Handler, s Store, o Options) {
	mux.Handle("GET /api/policies", h(func(r *http.Request) (any, error) {
		p := principalOf(r.Context())
		sub := r.URL.Query().Get("subscription")
		if sub != "" && !p.Reaches(sub) {
			return nil, errForbidden
		}
		ps, err := s.Policies(r.Context())
		out := []policy.Policy{}
		for _, x := range ps {
			if (sub == "" || x.Subscription == sub) && p.Reaches(x.Subscription) {
				out = append(out, x)
			}
		}
		return map[string]any{"policies": out}, err
	}))
	mux.Handle("GET /api/policies/{id}", h(func(r *http.Request) (any, error) { return policyFor(s, r) }))
	mux.Handle("GET /api/policies/{id}/versions", h(func(r *http.Request) (any, error) {
		if _, err := policyFor(s, r); err != nil {
			return nil, err
		}
		vs, err := s.PolicyVersions(r.Context(), r.PathValue("id"))
		return map[string]any{"versions": vs}, err
	}))
	mux.Handle("POST /api/policies", h(func(r *http.Request) (any, error) { return writePolicy(s, r, o, "") }))
	mux.Handle("PUT /api/policies/{id}", h(func(r *http.Request) (any, error) { return writePolicy(s, r, o, r.PathValue("id")) }))
	mux.Handle("DELETE /api/policies/{id}", h(func(r *http.Request) (any, error) {
		if _, err := policyFor(s, r); err != nil {
			return nil, err
		}
		id := r.PathValue("id")
		e := store.AuditEvent{At: o.Now().UTC(), Principal: principalOf(r.Context()).Name, Action: "policy.delete", Target: "policy:" + id}
		if err := s.DeletePolicy(r.Context(), id, e); err != nil {
			return storeErr[any](nil, err)
		}
		if o.PolicyChanged != nil {
			o.PolicyChanged()
		}
		return map[string]string{"deleted": id}, nil
	}))
}

// policyFor reads the policy named in the path, if the principal reaches
// its subscription (else it is not found).
func policyFor(s Store, r *http.Request) (policy.Policy, error) {
	p, err := s.Policy(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !principalOf(r.Context()).Reaches(p.Subscription) {
		return p, &Error{Status: http.StatusNotFound, Message: "no such policy"}
	}
	return p, err
}

// writePolicy creates (id "") or replaces a policy. The body's version is
// the version edited (0 to create).
func writePolicy(s Store, r *http.Request, o Options, id string) (any, error) {
	var p policy.Policy
	if err := decodeStrict(r, &p); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "body must be a policy: " + err.Error()}
	}
	base := p.Version
	switch {
	case id == "" && base != 0:
		return nil, &Error{Status: http.StatusBadRequest, Message: "a new policy has no version (PUT /api/policies/{id} edits one)"}
	case id != "" && p.ID != "" && p.ID != id:
		return nil, &Error{Status: http.StatusBadRequest, Message: "the body's id is not the path's"}
	case id != "":
		p.ID = id
		old, err := policyFor(s, r)
		if err != nil {
			return nil, err
		}
		if old.Subscription != p.Subscription && !principalOf(r.Context()).Reaches(old.Subscription) {
			return nil, errForbidden
		}
		if base == 0 {
			return nil, &Error{Status: http.StatusBadRequest, Message: "say which version you edit (version): a stale edit is refused, not merged"}
		}
	}
	pr := principalOf(r.Context())
	if !pr.Reaches(p.Subscription) {
		return nil, errForbidden
	}
	if err := policyset.Check(p, o.Detectors); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "invalid policy: " + err.Error()}
	}
	p.UpdatedBy, p.UpdatedAt, p.Source = pr.Name, o.Now().UTC(), "api"
	action := map[bool]string{true: "policy.create", false: "policy.update"}[id == ""]
	stored, err := s.PutPolicy(r.Context(), p, base, store.AuditEvent{At: p.UpdatedAt, Principal: pr.Name, Action: action, Target: "policy:" + p.ID})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, &Error{Status: http.StatusConflict, Message: err.Error()}
	case err != nil:
		return storeErr[any](nil, err)
	}
	if o.PolicyChanged != nil {
		o.PolicyChanged()
	}
	return stored, nil
}
