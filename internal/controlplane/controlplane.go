// Package controlplane judges changes to a subscription's protection (plan,
// mode, components, sensitivity) against what the principal making them has
// done before. A change that weakens protection, made by a principal that
// never changed the subscription, or from a network or user agent it never
// used for that, is the "anomalous operation" signal: the principal's
// credential may be in other hands, and switching detection off is what an
// intruder does first.
package controlplane

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/subscription"
)

// Change is one change to a subscription's settings, as the audit log keeps
// it.
type Change struct {
	ID           string                `json:"id"`
	Subscription string                `json:"subscription"`
	Principal    string                `json:"principal"`
	Role         string                `json:"role"`
	IP           string                `json:"ip,omitempty"`
	UserAgent    string                `json:"user_agent,omitempty"`
	At           time.Time             `json:"at"`
	Before       subscription.Settings `json:"before"`
	After        subscription.Settings `json:"after"`
	// Operation is empty for a change of settings, or says what else
	// changed how alerts are seen: "suppression_added" or
	// "suppression_deleted", with the rule (as JSON) in Rule.
	Operation string          `json:"operation,omitempty"`
	Rule      json.RawMessage `json:"rule,omitempty"`
}

// FindingType is the scan finding type of an anomalous operation.
const FindingType = "anomalous_operation"

var sensitivityRank = map[string]int{"low": 0, "": 1, "medium": 1, "high": 2}

// Weakening lists, in words, how after protects less than before: fewer
// detections, no blocking, or prompt text exposed in alerts.
func Weakening(before, after subscription.Settings) []string {
	var out []string
	if before.Plan && !after.Plan {
		out = append(out, "plan switched off")
	}
	if before.Mode == subscription.ModeBlock && after.Mode != subscription.ModeBlock {
		out = append(out, "blocking switched off (mode "+string(after.Mode)+")")
	}
	if sensitivityRank[after.Sensitivity] < sensitivityRank[before.Sensitivity] {
		out = append(out, fmt.Sprintf("sensitivity lowered from %s to %s", name(before.Sensitivity), name(after.Sensitivity)))
	}
	if before.DataSecurity && !after.DataSecurity {
		out = append(out, "data security switched off")
	}
	if before.ModelSecurity && !after.ModelSecurity {
		out = append(out, "model security switched off")
	}
	// What is no longer redacted reaches the model provider in clear.
	for _, r := range before.Redact {
		if !slices.Contains(after.Redact, r) {
			out = append(out, "redaction of "+r+" switched off")
		}
	}
	// Evidence on puts redacted prompt and response snippets in every
	// alert and export: more data in more places.
	if !before.PromptEvidence && after.PromptEvidence {
		out = append(out, "prompt evidence switched on")
	}
	return out
}

func name(s string) string {
	if s == "" {
		return "medium"
	}
	return s
}

// Assess judges change c against the earlier changes to the same
// subscription (any order). It returns a finding when c weakens protection
// and is new for its principal: the first change the principal makes, or
// the first from its network (/24 for IPv4, /48 for IPv6) or user agent.
// A principal that routinely switches blocking off from its usual place
// raises nothing.
func Assess(history []Change, c Change) (scan.Finding, bool) {
	weak := Weakening(c.Before, c.After)
	if len(weak) == 0 {
		return scan.Finding{}, false
	}
	seen, nets, agents := false, map[string]bool{}, map[string]bool{}
	for _, h := range history {
		if h.Principal != c.Principal || h.Subscription != c.Subscription || h.ID == c.ID || h.Operation != "" {
			continue
		}
		seen = true
		nets[network(h.IP)] = true
		agents[h.UserAgent] = true
	}
	var novelty string
	confidence := 0.0
	switch {
	case !seen:
		novelty, confidence = "the first change this principal made to the subscription", 0.8
	case !nets[network(c.IP)]:
		novelty, confidence = "the first change this principal made from network "+network(c.IP), 0.75
	case !agents[c.UserAgent]:
		novelty, confidence = "the first change this principal made with this user agent", 0.6
	default:
		return scan.Finding{}, false
	}
	return scan.Finding{
		Category:   scan.CategoryAbuse,
		Type:       FindingType,
		Confidence: confidence,
		Severity:   scan.SeverityMedium,
		Detector:   "controlplane",
		Part:       -1,
		Reason:     fmt.Sprintf("%s by %s (%s): %s", strings.Join(weak, ", "), c.Principal, c.Role, novelty),
	}, true
}

// network is the address's /24 (IPv4) or /48 (IPv6), or the text as given
// when it is not an address.
func network(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, _ := a.Prefix(bits)
	return p.String()
}
