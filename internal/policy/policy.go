// Package policy is detection policy as plain data: which detectors run,
// at what sensitivity, what is done with each category and type of
// finding, the team's allow and deny rules, denied topics and custom
// sensitive types. A policy attaches to a subscription and may be
// overridden for an application, a route or a client API key; the most
// specific one that matches a request decides, and says so in the
// decision's explanation. The store keeps policies, versioned; policyset
// compiles them into the rules the scan pipeline applies.
package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/scan"
)

// Policy is one policy, plain data.
type Policy struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Name    string `json:"name"`
	// Scope: the subscription, and at most one of an application, a route
	// (by name) or a client API key (by KeyID's fingerprint). Without
	// either, the policy is the subscription's.
	Subscription string `json:"subscription"`
	Application  string `json:"application,omitempty"`
	Route        string `json:"route,omitempty"`
	Key          string `json:"key,omitempty"`
	// Detectors lists the detectors that run (names as in scan.detectors);
	// empty, all configured.
	Detectors []string `json:"detectors,omitempty"`
	// Sensitivity (low, medium, high) adjusts the configured thresholds,
	// as a subscription's does; empty leaves the subscription's.
	Sensitivity string `json:"sensitivity,omitempty"`
	// FlagAt and BlockAt, when set, are the confidence thresholds
	// themselves (after Sensitivity): a finding at or above FlagAt is
	// reported, at or above BlockAt blocks in block mode.
	FlagAt  *float64 `json:"flag_at,omitempty"`
	BlockAt *float64 `json:"block_at,omitempty"`
	// Actions by category (jailbreak, data_leakage, ...) or finding type
	// (sensitive_data_in_prompt, ...): allow, detect, block; a type's
	// action wins over its category's.
	Actions map[string]string `json:"actions,omitempty"`
	// Redact, when set, replaces the subscription's redact list: what is
	// redacted and the request continued.
	Redact []string `json:"redact,omitempty"`
	// Allow are patterns (RE2) of text the team declares benign: a
	// finding whose matched text matches one is dropped.
	Allow []string `json:"allow,omitempty"`
	// Deny are the team's own rules: a match is a policy finding.
	Deny []Rule `json:"deny,omitempty"`
	// DeniedTopics are subjects the application must not discuss, each a
	// name and the words or phrases that mean it.
	DeniedTopics []Topic `json:"denied_topics,omitempty"`
	// SensitiveTypes are custom sensitive information types: a name and
	// patterns, found like the built-in ones (data leakage findings).
	SensitiveTypes []CustomType `json:"sensitive_types,omitempty"`
	UpdatedBy      string       `json:"updated_by,omitempty"`
	UpdatedAt      time.Time    `json:"updated_at"`
	// Source is "config" for a policy seeded from the configuration file,
	// "api" once written at run time.
	Source string `json:"source,omitempty"`
}

// Rule is a deny rule: an id and an RE2 pattern over normalised text.
type Rule struct {
	ID      string `json:"id"`
	Pattern string `json:"pattern"`
}

// Topic is a denied topic.
type Topic struct {
	Name     string   `json:"name"`
	Keywords []string `json:"keywords"`
}

// CustomType is a custom sensitive information type.
type CustomType struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Patterns []string `json:"patterns"`
	Keywords []string `json:"keywords,omitempty"`
}

// KeyID is the fingerprint a policy names a client API key by: the first
// 16 hex digits of its SHA-256, so the key itself is never stored.
func KeyID(apiKey string) string {
	if apiKey == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(apiKey))
	return hex.EncodeToString(sum[:8])
}

// Scope is how specific a policy is: subscription < application < route
// < key.
func (p Policy) Scope() string {
	switch {
	case p.Key != "":
		return "key"
	case p.Route != "":
		return "route"
	case p.Application != "":
		return "application"
	}
	return "subscription"
}

var (
	idPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
	keyPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

// Validate checks a policy's fields before it is stored; known lists the
// configured detectors' names. Patterns are checked when the policy is
// compiled (policyset.Check does both).
func (p Policy) Validate(known []string) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !idPattern.MatchString(p.ID) {
		bad("id %q: lower-case letters, digits, _ . - (at most 64)", p.ID)
	}
	if p.Subscription == "" {
		bad("subscription is required")
	}
	n := 0
	for _, s := range []string{p.Application, p.Route, p.Key} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		bad("a policy overrides for one of application, route or key, not several")
	}
	if p.Key != "" && !keyPattern.MatchString(p.Key) {
		bad("key %q: the key's fingerprint (16 hex digits: warden policies key-id prints it), never the key", p.Key)
	}
	for _, d := range p.Detectors {
		if !slices.Contains(known, d) {
			bad("detector %q is not configured (configured: %s)", d, strings.Join(known, ", "))
		}
	}
	switch p.Sensitivity {
	case "", "low", "medium", "high":
	default:
		bad("sensitivity %q: low, medium or high", p.Sensitivity)
	}
	for name, v := range map[string]*float64{"flag_at": p.FlagAt, "block_at": p.BlockAt} {
		if v != nil && (*v <= 0 || *v > 1) {
			bad("%s %v: a confidence above 0 and at most 1", name, *v)
		}
	}
	if p.FlagAt != nil && p.BlockAt != nil && *p.FlagAt > *p.BlockAt {
		bad("flag_at %v is above block_at %v", *p.FlagAt, *p.BlockAt)
	}
	for k, a := range p.Actions {
		switch scan.Action(a) {
		case scan.ActionAllow, scan.ActionDetect, scan.ActionBlock:
		default:
			bad("actions[%s] = %q: allow, detect or block (redact is the redact list)", k, a)
		}
	}
	for _, a := range p.Allow {
		if _, err := regexp.Compile(a); err != nil {
			bad("allow %q: %v", a, err)
		}
	}
	for _, d := range p.Deny {
		if d.ID == "" || d.Pattern == "" {
			bad("deny rule %q: an id and a pattern are required", d.ID)
		}
	}
	for _, t := range p.DeniedTopics {
		if t.Name == "" || len(t.Keywords) == 0 {
			bad("denied topic %q: a name and keywords are required", t.Name)
		}
	}
	for _, t := range p.SensitiveTypes {
		if t.ID == "" || len(t.Patterns) == 0 {
			bad("sensitive type %q: an id and patterns are required", t.ID)
		}
	}
	return errors.Join(errs...)
}
