package alert

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/scan"
)

// fakeHistory is a History over fixed alerts and incidents.
type fakeHistory struct {
	open      map[string]Alert // by fingerprint
	incidents []fakeIncident
	asked     []time.Time // the since of each question, in order
}

type fakeIncident struct {
	id, sub  string
	keys     []Key
	lastSeen time.Time
}

func (h *fakeHistory) LastOpen(_ context.Context, fp string, since time.Time) (Alert, bool, error) {
	h.asked = append(h.asked, since)
	a, ok := h.open[fp]
	if !ok || a.LastSeen.Before(since) {
		return Alert{}, false, nil
	}
	return a, true, nil
}

func (h *fakeHistory) OpenIncident(_ context.Context, sub string, k Key, since time.Time, userless bool) (string, error) {
	h.asked = append(h.asked, since)
	for _, in := range h.incidents {
		has, user := false, false
		for _, ik := range in.keys {
			has = has || ik == k
			user = user || ik.Kind == "user"
		}
		if in.sub == sub && has && !in.lastSeen.Before(since) && !(userless && user) {
			return in.id, nil
		}
	}
	return "", nil
}

func TestPlace(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	w := Windows{Aggregation: 10 * time.Minute, Incident: time.Hour}
	alice := Entity{Kind: "user", ID: "alice"}
	bob := Entity{Kind: "user", ID: "bob"}
	ip := Entity{Kind: "ip", ID: "10.0.0.1"}
	h := &fakeHistory{
		open: map[string]Alert{
			"fp-recent": {ID: "a1", Fingerprint: "fp-recent", Count: 3, LastSeen: t0.Add(-5 * time.Minute), Severity: scan.SeverityMedium, Incident: "inc-a1"},
			"fp-old":    {ID: "a0", Fingerprint: "fp-old", Count: 1, LastSeen: t0.Add(-30 * time.Minute)},
		},
		incidents: []fakeIncident{
			{id: "inc-alice", sub: "s1", keys: []Key{{"user", "alice"}, {"ip", "10.0.0.1"}}, lastSeen: t0.Add(-20 * time.Minute)},
			{id: "inc-ip", sub: "s1", keys: []Key{{"ip", "10.0.0.2"}}, lastSeen: t0.Add(-20 * time.Minute)},
			{id: "inc-stale", sub: "s1", keys: []Key{{"user", "carol"}}, lastSeen: t0.Add(-2 * time.Hour)},
		},
	}
	tests := []struct {
		name         string
		a            Alert
		wantFolded   bool
		wantIncident string
		wantNew      bool
	}{
		{"repeat within the window folds", Alert{ID: "b", Fingerprint: "fp-recent", FirstSeen: t0, LastSeen: t0, Severity: scan.SeverityHigh}, true, "inc-a1", false},
		{"repeat after the window is new", Alert{ID: "c", Subscription: "s1", Fingerprint: "fp-old", FirstSeen: t0, LastSeen: t0}, false, "inc-c", true},
		{"same user joins", Alert{ID: "d", Subscription: "s1", Entities: []Entity{alice}, FirstSeen: t0}, false, "inc-alice", false},
		{"another user on a shared address does not", Alert{ID: "e", Subscription: "s1", Entities: []Entity{bob, ip}, FirstSeen: t0}, false, "inc-e", true},
		{"no user: joins a userless incident of its address", Alert{ID: "f", Subscription: "s1", Entities: []Entity{{Kind: "ip", ID: "10.0.0.2"}}, FirstSeen: t0}, false, "inc-ip", false},
		{"no user: not an incident with a user", Alert{ID: "g", Subscription: "s1", Entities: []Entity{ip}, FirstSeen: t0}, false, "inc-g", true},
		{"other subscription", Alert{ID: "h", Subscription: "s2", Entities: []Entity{alice}, FirstSeen: t0}, false, "inc-h", true},
		{"stale incident", Alert{ID: "i", Subscription: "s1", Entities: []Entity{{Kind: "user", ID: "carol"}}, FirstSeen: t0}, false, "inc-i", true},
		{"suppressed joins nothing", Alert{ID: "j", Subscription: "s1", Status: "suppressed", Entities: []Entity{alice}, FirstSeen: t0}, false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := w.Place(context.Background(), h, tt.a)
			if err != nil {
				t.Fatal(err)
			}
			if p.Folded != tt.wantFolded || p.Incident != tt.wantIncident || p.NewIncident != tt.wantNew {
				t.Errorf("got folded %v incident %q new %v, want %v %q %v", p.Folded, p.Incident, p.NewIncident, tt.wantFolded, tt.wantIncident, tt.wantNew)
			}
			if !p.Folded && p.Alert.Incident != p.Incident {
				t.Errorf("alert's incident %q, want %q", p.Alert.Incident, p.Incident)
			}
		})
	}
	// The windows passed in are the ones asked with.
	h.asked = nil
	w.Place(context.Background(), h, Alert{ID: "k", Subscription: "s1", Fingerprint: "x", Entities: []Entity{alice}, FirstSeen: t0}) //nolint:errcheck
	if len(h.asked) != 2 || !h.asked[0].Equal(t0.Add(-10*time.Minute)) || !h.asked[1].Equal(t0.Add(-time.Hour)) {
		t.Errorf("asked since %v, want [%v %v]", h.asked, t0.Add(-10*time.Minute), t0.Add(-time.Hour))
	}
}

func TestFold(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	old := Alert{ID: "a", Count: 2, LastSeen: t0, Severity: scan.SeverityMedium, Confidence: 0.7, Action: "detected"}
	got := Fold(old, Alert{Count: 0, LastSeen: t0.Add(time.Minute), Severity: scan.SeverityHigh, Confidence: 0.9, Action: ActionBlocked})
	if got.ID != "a" || got.Count != 3 || !got.LastSeen.Equal(t0.Add(time.Minute)) || got.Severity != scan.SeverityHigh || got.Confidence != 0.9 || got.Action != ActionBlocked {
		t.Errorf("Fold = %+v, want a with count 3, the later time, high, 0.9, blocked", got)
	}
	got = Fold(got, Alert{Count: 5, LastSeen: t0, Severity: scan.SeverityLow, Confidence: 0.1, Action: "detected"})
	if got.Count != 8 || !got.LastSeen.Equal(t0.Add(time.Minute)) || got.Severity != scan.SeverityHigh || got.Action != ActionBlocked {
		t.Errorf("Fold kept %+v, want the count added and nothing lowered", got)
	}
}
