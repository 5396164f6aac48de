package api

import (
	"net/http"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/report"
	"github.com/wardenhq/warden/internal/store"
)

// dashboardAlerts is the most alerts the dashboard reads for a period.
const dashboardAlerts = 10_000

// dashboard is the console's first page (?since=&until=&subscription=,
// default the last 24 hours): traffic, detection latency and alerts, in
// the subscriptions the principal reaches.
func dashboard(s Store, r *http.Request, now time.Time) (any, error) {
	q := r.URL.Query()
	subs, err := reach(principalOf(r.Context()), q.Get("subscription"))
	if err != nil {
		return nil, err
	}
	until, since := now, now.Add(-24*time.Hour)
	if err := queryTimes(q, map[string]*time.Time{"since": &since, "until": &until}); err != nil {
		return nil, err
	}
	if !since.Before(until) || until.Sub(since) > 366*24*time.Hour {
		return nil, &Error{Status: http.StatusBadRequest, Message: "since must be before until, at most a year apart"}
	}
	ms, err := s.Traffic(r.Context(), since, until, subs)
	if err != nil {
		return nil, err
	}
	var as []alert.Alert
	truncated := false
	for _, one := range orAll(subs) {
		got, more, err := collectAlerts(r, s, store.AlertFilter{Subscription: one, Since: since, Until: until}, dashboardAlerts)
		if err != nil {
			return nil, err
		}
		truncated = truncated || more
		as = append(as, got...)
	}
	d := report.BuildDashboard(ms, as, since, until)
	d.Alerts.Truncated = truncated
	return d, nil
}

// orAll is subs, or one "" (every subscription) when there are none.
func orAll(subs []string) []string {
	if len(subs) == 0 {
		return []string{""}
	}
	return subs
}

// collectAlerts reads the alerts f selects, a thousand at a time, up to
// most; more is set when there were more.
func collectAlerts(r *http.Request, s Store, f store.AlertFilter, most int) (out []alert.Alert, more bool, err error) {
	f.Limit = 1000
	for f.Offset = 0; ; f.Offset += f.Limit {
		page, err := s.Alerts(r.Context(), f)
		if err != nil {
			return nil, false, err
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out, false, nil
		}
		if len(out) >= most {
			return out[:most], true, nil
		}
	}
}
