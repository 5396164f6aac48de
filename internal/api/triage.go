package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/wardenhq/warden/internal/store"
)

// triageRoutes are the alert queue's extras: an alert's or incident's
// activity (comments and the history of its triage), and triage of many
// alerts at once.
func triageRoutes(mux *http.ServeMux, h func(handlerFunc) http.Handler, s Store) {
	mux.Handle("GET /api/alerts/{id}/activity", h(func(r *http.Request) (any, error) {
		if _, err := getAlert(s, r); err != nil {
			return nil, err
		}
		return activity(s, r, "alert:"+r.PathValue("id"))
	}))
	mux.Handle("GET /api/incidents/{id}/activity", h(func(r *http.Request) (any, error) {
		if _, err := getIncident(s, r); err != nil {
			return nil, err
		}
		return activity(s, r, "incident:"+r.PathValue("id"))
	}))
	mux.Handle("POST /api/alerts/bulk", h(func(r *http.Request) (any, error) { return bulkTriage(s, r) }))
}

func activity(s Store, r *http.Request, target string) (any, error) {
	cs, err := s.Comments(r.Context(), target)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		cs = []store.Comment{}
	}
	hist, err := s.AuditEvents(r.Context(), target, 0)
	return map[string]any{"comments": cs, "history": hist}, err
}

// bulkTriage applies one update to up to 500 alerts, each as PATCH would
// (an alert out of reach or missing is reported, not fatal).
func bulkTriage(s Store, r *http.Request) (any, error) {
	var req struct {
		IDs []string `json:"ids"`
		store.Update
	}
	d := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 256<<10))
	d.DisallowUnknownFields()
	if err := d.Decode(&req); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "body must be {ids, status, assignee, classification, comment}: " + err.Error()}
	}
	if len(req.IDs) == 0 || len(req.IDs) > 500 {
		return nil, &Error{Status: http.StatusBadRequest, Message: "ids: between 1 and 500 alerts"}
	}
	u := req.Update
	if p := principalOf(r.Context()); p.Method != "local" || u.Author == "" {
		u.Author = p.Name
	}
	if err := u.Validate(); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: err.Error()}
	}
	p := principalOf(r.Context())
	updated, failed := []string{}, map[string]string{}
	for _, id := range req.IDs {
		a, err := s.Alert(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) || err == nil && !p.Reaches(a.Subscription) {
			failed[id] = "no such alert"
			continue
		}
		if err != nil {
			return nil, err
		}
		if _, err := s.UpdateAlert(r.Context(), id, u); err != nil {
			return nil, err
		}
		updated = append(updated, id)
	}
	return map[string]any{"updated": updated, "failed": failed}, nil
}
