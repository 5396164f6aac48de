package alert

import (
	"testing"
	"time"
)

func TestSuppression(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Alert{Type: "Warden.AI.AccessFromSuspiciousIP", Subscription: "s", Resource: "r", Entities: []Entity{{Kind: "ip", ID: "203.0.113.7"}, {Kind: "user", ID: "scanner"}}}
	tests := []struct {
		name string
		rule Suppression
		want bool
	}{
		{"by type and ip", Suppression{Type: a.Type, IP: "203.0.113.7"}, true},
		{"other ip", Suppression{Type: a.Type, IP: "203.0.113.8"}, false},
		{"by user", Suppression{User: "scanner"}, true},
		{"expired", Suppression{User: "scanner", Until: now.Add(-time.Hour)}, false},
		{"other resource", Suppression{Resource: "x"}, false},
	}
	for _, tt := range tests {
		if got := tt.rule.Matches(a, now); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
	as := []Alert{a, {Type: "other"}}
	if n := Suppress(as, []Suppression{{User: "scanner"}}, now); n != 1 || as[0].Status != "suppressed" || as[1].Status != "" {
		t.Errorf("Suppress: %d marked, statuses %q %q", n, as[0].Status, as[1].Status)
	}
}
