// Package api is Warden's REST API: alerts and incidents to triage,
// subscriptions' protection settings to read and change (with an audit log
// and the anomalous-operation check), and model scans with their
// recommendations. Every call is authenticated and authorised by role and
// subscription; handlers return errors, one adapter writes every response in
// one envelope. It reads and writes the store and never touches the request
// path.
package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/controlplane"
	"github.com/wardenhq/warden/internal/insider"
	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/policy"
	"github.com/wardenhq/warden/internal/signin"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/subscription"
	"github.com/wardenhq/warden/internal/traffic"
)

// Store is what the API reads and writes.
type Store interface {
	Alerts(ctx context.Context, f store.AlertFilter) ([]alert.Alert, error)
	CountAlerts(ctx context.Context, f store.AlertFilter) (int, error)
	Comments(ctx context.Context, target string) ([]store.Comment, error)
	Alert(ctx context.Context, id string) (alert.Alert, error)
	Subscriptions(ctx context.Context) ([]subscription.Settings, error)
	Subscription(ctx context.Context, id string) (subscription.Settings, error)
	ChangeSubscription(ctx context.Context, c controlplane.Change, as []alert.Alert) error
	CreateSubscription(ctx context.Context, c controlplane.Change) error
	DeleteSubscription(ctx context.Context, c controlplane.Change) error
	SettingsChanges(ctx context.Context, subscription string, since time.Time, limit int) ([]controlplane.Change, error)
	ModelScans(ctx context.Context, subscription string) ([]store.ModelScan, error)
	UpdateAlert(ctx context.Context, id string, u store.Update) (alert.Alert, error)
	Incidents(ctx context.Context, f store.IncidentFilter) ([]store.Incident, error)
	Incident(ctx context.Context, id string) (store.Incident, error)
	UpdateIncident(ctx context.Context, id string, u store.Update) (store.Incident, error)
	AddSuppression(ctx context.Context, r alert.Suppression, c controlplane.Change, as []alert.Alert) error
	DeleteSuppression(ctx context.Context, id string, c controlplane.Change) error
	Suppressions(ctx context.Context) ([]alert.Suppression, error)
	AlertsOfTypes(ctx context.Context, subscription string, types []string, since, until time.Time, limit int) ([]alert.Alert, bool, error)
	SinkStates(ctx context.Context, sinks []string) ([]store.SinkState, error)
	DeadLetters(ctx context.Context, sink string, limit int) ([]store.DeadLetter, error)
	Interactions(ctx context.Context, f interaction.Filter) ([]interaction.Record, string, error)
	InteractionCounts(ctx context.Context, subscription string, since, until time.Time) (total, withoutUser int, err error)
	Interaction(ctx context.Context, id string) (interaction.Record, error)
	RevealContent(ctx context.Context, id, principal, reason string, at time.Time) (string, []byte, error)
	Reveals(ctx context.Context, id string) ([]store.Reveal, error)
	Holds(ctx context.Context) ([]store.Hold, error)
	RiskLevels(ctx context.Context) (map[[2]string]insider.Assessment, error)
	PutHold(ctx context.Context, h store.Hold) error
	CompliancePolicies(ctx context.Context) ([]interaction.Policy, error)
	PutCompliancePolicy(ctx context.Context, p interaction.Policy, e store.AuditEvent) error
	DeleteCompliancePolicy(ctx context.Context, id string, e store.AuditEvent) error
	ReviewItems(ctx context.Context, f store.ReviewFilter) ([]store.ReviewItem, string, error)
	ReviewItem(ctx context.Context, id string) (store.ReviewItem, error)
	ActOnReview(ctx context.Context, id, status string, e store.AuditEvent) error
	Audit(ctx context.Context, e store.AuditEvent) error
	AuditEvents(ctx context.Context, target string, limit int) ([]store.AuditEvent, error)
	PutCase(ctx context.Context, c store.Case, e store.AuditEvent) error
	Cases(ctx context.Context) ([]store.Case, error)
	Case(ctx context.Context, id string) (store.Case, error)
	CloseCase(ctx context.Context, id string, e store.AuditEvent) error
	AddCaseSearch(ctx context.Context, cs store.CaseSearch, e store.AuditEvent) error
	CaseSearches(ctx context.Context, caseID string) ([]store.CaseSearch, error)
	Policies(ctx context.Context) ([]policy.Policy, error)
	Policy(ctx context.Context, id string) (policy.Policy, error)
	PutPolicy(ctx context.Context, p policy.Policy, base int, e store.AuditEvent) (policy.Policy, error)
	DeletePolicy(ctx context.Context, id string, e store.AuditEvent) error
	PolicyVersions(ctx context.Context, id string) ([]store.PolicyVersion, error)
	Traffic(ctx context.Context, since, until time.Time, subscriptions []string) ([]traffic.Minute, error)
	ReleaseHold(ctx context.Context, id string) error
}

