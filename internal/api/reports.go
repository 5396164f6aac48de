package api

import (
	"net/http"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/report"
)

// reportAlerts bounds what one report reads.
const reportAlerts = 100_000

// dataSecurityReport answers GET /api/reports/data-security: the sensitive
// information types and credentials in prompts and responses of a period
// (since, until: RFC 3339; default the last 30 days), by type, application,
// user and day.
func dataSecurityReport(s Store, r *http.Request, now time.Time) (any, error) {
	q := r.URL.Query()
	sub, err := scopeFilter(principalOf(r.Context()), q.Get("subscription"))
	if err != nil {
		return nil, err
	}
	until, since := now, now.Add(-30*24*time.Hour)
	if err := queryTimes(q, map[string]*time.Time{"since": &since, "until": &until}); err != nil {
		return nil, err
	}
	if !since.Before(until) {
		return nil, &Error{Status: http.StatusBadRequest, Message: "since must be before until"}
	}
	as, more, err := s.AlertsOfTypes(r.Context(), sub, report.Types, since, until, reportAlerts)
	if err != nil {
		return nil, err
	}
	rep := report.Build(as, since, until)
	rep.Truncated = more
	total, without, err := s.InteractionCounts(r.Context(), sub, since, until)
	if err != nil {
		return nil, err
	}
	rep.Traffic = report.NewTraffic(total, without)
	return rep, nil
}

// postureReport is the data security posture of a period from interaction
// records (?subscription=&since=&until=, default the last 30 days;
// ?format=csv for a spreadsheet).
func postureReport(s Store, r *http.Request, now time.Time) (any, error) {
	q := r.URL.Query()
	sub, err := scopeFilter(principalOf(r.Context()), q.Get("subscription"))
	if err != nil {
		return nil, err
	}
	until, since := now, now.Add(-30*24*time.Hour)
	if err := queryTimes(q, map[string]*time.Time{"since": &since, "until": &until}); err != nil {
		return nil, err
	}
	f := interaction.Filter{From: since, To: until, Limit: 1000}
	if sub != "" {
		f.Subscriptions = []string{sub}
	}
	rs, truncated, err := interaction.Collect(r.Context(), s.Interactions, f, reportAlerts)
	if err != nil {
		return nil, err
	}
	subs, err := s.Subscriptions(r.Context())
	if err != nil {
		return nil, err
	}
	modes := map[string]string{}
	for _, x := range subs {
		modes[x.ID] = string(x.Mode)
		if !x.Plan {
			modes[x.ID] = "off"
		}
	}
	p := report.BuildPosture(rs, modes, since, until)
	p.Truncated = truncated
	switch q.Get("format") {
	case "", "json":
		return p, nil
	case "csv":
		return csvRows{name: "warden-posture.csv", rows: p.CSV()}, nil
	}
	return nil, &Error{Status: http.StatusBadRequest, Message: `format must be "json" or "csv"`}
}
