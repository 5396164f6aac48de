package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/controlplane"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/store"
)

// suppressionRoutes serve the suppression rules: the configuration's (read
// only) and those added at run time, which every gateway picks up within
// seconds.
func suppressionRoutes(mux *http.ServeMux, h func(handlerFunc) http.Handler, s Store, o Options) {
	mux.Handle("GET /api/suppressions", h(func(r *http.Request) (any, error) {
		p := principalOf(r.Context())
		out := []alert.Suppression{}
		for _, rule := range o.Suppress.Get() {
			if rule.Subscription == "" || p.Reaches(rule.Subscription) {
				out = append(out, rule)
			}
		}
		return map[string]any{"suppressions": out}, nil
	}))
	mux.Handle("POST /api/suppressions", h(func(r *http.Request) (any, error) {
		var rule alert.Suppression
		d := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
		d.DisallowUnknownFields()
		if err := d.Decode(&rule); err != nil {
			return nil, &Error{Status: http.StatusBadRequest, Message: "body must be a JSON object with type, subscription, resource, user, ip, until and reason: " + err.Error()}
		}
		p, now := principalOf(r.Context()), o.Now().UTC()
		if !canManage(p, rule) {
			return nil, &Error{Status: http.StatusForbidden, Message: "this token may only suppress alerts of its own subscriptions: name one"}
		}
		if err := rule.Validate(); err != nil {
			return nil, &Error{Status: http.StatusBadRequest, Message: err.Error()}
		}
		if !rule.Until.IsZero() && !rule.Until.After(now) {
			return nil, &Error{Status: http.StatusBadRequest, Message: "until is in the past"}
		}
		rule.ID, rule.Source, rule.CreatedBy, rule.CreatedAt = uuid.NewString(), "api", p.Name, now
		c := suppressionChange(r, p, "suppression_added", rule, now)
		// A rule that hides a type for a whole subscription switches a
		// detection off: it alerts like any other weakening, and that
		// alert cannot itself be suppressed.
		var as []alert.Alert
		if rule.HidesWholeType() {
			scope := "every subscription"
			if rule.Subscription != "" {
				scope = "subscription " + rule.Subscription
			}
			f := scan.Finding{Category: scan.CategoryAbuse, Type: controlplane.FindingType, Confidence: 0.8,
				Severity: scan.SeverityMedium, Detector: "controlplane", Part: -1,
				Reason: fmt.Sprintf("suppression rule %s hides every %s alert of %s, added by %s (%s)", rule.ID, rule.Type, scope, p.Name, p.Role)}
			as = alert.Build(changeContext(r, p, rule.Subscription), nil, []scan.Finding{f}, false, now)
		}
		if err := s.AddSuppression(r.Context(), rule, c, as); err != nil {
			return nil, err
		}
		if o.SuppressionsChanged != nil {
			o.SuppressionsChanged()
		}
		return rule, nil
	}))
	mux.Handle("DELETE /api/suppressions/{id}", h(func(r *http.Request) (any, error) {
		id, p := r.PathValue("id"), principalOf(r.Context())
		for _, rule := range o.Suppress.Get() {
			if rule.ID == id && rule.Source == "config" {
				return nil, &Error{Status: http.StatusConflict, Message: "this rule comes from the configuration file: change it there"}
			}
		}
		rules, err := s.Suppressions(r.Context())
		if err != nil {
			return nil, err
		}
		var found *alert.Suppression
		for _, rule := range rules {
			if rule.ID == id {
				found = &rule
			}
		}
		if found == nil || !canManage(p, *found) {
			return nil, &Error{Status: http.StatusNotFound, Message: "no such suppression"}
		}
		c := suppressionChange(r, p, "suppression_deleted", *found, o.Now().UTC())
		if err := s.DeleteSuppression(r.Context(), id, c); errors.Is(err, store.ErrNotFound) {
			return nil, &Error{Status: http.StatusNotFound, Message: "no such suppression"}
		} else if err != nil {
			return nil, err
		}
		if o.SuppressionsChanged != nil {
			o.SuppressionsChanged()
		}
		return map[string]any{"deleted": id, "at": o.Now().UTC().Format(time.RFC3339)}, nil
	}))
}

// canManage reports whether p may add or delete rule: a rule for every
// subscription needs a principal that reaches every subscription.
func canManage(p Principal, rule alert.Suppression) bool {
	if rule.Subscription == "" {
		return len(p.Subscriptions) == 0
	}
	return p.Reaches(rule.Subscription)
}

// suppressionChange is the audit entry of a rule added or deleted, kept in
// the audit log of the rule's subscription ("" for a rule of every
// subscription).
func suppressionChange(r *http.Request, p Principal, op string, rule alert.Suppression, now time.Time) controlplane.Change {
	body, _ := json.Marshal(rule) // plain data: cannot fail
	return controlplane.Change{ID: uuid.NewString(), Subscription: rule.Subscription, Principal: p.Name, Role: p.Role,
		IP: clientIP(r), UserAgent: r.UserAgent(), At: now, Operation: op, Rule: body}
}

// changeContext is the alert context of a control-plane change by p.
func changeContext(r *http.Request, p Principal, sub string) alert.Context {
	return alert.Context{Subscription: sub, Resource: "subscription/" + sub, UserID: p.Name,
		AuthMethod: "api_" + p.Method, UserVerified: p.Method == "token", SourceIP: clientIP(r), UserAgent: r.UserAgent()}
}