// Options are the API's collaborators beyond the store.
type Options struct {
	// Sealer opens captured interaction content for content readers; nil:
	// no content is kept, and none can be read.
	Sealer *interaction.Sealer
	// Auth recognises callers; nil admits loopback clients as the local
	// owner only.
	Auth *Auth
	// Changed is called after a subscription's settings changed, so the
	// gateway's cache reloads at once.
	Changed func()
	// Suppress are the suppression rules in force (configuration and run
	// time); alerts raised here obey them.
	Suppress *alert.Rules
	// SuppressionsChanged is called after a rule was added or deleted, so
	// the rules in force reload at once.
	SuppressionsChanged func()
	// PoliciesChanged is called after a compliance policy was added or
	// deleted, so the interaction writer reloads them at once.
	PoliciesChanged func()
	// PolicyChanged is called after a detection policy was written or
	// deleted, so this process's gateway reloads them at once.
	PolicyChanged func()
	// Detectors are the configured detectors' names, which policies may
	// name.
	Detectors []string
	// Routed are the subscriptions configured routes send traffic to:
	// they cannot be deleted at run time.
	Routed []string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Sinks are the configured export sinks' names.
	Sinks []string
}

// Error is an API failure with a status and a message safe to show.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

type handlerFunc func(r *http.Request) (any, error)

// New returns the API's handler, serving under /api/.
func New(s Store, log *slog.Logger, o Options) http.Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	mux := http.NewServeMux()
	rec := recorder(s, log, o.Now)
	h := func(f handlerFunc) http.Handler {
		return adapter{f: f, log: log, auth: o.Auth, allow: defaultAllow, audit: rec}
	}
	mux.Handle("GET /api/export/sinks", h(func(r *http.Request) (any, error) { return exportSinks(s, r, o.Sinks) }))
	mux.Handle("GET /api/export/sinks/{name}/dead-letters", h(func(r *http.Request) (any, error) { return deadLetters(s, r, o.Sinks) }))
	mux.Handle("GET /api/alerts", h(func(r *http.Request) (any, error) { return listAlerts(s, r) }))
	mux.Handle("GET /api/dashboard", h(func(r *http.Request) (any, error) { return dashboard(s, r, o.Now()) }))
	mux.Handle("GET /api/insider-risk", h(func(r *http.Request) (any, error) { return insiderRisk(s, r) }))
	mux.Handle("GET /api/holds", h(func(r *http.Request) (any, error) { return listHolds(s, r) }))
	mux.Handle("POST /api/holds", h(func(r *http.Request) (any, error) { return placeHold(s, r, o.Now()) }))
	mux.Handle("DELETE /api/holds/{id}", h(func(r *http.Request) (any, error) { return releaseHold(s, r) }))
	mux.Handle("GET /api/reports/posture", h(func(r *http.Request) (any, error) { return postureReport(s, r, o.Now()) }))
	mux.Handle("GET /api/interactions", h(func(r *http.Request) (any, error) { return listInteractions(s, r) }))
	mux.Handle("GET /api/interactions/{id}/content", h(func(r *http.Request) (any, error) { return revealContent(s, r, o.Sealer, o.Now()) }))
	mux.Handle("GET /api/interactions/{id}/reveals", h(func(r *http.Request) (any, error) { return contentReveals(s, r) }))
	mux.Handle("GET /api/alerts/{id}", h(func(r *http.Request) (any, error) { return getAlert(s, r) }))
	mux.Handle("PATCH /api/alerts/{id}", h(func(r *http.Request) (any, error) {
		if _, err := getAlert(s, r); err != nil {
			return nil, err
		}
		u, err := readUpdate(r)
		if err != nil {
			return nil, err
		}
		return storeErr(s.UpdateAlert(r.Context(), r.PathValue("id"), u))
	}))
	mux.Handle("GET /api/incidents", h(func(r *http.Request) (any, error) {
		q := r.URL.Query()
		f := store.IncidentFilter{Subscription: q.Get("subscription"), Status: q.Get("status"), Severity: q.Get("severity")}
		var err error
		if f.Subscription, err = scopeFilter(principalOf(r.Context()), f.Subscription); err != nil {
			return nil, err
		}
		if f.Limit, f.Offset, err = paging(q.Get("limit"), q.Get("offset")); err != nil {
			return nil, err
		}
		incs, err := s.Incidents(r.Context(), f)
		return map[string]any{"incidents": incs}, err
	}))
	mux.Handle("GET /api/incidents/{id}", h(func(r *http.Request) (any, error) { return getIncident(s, r) }))
	mux.Handle("PATCH /api/incidents/{id}", h(func(r *http.Request) (any, error) {
		if _, err := getIncident(s, r); err != nil {
			return nil, err
		}
		u, err := readUpdate(r)
		if err != nil {
			return nil, err
		}
		return storeErr(s.UpdateIncident(r.Context(), r.PathValue("id"), u))
	}))
	only := func(roles ...string) func(handlerFunc) http.Handler {
		return func(f handlerFunc) http.Handler {
			return adapter{f: f, log: log, auth: o.Auth, allow: allowRoles(roles...), audit: rec}
		}
	}
	// Who the caller is, so the console shows only the controls their
	// role may use (the API refuses the rest anyway).
	mux.Handle("GET /api/whoami", only(Roles...)(func(r *http.Request) (any, error) {
		p := principalOf(r.Context())
		return map[string]any{"name": p.Name, "role": p.Role, "method": p.Method, "subscriptions": p.Subscriptions}, nil
	}))
	complianceRoutes(mux, h, only, s, o)
	ediscoveryRoutes(mux, only, s, o)
	triageRoutes(mux, h, s)
	policyRoutes(mux, h, s, o)
	subscriptionRoutes(mux, h, s, o)
	suppressionRoutes(mux, h, s, o)
	mux.Handle("GET /api/reports/data-security", h(func(r *http.Request) (any, error) { return dataSecurityReport(s, r, o.Now()) }))
	mux.Handle("GET /api/models", h(func(r *http.Request) (any, error) {
		sub, err := scopeFilter(principalOf(r.Context()), r.URL.Query().Get("subscription"))
		if err != nil {
			return nil, err
		}
		ms, err := s.ModelScans(r.Context(), sub)
		if ms == nil {
			ms = []store.ModelScan{}
		}
		return map[string]any{"models": ms}, err
	}))
	return mux
}

