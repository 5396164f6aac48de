package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/internal/store"
)

// holdRequest is a legal hold as a client asks for it.
type holdRequest struct {
	Subscription string    `json:"subscription"`
	Application  string    `json:"application"`
	User         string    `json:"user"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Reason       string    `json:"reason"`
}

// Legal holds are an owner's to place and release: they override
// retention for every subscription they cover.
func ownerOnly(r *http.Request) error {
	if principalOf(r.Context()).Role != RoleOwner {
		return &Error{Status: http.StatusForbidden, Message: "legal holds are for owners"}
	}
	return nil
}

func listHolds(s Store, r *http.Request) (any, error) {
	if err := ownerOnly(r); err != nil {
		return nil, err
	}
	hs, err := s.Holds(r.Context())
	if err != nil {
		return nil, err
	}
	return map[string]any{"holds": hs}, nil
}

func placeHold(s Store, r *http.Request, now time.Time) (any, error) {
	if err := ownerOnly(r); err != nil {
		return nil, err
	}
	var req holdRequest
	d := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 16<<10))
	d.DisallowUnknownFields()
	if err := d.Decode(&req); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "body must be a JSON object with subscription, application, user, from, to and reason: " + err.Error()}
	}
	if len(req.Reason) < 8 {
		return nil, &Error{Status: http.StatusBadRequest, Message: "reason is required (at least 8 characters): a hold overrides retention"}
	}
	if !req.From.IsZero() && !req.To.IsZero() && !req.From.Before(req.To) {
		return nil, &Error{Status: http.StatusBadRequest, Message: "from must be before to"}
	}
	h := store.Hold{ID: uuid.NewString(), Subscription: req.Subscription, Application: req.Application, User: req.User,
		From: req.From, To: req.To, Reason: req.Reason, CreatedBy: principalOf(r.Context()).Name, CreatedAt: now}
	if err := s.PutHold(r.Context(), h); err != nil {
		return nil, err
	}
	return h, nil
}

func releaseHold(s Store, r *http.Request) (any, error) {
	if err := ownerOnly(r); err != nil {
		return nil, err
	}
	err := s.ReleaseHold(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Status: http.StatusNotFound, Message: "no such hold"}
	}
	if err != nil {
		return nil, err
	}
	return map[string]string{"released": r.PathValue("id")}, nil
}
