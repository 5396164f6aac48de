package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/controlplane"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/subscription"
)

// settingsPatch is a change to a subscription's settings: fields left out
// keep their value.
type settingsPatch struct {
	Name           *string `json:"name"`
	Plan           *bool   `json:"plan"`
	Mode           *string `json:"mode"`
	PromptEvidence *bool   `json:"prompt_evidence"`
	DataSecurity   *bool   `json:"data_security"`
	ModelSecurity  *bool   `json:"model_security"`
	Sensitivity    *string `json:"sensitivity"`
	// Redact replaces the whole list; [] turns redaction off.
	Redact *[]string `json:"redact"`
	// Capture is off, findings or all (content kept sealed).
	Capture *string `json:"capture"`
}

func (p settingsPatch) apply(s subscription.Settings) (subscription.Settings, error) {
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	if p.Name != nil {
		s.Name = *p.Name
	}
	set(&s.Plan, p.Plan)
	set(&s.PromptEvidence, p.PromptEvidence)
	set(&s.DataSecurity, p.DataSecurity)
	set(&s.ModelSecurity, p.ModelSecurity)
	if p.Mode != nil {
		switch m := subscription.Mode(*p.Mode); m {
		case subscription.ModeDetect, subscription.ModeBlock:
			s.Mode = m
		default:
			return s, &Error{Status: http.StatusBadRequest, Message: `mode must be "detect" or "block"`}
		}
	}
	if p.Sensitivity != nil {
		switch *p.Sensitivity {
		case "low", "medium", "high":
			s.Sensitivity = *p.Sensitivity
		default:
			return s, &Error{Status: http.StatusBadRequest, Message: `sensitivity must be "low", "medium" or "high"`}
		}
	}
	if p.Redact != nil {
		if err := config.CheckRedact(*p.Redact); err != nil {
			return s, &Error{Status: http.StatusBadRequest, Message: err.Error()}
		}
		s.Redact = append([]string{}, *p.Redact...)
	}
	if p.Capture != nil {
		switch *p.Capture {
		case subscription.CaptureOff, subscription.CaptureFindings, subscription.CaptureAll:
			s.Capture = *p.Capture
		default:
			return s, &Error{Status: http.StatusBadRequest, Message: `capture must be "off", "findings" or "all"`}
		}
	}
	return s, nil
}

// learnFrom is how far back a principal's earlier changes count.
const learnFrom = 365 * 24 * time.Hour

func subscriptionRoutes(mux *http.ServeMux, h func(handlerFunc) http.Handler, s Store, o Options) {
	mux.Handle("GET /api/subscriptions", h(func(r *http.Request) (any, error) {
		subs, err := s.Subscriptions(r.Context())
		p := principalOf(r.Context())
		out := []subscription.Settings{}
		for _, sub := range subs {
			if p.Reaches(sub.ID) {
				out = append(out, sub)
			}
		}
		return map[string]any{"subscriptions": out}, err
	}))
	mux.Handle("POST /api/subscriptions", h(func(r *http.Request) (any, error) { return createSubscription(s, r, o) }))
	mux.Handle("DELETE /api/subscriptions/{id}", h(func(r *http.Request) (any, error) { return deleteSubscription(s, r, o) }))
	mux.Handle("GET /api/subscriptions/{id}", h(func(r *http.Request) (any, error) {
		return getSubscription(s, r)
	}))
	mux.Handle("GET /api/subscriptions/{id}/changes", h(func(r *http.Request) (any, error) {
		if _, err := getSubscription(s, r); err != nil {
			return nil, err
		}
		cs, err := s.SettingsChanges(r.Context(), r.PathValue("id"), time.Time{}, 0)
		if cs == nil {
			cs = []controlplane.Change{}
		}
		return map[string]any{"changes": cs}, err
	}))
	// Changing protection is a control-plane operation: it is audited, and
	// one that weakens protection in a way its principal never has raises
	// the anomalous-operation alert in the same transaction.
	mux.Handle("PATCH /api/subscriptions/{id}", h(func(r *http.Request) (any, error) {
		before, err := getSubscription(s, r)
		if err != nil {
			return nil, err
		}
		var patch settingsPatch
		d := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
		d.DisallowUnknownFields()
		if err := d.Decode(&patch); err != nil {
			return nil, &Error{Status: http.StatusBadRequest, Message: "body must be a JSON object with plan, mode, prompt_evidence, data_security, model_security, sensitivity, redact, capture or name: " + err.Error()}
		}
		after, err := patch.apply(before)
		if err != nil {
			return nil, err
		}
		p, now := principalOf(r.Context()), o.Now().UTC()
		if after.Name != before.Name && !p.CanManage() {
			return nil, &Error{Status: http.StatusForbidden, Message: "renaming a subscription is for owners and contributors"}
		}
		after.Source, after.UpdatedAt, after.UpdatedBy = "api", now, p.Name
		c := controlplane.Change{ID: uuid.NewString(), Subscription: before.ID, Principal: p.Name, Role: p.Role,
			IP: clientIP(r), UserAgent: r.UserAgent(), At: now, Before: before, After: after}
		history, err := s.SettingsChanges(r.Context(), before.ID, now.Add(-learnFrom), 0)
		if err != nil {
			return nil, err
		}
		var as []alert.Alert
		if f, ok := controlplane.Assess(history, c); ok {
			as = alert.Build(changeContext(r, p, before.ID), nil, []scan.Finding{f}, false, now)
			o.Suppress.Apply(as, now)
		}
		if err := s.ChangeSubscription(r.Context(), c, as); err != nil {
			return nil, err
		}
		if o.Changed != nil {
			o.Changed()
		}
		return after, nil
	}))
}

