// Package report summarises stored alerts for the data security component:
// which sensitive information types and credentials went into prompts and
// came out of responses, through which applications and users, day by day.
// It counts what the alerts already hold (types, kinds, entities); it
// reads no prompt text, because none is stored for it.
package report

import (
	"sort"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

// Types are the alert types the data-security report counts.
var Types = []string{
	alert.SensitiveDataInPrompt.Type, alert.SecretInPrompt.Type,
	alert.SensitiveDataLeak.Type, alert.CredentialTheft.Type,
}

// Count is one row of a breakdown.
type Count struct {
	Key      string `json:"key"`
	Prompt   int    `json:"prompt"`   // interactions where users sent it
	Response int    `json:"response"` // interactions where the model returned it
}

// DataSecurity is the report.
type DataSecurity struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Interactions counts alerts folded by repeats (an alert seen five times
	// counts five).
	Interactions int     `json:"interactions"`
	ByKind       []Count `json:"by_kind"`
	ByApp        []Count `json:"by_application"`
	ByUser       []Count `json:"by_user"`
	ByDay        []Count `json:"by_day"`
	// Truncated is set when there were more alerts than the report read.
	Truncated bool `json:"truncated,omitempty"`
	// Traffic is every recorded interaction of the period (not only those
	// with sensitive data), and how much of it had no verified end user:
	// interactions without user context are audited but stay out of
	// per-user policies (the plan's user-context rule).
	Traffic *Traffic `json:"traffic,omitempty"`
}

// Traffic counts recorded interactions.
type Traffic struct {
	Interactions       int     `json:"interactions"`
	WithoutUserContext int     `json:"without_user_context"`
	ShareWithout       float64 `json:"share_without_user_context"`
}

// NewTraffic is the traffic figure of total interactions, without of them
// with no user context.
func NewTraffic(total, without int) *Traffic {
	t := &Traffic{Interactions: total, WithoutUserContext: without}
	if total > 0 {
		t.ShareWithout = float64(without) / float64(total)
	}
	return t
}

// Build summarises as, the data-security alerts of a period.
func Build(as []alert.Alert, since, until time.Time) DataSecurity {
	r := DataSecurity{Since: since, Until: until}
	kinds, apps, users, days := counter{}, counter{}, counter{}, counter{}
	for _, a := range as {
		prompt := a.Type == alert.SensitiveDataInPrompt.Type || a.Type == alert.SecretInPrompt.Type
		n := max(a.Count, 1)
		r.Interactions += n
		seen := map[string]bool{}
		for _, f := range a.Findings {
			k := f.Kind
			if k == "" {
				k = f.Type
			}
			if !seen[k] {
				seen[k] = true
				kinds.add(k, prompt, n)
			}
		}
		app, user := "(none)", "(anonymous)"
		for _, e := range a.Entities {
			switch e.Kind {
			case "application":
				app = e.ID
			case "user":
				user = e.ID
			}
		}
		apps.add(app, prompt, n)
		users.add(user, prompt, n)
		days.add(a.LastSeen.UTC().Format("2006-01-02"), prompt, n)
	}
	r.ByKind, r.ByApp, r.ByUser = kinds.top(0), apps.top(20), users.top(20)
	r.ByDay = days.sorted()
	return r
}

type counter map[string]*Count

func (c counter) add(key string, prompt bool, n int) {
	x := c[key]
	if x == nil {
		x = &Count{Key: key}
		c[key] = x
	}
	if prompt {
		x.Prompt += n
	} else {
		x.Response += n
	}
}

// top returns the rows by total, largest first (n 0: all).
func (c counter) top(n int) []Count {
	out := c.sorted()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Prompt+out[i].Response > out[j].Prompt+out[j].Response })
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// sorted returns the rows by key.
func (c counter) sorted() []Count {
	out := make([]Count, 0, len(c))
	for _, x := range c {
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
