package alert

import (
	"context"
	"time"
)

// Windows are how far back folding and correlation look: a repeat of an
// alert (same fingerprint) seen within Aggregation of an open one is
// folded into it; an alert joins an open incident of the same user seen
// within Incident.
type Windows struct {
	Aggregation time.Duration
	Incident    time.Duration
}

// DefaultWindows are the windows when configuration sets none.
var DefaultWindows = Windows{Aggregation: 10 * time.Minute, Incident: time.Hour}

// Key is one thing alerts correlate on: an end user ("user"), an address
// ("ip") or a deployment ("resource").
type Key struct{ Kind, Value string }

// History is what folding and correlation read of the alerts and
// incidents already kept, inside the writer's transaction (the store).
type History interface {
	// LastOpen returns the most recent alert with fingerprint fp that is
	// still open (new, active or suppressed) and was last seen at or after
	// since.
	LastOpen(ctx context.Context, fp string, since time.Time) (Alert, bool, error)
	// OpenIncident returns the most recent unresolved incident of the
	// subscription that holds key and was last seen at or after since; with
	// userless, only an incident that holds no user key. "" when none.
	OpenIncident(ctx context.Context, subscription string, key Key, since time.Time, userless bool) (string, error)
}

// Placement is where a new alert goes: folded into an open alert
// (Folded, with Alert the merged one), or stored as it is, in incident
// Incident (new when NewIncident; none for a suppressed alert) with Keys
// recorded for the incident.
type Placement struct {
	Folded      bool
	Alert       Alert
	Incident    string
	NewIncident bool
	Keys        []Key
}

// Place decides where a is kept. Folding: a repeat within the aggregation
// window raises the open alert's count, last seen, severity, confidence
// and action. Correlation, by who, not where: an alert with an end user
// joins an open incident of that user within the window, and nothing else;
// shared infrastructure (an application server's address, a deployment
// every user reaches) is weak evidence and never merges different users.
// An alert with no user joins an open incident of its address that has no
// user either; a deployment alone merges nothing. A suppressed alert is
// kept but joins no incident.
func (w Windows) Place(ctx context.Context, h History, a Alert) (Placement, error) {
	if a.Fingerprint != "" {
		old, ok, err := h.LastOpen(ctx, a.Fingerprint, a.FirstSeen.Add(-w.Aggregation))
		if err != nil {
			return Placement{}, err
		}
		if ok {
			return Placement{Folded: true, Alert: Fold(old, a), Incident: old.Incident}, nil
		}
	}
	p := Placement{Alert: a}
	if a.Status == "suppressed" {
		return p, nil
	}
	strong, weak := IncidentKeys(a)
	since := a.FirstSeen.Add(-w.Incident)
	for _, k := range strong {
		id, err := h.OpenIncident(ctx, a.Subscription, k, since, false)
		if err != nil {
			return Placement{}, err
		}
		if id != "" {
			p.Incident = id
			break
		}
	}
	if len(strong) == 0 {
		for _, k := range weak {
			if k.Kind != "ip" {
				continue
			}
			id, err := h.OpenIncident(ctx, a.Subscription, k, since, true)
			if err != nil {
				return Placement{}, err
			}
			if id != "" {
				p.Incident = id
				break
			}
		}
	}
	if p.Incident == "" {
		p.Incident, p.NewIncident = "inc-"+a.ID, true
	}
	p.Alert.Incident = p.Incident
	p.Keys = append(strong, weak...)
	return p, nil
}

// Fold merges a repeat a into the open alert old: one more occurrence (or
// a's count), the later last seen, the higher severity and confidence,
// blocked if either was, and up to 20 findings kept.
func Fold(old, a Alert) Alert {
	old.Count += max(a.Count, 1)
	if a.LastSeen.After(old.LastSeen) {
		old.LastSeen = a.LastSeen
	}
	if a.Severity.Rank() > old.Severity.Rank() {
		old.Severity = a.Severity
	}
	old.Confidence = max(old.Confidence, a.Confidence)
	if a.Action == ActionBlocked {
		old.Action = ActionBlocked
	}
	if len(old.Findings) < 20 {
		old.Findings = append(old.Findings, a.Findings[:min(len(a.Findings), 20-len(old.Findings))]...)
	}
	return old
}

// IncidentKeys are what an alert correlates on: its end users (strong),
// and its addresses and resource (weak: many users share them).
func IncidentKeys(a Alert) (strong, weak []Key) {
	for _, e := range a.Entities {
		switch e.Kind {
		case "user":
			strong = append(strong, Key{e.Kind, e.ID})
		case "ip":
			weak = append(weak, Key{e.Kind, e.ID})
		}
	}
	if a.Resource != "" {
		weak = append(weak, Key{"resource", a.Resource})
	}
	return strong, weak
}
