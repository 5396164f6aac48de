package gateway

import (
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/behaviour"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/scan"
)

// fakeIntel flags one address as a Tor exit and one user agent.
type fakeIntel struct{}

func (fakeIntel) CheckAccess(ip, ua string) []scan.Finding {
	var out []scan.Finding
	if ip == "127.0.0.1" {
		out = append(out, scan.Finding{Category: scan.CategoryThreatIntel, Type: "tor_ip", Confidence: 0.9, Severity: scan.SeverityHigh, Part: -1, Reason: "tor", Advisory: true})
	}
	if strings.Contains(ua, "sqlmap") {
		out = append(out, scan.Finding{Category: scan.CategoryThreatIntel, Type: "suspicious_user_agent", Confidence: 0.8, Severity: scan.SeverityMedium, Part: -1, Reason: "ua", Advisory: true})
	}
	return out
}

func TestThreatIntelAlerts(t *testing.T) {
	h := newHarness(t, func(*config.Config, memSettings) {})
	h.gw.access = fakeIntel{} // before any request: the workers read it only for requests
	resp, _ := h.do("POST", "/v1/chat/completions", chatBody("hello", false), map[string]string{"User-Agent": "sqlmap/1.7"})
	if resp.StatusCode != 200 {
		t.Errorf("status %d: threat intelligence alerts, it does not block", resp.StatusCode)
	}
	var types []string
	for _, a := range h.alerts() {
		types = append(types, a.Type)
	}
	for _, want := range []string{alert.TorIP.Type, alert.SuspiciousUserAgent.Type} {
		if !strings.Contains(strings.Join(types, " "), want) {
			t.Errorf("alerts %v, want %s", types, want)
		}
	}
}

// TestWalletAttackThroughGateway: a burst of identical requests raises one
// wallet alert, not one per request.
func TestWalletAttackThroughGateway(t *testing.T) {
	h := newHarness(t, func(*config.Config, memSettings) {})
	h.gw.behave = behaviour.New(behaviour.Config{DuplicateThreshold: 20, DuplicateWindow: time.Hour}, nil)
	for range 60 {
		resp, _ := h.do("POST", "/v1/chat/completions", chatBody("summarise our refund policy", false), nil)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	n := 0
	for _, a := range h.alerts() {
		if a.Type == alert.WalletDuplicates.Type {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d wallet alerts for 60 identical requests, want 1", n)
	}
}
