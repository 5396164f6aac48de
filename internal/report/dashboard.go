package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/traffic"
)

// Dashboard is the console's first page for a period: what the gateway
// did, how fast detection was, and what was raised.
type Dashboard struct {
	Since    time.Time `json:"since"`
	Until    time.Time `json:"until"`
	Requests int64     `json:"requests"`
	Scanned  int64     `json:"scanned"`
	Blocked  int64     `json:"blocked"`
	// Latency is detection time over the scanned requests, read from the
	// histogram: each figure is its bucket's upper bound in ms.
	Latency Latency `json:"latency_ms"`
	// Step is the width of the series' points: an hour up to two days,
	// else a day.
	Step    string       `json:"step"`
	Traffic []TrafficRow `json:"traffic"`
	Alerts  AlertSummary `json:"alerts"`
}

// Latency percentiles of detection time.
type Latency struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Over bool    `json:"over,omitempty"` // the p99 is beyond the last bound
}

// TrafficRow is one point of the traffic series.
type TrafficRow struct {
	At      time.Time `json:"at"`
	Scanned int64     `json:"scanned"`
	Blocked int64     `json:"blocked"`
}

// AlertSummary counts a period's alerts.
type AlertSummary struct {
	Total        int            `json:"total"`
	BySeverity   map[string]int `json:"by_severity"`
	ByType       []Row          `json:"by_type"`
	OverTime     []SeverityRow  `json:"over_time"`
	TopResources []Row          `json:"top_resources"`
	TopUsers     []Row          `json:"top_users"`
	Truncated    bool           `json:"truncated,omitempty"`
}

// SeverityRow is one point of the alerts series, by severity.
type SeverityRow struct {
	At     time.Time      `json:"at"`
	Counts map[string]int `json:"counts"`
}

// BuildDashboard summarises a period's traffic minutes and alerts.
func BuildDashboard(ms []traffic.Minute, as []alert.Alert, since, until time.Time) Dashboard {
	d := Dashboard{Since: since, Until: until, Step: "hour"}
	step := time.Hour
	if until.Sub(since) > 48*time.Hour {
		d.Step, step = "day", 24*time.Hour
	}
	var hist [traffic.Buckets]int64
	// Points are keyed by Unix time: times read back from the store and
	// the clock's differ in location, which == (and a map) would see.
	points := map[int64]*TrafficRow{}
	for _, m := range ms {
		d.Requests += m.Requests
		d.Scanned += m.Scanned
		d.Blocked += m.Blocked
		for i, n := range m.Latency {
			hist[i] += n
		}
		at := m.At.UTC().Truncate(step)
		p := points[at.Unix()]
		if p == nil {
			p = &TrafficRow{At: at}
			points[at.Unix()] = p
		}
		p.Scanned += m.Scanned
		p.Blocked += m.Blocked
	}
	d.Latency.P50, _ = traffic.Percentile(hist, 0.50)
	d.Latency.P95, _ = traffic.Percentile(hist, 0.95)
	d.Latency.P99, d.Latency.Over = traffic.Percentile(hist, 0.99)
	for at := since.UTC().Truncate(step); at.Before(until); at = at.Add(step) {
		row := TrafficRow{At: at}
		if p := points[at.Unix()]; p != nil {
			row = *p
		}
		d.Traffic = append(d.Traffic, row)
	}
	d.Alerts = summarise(as, since, until, step)
	return d
}

func summarise(as []alert.Alert, since, until time.Time, step time.Duration) AlertSummary {
	s := AlertSummary{BySeverity: map[string]int{}}
	types, resources, users := map[string]int{}, map[string]int{}, map[string]int{}
	over := map[int64]map[string]int{}
	for _, a := range as {
		s.Total++
		s.BySeverity[string(a.Severity)]++
		types[a.Type]++
		if a.Resource != "" {
			resources[a.Subscription+"/"+a.Resource]++
		}
		for _, e := range a.Entities {
			if e.Kind == "user" {
				users[e.ID]++
			}
		}
		at := a.LastSeen.UTC().Truncate(step).Unix()
		if over[at] == nil {
			over[at] = map[string]int{}
		}
		over[at][string(a.Severity)]++
	}
	for at := since.UTC().Truncate(step); at.Before(until); at = at.Add(step) {
		counts := over[at.Unix()]
		if counts == nil {
			counts = map[string]int{}
		}
		s.OverTime = append(s.OverTime, SeverityRow{At: at, Counts: counts})
	}
	s.ByType, s.TopResources, s.TopUsers = top(types, 0), top(resources, 10), top(users, 10)
	return s
}

// top sorts counts, highest first (then by key), keeping n (0: all).
func top(counts map[string]int, n int) []Row {
	out := make([]Row, 0, len(counts))
	for k, c := range counts {
		out = append(out, Row{Key: k, Count: c})
	}
	slices.SortFunc(out, func(a, b Row) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Key, b.Key)) })
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
