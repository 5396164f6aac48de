package alert

import (
	"errors"
	"sync/atomic"
	"time"
)

// Suppression is a rule for known-good activity: alerts it matches are
// kept with status "suppressed" but neither exported nor put in incidents.
// Empty fields match anything; a rule past Until no longer applies.
type Suppression struct {
	ID           string    `json:"id,omitempty"`
	Type         string    `json:"type,omitempty"`
	Subscription string    `json:"subscription,omitempty"`
	Resource     string    `json:"resource,omitempty"`
	User         string    `json:"user,omitempty"`
	IP           string    `json:"ip,omitempty"`
	Until        time.Time `json:"until,omitzero"`
	Reason       string    `json:"reason"`
	// Source is "config" for rules of the configuration file, "api" for
	// rules added at run time; CreatedBy and CreatedAt say who and when.
	Source    string    `json:"source,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// Validate checks that a rule says why and names what it is about beyond
// a subscription: a rule of a subscription alone would silence all of it.
// No rule may name the anomalous-operation type, the alert about changes
// to protection itself (Matches never suppresses it either).
func (s Suppression) Validate() error {
	if s.Reason == "" {
		return errors.New("reason is required: say why the activity is known good")
	}
	if s.Type == "" && s.Resource == "" && s.User == "" && s.IP == "" {
		return errors.New("the rule would match every alert of its subscriptions: name a type, resource, user or ip")
	}
	if s.Type == AnomalousOperation.Type {
		return errors.New(s.Type + " cannot be suppressed: it reports changes to protection, suppression rules included")
	}
	if s.Type != "" {
		if _, ok := KindByType(s.Type); !ok {
			return errors.New("unknown alert type " + s.Type)
		}
	}
	return nil
}

// HidesWholeType reports whether the rule hides an alert type for a whole
// subscription (or every one): a type and nothing narrower. Such a rule is
// a way to switch detection off, and adding it raises the anomalous-
// operation alert.
func (s Suppression) HidesWholeType() bool {
	return s.Type != "" && s.Resource == "" && s.User == "" && s.IP == ""
}

// Matches reports whether the rule applies to a at now. The anomalous-
// operation alert is never matched: a principal must not be able to
// silence the alert about its own change.
func (s Suppression) Matches(a Alert, now time.Time) bool {
	if a.Type == AnomalousOperation.Type {
		return false
	}
	if !s.Until.IsZero() && now.After(s.Until) {
		return false
	}
	if s.Type != "" && s.Type != a.Type || s.Subscription != "" && s.Subscription != a.Subscription || s.Resource != "" && s.Resource != a.Resource {
		return false
	}
	if s.User != "" && !hasEntity(a, "user", s.User) || s.IP != "" && !hasEntity(a, "ip", s.IP) {
		return false
	}
	return true
}

func hasEntity(a Alert, kind, id string) bool {
	for _, e := range a.Entities {
		if e.Kind == kind && e.ID == id {
			return true
		}
	}
	return false
}

// Suppress marks the alerts a rule matches and returns how many it marked.
func Suppress(as []Alert, rules []Suppression, now time.Time) int {
	n := 0
	for i := range as {
		for _, r := range rules {
			if r.Matches(as[i], now) {
				as[i].Status = "suppressed"
				n++
				break
			}
		}
	}
	return n
}

// Rules is a set of suppression rules that can be replaced while alerts
// are being raised: rules added through the API apply without a restart.
type Rules struct{ p atomic.Pointer[[]Suppression] }

// NewRules returns a set holding rs.
func NewRules(rs []Suppression) *Rules {
	r := &Rules{}
	r.Set(rs)
	return r
}

// Set replaces the rules.
func (r *Rules) Set(rs []Suppression) { r.p.Store(&rs) }

// Get returns the current rules.
func (r *Rules) Get() []Suppression {
	if r == nil {
		return nil
	}
	return *r.p.Load()
}

// Apply marks the alerts the current rules match (see Suppress); a nil set
// marks none.
func (r *Rules) Apply(as []Alert, now time.Time) int { return Suppress(as, r.Get(), now) }