// createRequest is a new subscription: its id and the settings of a
// PATCH (fields left out take their defaults: plan off, detect mode).
type createRequest struct {
	ID string `json:"id"`
	settingsPatch
}

var subscriptionID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// createSubscription adds a subscription at run time (owners and
// contributors), audited like a change from nothing.
func createSubscription(s Store, r *http.Request, o Options) (any, error) {
	p := principalOf(r.Context())
	if !p.CanManage() {
		return nil, &Error{Status: http.StatusForbidden, Message: "creating a subscription is for owners and contributors"}
	}
	if len(p.Subscriptions) > 0 {
		return nil, &Error{Status: http.StatusForbidden, Message: "a principal limited to some subscriptions cannot create others"}
	}
	var req createRequest
	if err := decodeStrict(r, &req); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "body must be a JSON object with id and the settings of a PATCH: " + err.Error()}
	}
	if !subscriptionID.MatchString(req.ID) {
		return nil, &Error{Status: http.StatusBadRequest, Message: "id: letters, digits, _ . - (at most 128)"}
	}
	after, err := req.settingsPatch.apply(subscription.Settings{ID: req.ID, Mode: subscription.ModeDetect, Capture: subscription.CaptureOff, Redact: []string{}})
	if err != nil {
		return nil, err
	}
	now := o.Now().UTC()
	after.Source, after.UpdatedAt, after.UpdatedBy = "api", now, p.Name
	c := controlplane.Change{ID: uuid.NewString(), Subscription: after.ID, Principal: p.Name, Role: p.Role, IP: clientIP(r),
		UserAgent: r.UserAgent(), At: now, After: after, Operation: "subscription_created"}
	if err := s.CreateSubscription(r.Context(), c); errors.Is(err, store.ErrConflict) {
		return nil, &Error{Status: http.StatusConflict, Message: "a subscription with this id exists"}
	} else if err != nil {
		return nil, err
	}
	if o.Changed != nil {
		o.Changed()
	}
	return after, nil
}

// deleteSubscription removes a subscription (owners only). One a
// configured route sends traffic to is refused: its traffic would go on,
// unprotected.
func deleteSubscription(s Store, r *http.Request, o Options) (any, error) {
	p := principalOf(r.Context())
	if p.Role != RoleOwner {
		return nil, &Error{Status: http.StatusForbidden, Message: "deleting a subscription is for owners"}
	}
	before, err := getSubscription(s, r)
	if err != nil {
		return nil, err
	}
	if slices.Contains(o.Routed, before.ID) {
		return nil, &Error{Status: http.StatusConflict, Message: "a configured route sends traffic to this subscription: change the route first"}
	}
	now := o.Now().UTC()
	c := controlplane.Change{ID: uuid.NewString(), Subscription: before.ID, Principal: p.Name, Role: p.Role, IP: clientIP(r),
		UserAgent: r.UserAgent(), At: now, Before: before, Operation: "subscription_deleted"}
	if err := s.DeleteSubscription(r.Context(), c); err != nil {
		return storeErr[any](nil, err)
	}
	if o.Changed != nil {
		o.Changed()
	}
	return map[string]string{"deleted": before.ID}, nil
}

func getSubscription(s Store, r *http.Request) (subscription.Settings, error) {
	id := r.PathValue("id")
	sub, err := s.Subscription(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !principalOf(r.Context()).Reaches(id) {
		return sub, &Error{Status: http.StatusNotFound, Message: "no such subscription"}
	}
	return sub, err
}