// getAlert reads one alert the principal may reach; one it may not is as
// missing as one that does not exist.
func getAlert(s Store, r *http.Request) (any, error) {
	a, err := s.Alert(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !principalOf(r.Context()).Reaches(a.Subscription) {
		return nil, &Error{Status: http.StatusNotFound, Message: "no such alert"}
	}
	return a, err
}

func getIncident(s Store, r *http.Request) (any, error) {
	inc, err := s.Incident(r.Context(), r.PathValue("id"))
	if err == nil && !principalOf(r.Context()).Reaches(inc.Subscription) {
		return nil, &Error{Status: http.StatusNotFound, Message: "no such incident"}
	}
	return storeErr(inc, err)
}

// readUpdate decodes a triage update; unknown fields are refused.
func readUpdate(r *http.Request) (store.Update, error) {
	var u store.Update
	d := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	d.DisallowUnknownFields()
	if err := d.Decode(&u); err != nil {
		return u, &Error{Status: http.StatusBadRequest, Message: "body must be a JSON object with status, assignee, classification, comment and author: " + err.Error()}
	}
	// A token's holder comments under its own name; only the local owner
	// may say who is writing.
	if p := principalOf(r.Context()); p.Method != "local" || u.Author == "" {
		u.Author = p.Name
	}
	if err := u.Validate(); err != nil {
		return u, &Error{Status: http.StatusBadRequest, Message: err.Error()}
	}
	return u, nil
}

// storeErr maps the store's errors to API errors.
func storeErr[T any](v T, err error) (any, error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, &Error{Status: http.StatusNotFound, Message: err.Error()}
	case errors.Is(err, store.ErrInvalid):
		return nil, &Error{Status: http.StatusBadRequest, Message: err.Error()}
	case err != nil:
		return nil, err
	}
	return v, nil
}

func paging(limit, offset string) (int, int, error) {
	l, o := 0, 0
	var err error
	if limit != "" {
		if l, err = strconv.Atoi(limit); err != nil || l < 1 {
			return 0, 0, &Error{Status: http.StatusBadRequest, Message: "limit must be a positive integer"}
		}
	}
	if offset != "" {
		if o, err = strconv.Atoi(offset); err != nil || o < 0 {
			return 0, 0, &Error{Status: http.StatusBadRequest, Message: "offset must be a non-negative integer"}
		}
	}
	return l, o, nil
}

