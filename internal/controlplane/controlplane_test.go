package controlplane

import (
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/subscription"
)

var (
	strong = subscription.Settings{ID: "s", Plan: true, Mode: subscription.ModeBlock, Sensitivity: "high", DataSecurity: true, ModelSecurity: true,
		Redact: []string{"credentials", "email_address"}}
	t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
)

func with(f func(*subscription.Settings)) subscription.Settings {
	s := strong
	f(&s)
	return s
}

func TestWeakening(t *testing.T) {
	tests := []struct {
		name  string
		after subscription.Settings
		want  string
	}{
		{"plan off", with(func(s *subscription.Settings) { s.Plan = false }), "plan switched off"},
		{"detect", with(func(s *subscription.Settings) { s.Mode = subscription.ModeDetect }), "blocking switched off (mode detect)"},
		{"sensitivity", with(func(s *subscription.Settings) { s.Sensitivity = "low" }), "sensitivity lowered from high to low"},
		{"data security", with(func(s *subscription.Settings) { s.DataSecurity = false }), "data security switched off"},
		{"model security", with(func(s *subscription.Settings) { s.ModelSecurity = false }), "model security switched off"},
		{"evidence on", with(func(s *subscription.Settings) { s.PromptEvidence = true }), "prompt evidence switched on"},
		{"redaction off", with(func(s *subscription.Settings) { s.Redact = []string{"email_address"} }), "redaction of credentials switched off"},
		{"same", strong, ""},
	}
	for _, tt := range tests {
		got := strings.Join(Weakening(strong, tt.after), "; ")
		if got != tt.want {
			t.Errorf("%s: Weakening = %q, want %q", tt.name, got, tt.want)
		}
	}
	// Strengthening is never a weakening.
	if got := Weakening(with(func(s *subscription.Settings) {
		s.Plan = false
		s.Mode = subscription.ModeDetect
		s.Sensitivity = "low"
		s.Redact = nil
	}), strong); len(got) != 0 {
		t.Errorf("strengthening: Weakening = %v, want none", got)
	}
}

func TestAssess(t *testing.T) {
	detect := with(func(s *subscription.Settings) { s.Mode = subscription.ModeDetect })
	change := func(id, who, ip, ua string, before, after subscription.Settings) Change {
		return Change{ID: id, Subscription: "s", Principal: who, Role: "contributor", IP: ip, UserAgent: ua, At: t0, Before: before, After: after}
	}
	// alice usually flips blocking off and on from her office with curl.
	history := []Change{
		change("1", "alice", "10.1.2.3", "curl/8", strong, detect),
		change("2", "alice", "10.1.2.9", "curl/8", detect, strong),
		change("3", "bob", "10.9.9.9", "terraform", strong, strong),
		change("4", "mallory", "10.1.2.3", "curl/8", strong, strong), // other subscription
	}
	history[3].Subscription = "other"
	tests := []struct {
		name   string
		c      Change
		want   bool
		reason string
	}{
		{"usual principal, usual place", change("n", "alice", "10.1.2.77", "curl/8", strong, detect), false, ""},
		{"strengthening by a stranger", change("n", "eve", "203.0.113.5", "python", detect, strong), false, ""},
		{"new principal weakens", change("n", "mallory", "10.1.2.3", "curl/8", strong, detect), true, "the first change this principal made to the subscription"},
		{"known principal, new network", change("n", "alice", "203.0.113.5", "curl/8", strong, detect), true, "network 203.0.113.0/24"},
		{"known principal, new user agent", change("n", "bob", "10.9.9.9", "python-requests/2", strong, with(func(s *subscription.Settings) { s.Plan = false })), true, "plan switched off by bob (contributor): the first change this principal made with this user agent"},
		{"ipv6 /48", change("n", "bob", "2001:db8:1::1", "terraform", strong, detect), true, "network 2001:db8:1::/48"},
	}
	for _, tt := range tests {
		f, got := Assess(history, tt.c)
		if got != tt.want {
			t.Errorf("%s: Assess = %v (%q), want %v", tt.name, got, f.Reason, tt.want)
			continue
		}
		if got && !strings.Contains(f.Reason, tt.reason) {
			t.Errorf("%s: reason %q, want it to contain %q", tt.name, f.Reason, tt.reason)
		}
		if got && (f.Type != FindingType || f.Detector != "controlplane" || f.Part != -1) {
			t.Errorf("%s: finding %+v, want type %s from controlplane with no part", tt.name, f, FindingType)
		}
	}
}
