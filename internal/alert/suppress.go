package alert

import "time"

// Suppression is a rule for known-good activity: alerts it matches are
// kept with status "suppressed" but neither exported nor put in incidents.
// Empty fields match anything; a rule past Until no longer applies.
type Suppression struct {
	Type         string
	Subscription string
	Resource     string
	User         string
	IP           string
	Until        time.Time
	Reason       string
}

// Matches reports whether the rule applies to a at now.
func (s Suppression) Matches(a Alert, now time.Time) bool {
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