// listAlerts is the alert queue: filters and pivots (subscription, type,
// severity, status, resource, user, app, request id, time), a page of the
// newest first, and how many match in all.
func listAlerts(s Store, r *http.Request) (any, error) {
	q := r.URL.Query()
	f := store.AlertFilter{Subscription: q.Get("subscription"), Type: q.Get("type"), Severity: q.Get("severity"), Status: q.Get("status"),
		Resource: q.Get("resource"), User: q.Get("user"), Application: q.Get("app"), RequestID: q.Get("request_id")}
	var err error
	if f.Limit, f.Offset, err = paging(q.Get("limit"), q.Get("offset")); err != nil {
		return nil, err
	}
	if err := queryTimes(q, map[string]*time.Time{"since": &f.Since, "until": &f.Until}); err != nil {
		return nil, err
	}
	if f.Subscription, err = scopeFilter(principalOf(r.Context()), f.Subscription); err != nil {
		return nil, err
	}
	as, err := s.Alerts(r.Context(), f)
	if err != nil {
		return nil, err
	}
	total, err := s.CountAlerts(r.Context(), f)
	if err != nil {
		return nil, err
	}
	return map[string]any{"alerts": as, "total": total}, nil
}

type adapter struct {
	f     handlerFunc
	log   *slog.Logger
	auth  *Auth
	allow allowFunc
	audit func(r *http.Request, p Principal, status int)
}

// ServeHTTP is the one place API calls are authorised and results and
// errors become responses.
func (a adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, p, err := a.serve(r)
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			a.log.Error("api", "path", r.URL.Path, "err", err)
			e = &Error{Status: http.StatusInternalServerError, Message: "internal error"}
		}
		a.audit(r, p, e.Status)
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="warden"`)
		}
		w.WriteHeader(e.Status)
		json.NewEncoder(w).Encode(map[string]string{"error": e.Message}) //nolint:errcheck
		return
	}
	a.audit(r, p, http.StatusOK)
	if d, ok := v.(download); ok {
		w.Header().Set("Content-Type", d.contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+d.name+`"`)
		for k, v := range d.header {
			w.Header().Set(k, v)
		}
		w.Write(d.body) //nolint:errcheck // the client went away
		return
	}
	if c, ok := v.(csvRows); ok {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+c.name+`"`)
		csv.NewWriter(w).WriteAll(c.rows) //nolint:errcheck // the client went away
		return
	}
	json.NewEncoder(w).Encode(v) //nolint:errcheck
}

// csvRows is a result written as CSV rather than JSON.
type csvRows struct {
	name string
	rows [][]string
}

func (a adapter) serve(r *http.Request) (any, Principal, error) {
	p, err := a.auth.authenticate(r)
	if err != nil {
		return nil, p, err
	}
	if err := a.allow(p, r); err != nil {
		return nil, p, err
	}
	v, err := a.f(r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	return v, p, err
}

// recorder writes the audit log's access entries: every change made
// through the API (whatever its own, richer entry says), every change
// refused for want of a role, and every failed authentication, with who,
// from where and the outcome. Reads that succeed are not recorded.
func recorder(s Store, log *slog.Logger, now func() time.Time) func(r *http.Request, p Principal, status int) {
	return func(r *http.Request, p Principal, status int) {
		mutating := r.Method != http.MethodGet && r.Method != http.MethodHead
		var action string
		_, cookie := r.Cookie(signin.CookieName)
		presented := r.Header.Get("Authorization") != "" || cookie == nil
		switch {
		case status == http.StatusUnauthorized && !presented && !mutating:
			// A read without credentials (the console asking who is
			// signed in) is not a failed authentication.
			return
		case status == http.StatusUnauthorized:
			action = "auth.failed"
		case status == http.StatusForbidden:
			action = "api.denied"
		case mutating && status < 300:
			action = "api.change"
		case mutating:
			action = "api.refused"
		default:
			return
		}
		who := p.Name
		if who == "" {
			who = "(unauthenticated)"
		}
		e := store.AuditEvent{At: now().UTC(), Principal: who, Action: action, Target: r.Method + " " + r.URL.Path,
			Detail: "status " + strconv.Itoa(status) + "; role " + p.Role + "; from " + clientIP(r) + "; route " + r.Pattern}
		// The request is answered whatever happens here; a failure to
		// record is logged (never with the request's body).
		if err := s.Audit(context.WithoutCancel(r.Context()), e); err != nil {
			log.Error("audit entry not written", "action", action, "target", e.Target, "err", err)
		}
	}
}

// queryTimes reads RFC 3339 times from the query into dst (by parameter
// name); a parameter left out leaves its time as it was.
func queryTimes(q url.Values, dst map[string]*time.Time) error {
	for name, t := range dst {
		if v := q.Get(name); v != "" {
			parsed, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return &Error{Status: http.StatusBadRequest, Message: name + " must be an RFC 3339 time"}
			}
			*t = parsed
		}
	}
	return nil
}
