package report

import (
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

// Posture is the data security posture of a period, from interaction
// records: where sensitive data goes, through which apps and users, how
// much traffic has no user context, which apps are not protected, and
// which sensitive types many users send to one app (oversharing).
type Posture struct {
	Since        time.Time `json:"since"`
	Until        time.Time `json:"until"`
	Interactions int       `json:"interactions"`
	// Sensitive counts interactions with at least one sensitive type.
	Sensitive          int           `json:"sensitive"`
	WithoutUserContext int           `json:"without_user_context"`
	ByApp              []AppRow      `json:"by_application"`
	ByUser             []Row         `json:"by_user"`
	TopTypes           []Row         `json:"top_types"`
	ByDay              []DayRow      `json:"by_day"`
	Unprotected        []AppRow      `json:"unprotected_applications"`
	Oversharing        []Oversharing `json:"oversharing"`
	// Truncated is set when there were more records than the report read.
	Truncated bool `json:"truncated,omitempty"`
}

// Row is a key and how many sensitive interactions (or values) it had.
type Row struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// AppRow is an application's traffic and its sensitive part.
type AppRow struct {
	Application  string `json:"application"`
	Subscription string `json:"subscription"`
	Interactions int    `json:"interactions"`
	Sensitive    int    `json:"sensitive"`
	// Mode is the subscription's mode, for unprotected applications
	// ("detect": found but not stopped).
	Mode string `json:"mode,omitempty"`
}

// DayRow is one day's traffic.
type DayRow struct {
	Day          string `json:"day"`
	Interactions int    `json:"interactions"`
	Sensitive    int    `json:"sensitive"`
}

// Oversharing is one sensitive type that many users sent to one app.
type Oversharing struct {
	Application string `json:"application"`
	Type        string `json:"type"`
	Users       int    `json:"users"`
}

// OversharingUsers is how many distinct users sending one type to one app
// make it oversharing.
const OversharingUsers = 3

// BuildPosture summarises records of a period; modes gives each
// subscription's mode ("block" or "detect"): an app behind a detect-mode
// subscription that saw sensitive data is reported as unprotected. Users
// are counted only from interactions with user context.
func BuildPosture(rs []interaction.Record, modes map[string]string, since, until time.Time) Posture {
	p := Posture{Since: since, Until: until}
	type appKey struct{ sub, app string }
	apps := map[appKey]*AppRow{}
	users, types, days := map[string]int{}, map[string]int{}, map[string]*DayRow{}
	share := map[[2]string]map[string]bool{} // (app, type) -> users
	for _, r := range rs {
		p.Interactions++
		sensitive := len(r.SensitiveTypes) > 0
		if !r.UserContext {
			p.WithoutUserContext++
		}
		app := r.Application
		if app == "" {
			app = "(none)"
		}
		a := apps[appKey{r.Subscription, app}]
		if a == nil {
			a = &AppRow{Application: app, Subscription: r.Subscription}
			apps[appKey{r.Subscription, app}] = a
		}
		a.Interactions++
		day := r.At.UTC().Format("2006-01-02")
		d := days[day]
		if d == nil {
			d = &DayRow{Day: day}
			days[day] = d
		}
		d.Interactions++
		if !sensitive {
			continue
		}
		p.Sensitive++
		a.Sensitive++
		d.Sensitive++
		if r.UserContext {
			users[r.User]++
		}
		for t, n := range r.SensitiveTypes {
			types[t] += n
			if r.UserContext {
				k := [2]string{app, t}
				if share[k] == nil {
					share[k] = map[string]bool{}
				}
				share[k][r.User] = true
			}
		}
	}
	for _, a := range apps {
		p.ByApp = append(p.ByApp, *a)
		if m := modes[a.Subscription]; m != "block" && a.Sensitive > 0 {
			u := *a
			u.Mode = m
			p.Unprotected = append(p.Unprotected, u)
		}
	}
	byCount := func(x, y AppRow) int {
		if x.Sensitive != y.Sensitive {
			return y.Sensitive - x.Sensitive
		}
		return compareStrings(x.Application+x.Subscription, y.Application+y.Subscription)
	}
	slices.SortFunc(p.ByApp, byCount)
	slices.SortFunc(p.Unprotected, byCount)
	p.ByUser, p.TopTypes = rows(users), rows(types)
	for _, d := range days {
		p.ByDay = append(p.ByDay, *d)
	}
	sort.Slice(p.ByDay, func(i, j int) bool { return p.ByDay[i].Day < p.ByDay[j].Day })
	for k, us := range share {
		if len(us) >= OversharingUsers {
			p.Oversharing = append(p.Oversharing, Oversharing{Application: k[0], Type: k[1], Users: len(us)})
		}
	}
	slices.SortFunc(p.Oversharing, func(x, y Oversharing) int {
		if x.Users != y.Users {
			return y.Users - x.Users
		}
		return compareStrings(x.Application+x.Type, y.Application+y.Type)
	})
	return p
}

func rows(m map[string]int) []Row {
	out := make([]Row, 0, len(m))
	for k, n := range m {
		out = append(out, Row{Key: k, Count: n})
	}
	slices.SortFunc(out, func(x, y Row) int {
		if x.Count != y.Count {
			return y.Count - x.Count
		}
		return compareStrings(x.Key, y.Key)
	})
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CSV is the posture as rows of section, key, subkey, count (for a
// spreadsheet): one section per breakdown.
func (p Posture) CSV() [][]string {
	out := [][]string{{"section", "key", "subkey", "count"}}
	add := func(sec, k, sub string, n int) { out = append(out, []string{sec, k, sub, strconv.Itoa(n)}) }
	add("interactions", "", "", p.Interactions)
	add("sensitive", "", "", p.Sensitive)
	add("without_user_context", "", "", p.WithoutUserContext)
	for _, a := range p.ByApp {
		add("application_interactions", a.Application, a.Subscription, a.Interactions)
		add("application_sensitive", a.Application, a.Subscription, a.Sensitive)
	}
	for _, r := range p.ByUser {
		add("user_sensitive", r.Key, "", r.Count)
	}
	for _, r := range p.TopTypes {
		add("type", r.Key, "", r.Count)
	}
	for _, d := range p.ByDay {
		add("day_interactions", d.Day, "", d.Interactions)
		add("day_sensitive", d.Day, "", d.Sensitive)
	}
	for _, a := range p.Unprotected {
		add("unprotected", a.Application, a.Subscription+" ("+a.Mode+")", a.Sensitive)
	}
	for _, o := range p.Oversharing {
		add("oversharing", o.Application, o.Type, o.Users)
	}
	return out
}
