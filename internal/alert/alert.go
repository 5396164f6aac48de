// Package alert turns findings into alerts a SOC can work: plain data with a
// type from the catalogue, severity, MITRE ATLAS techniques, entities,
// remediation and evidence that is masked unless the subscription asked for
// prompt evidence.
package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"github.com/wardenhq/warden/internal/redact"
	"time"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/internal/scan"
)

// Actions taken on the interaction that raised an alert.
const (
	ActionDetected = "detected"
	ActionBlocked  = "blocked"
	// ActionRedacted: every value the alert is about was replaced by a
	// placeholder and the interaction went on.
	ActionRedacted = "redacted"
)

// Entity is something an alert is about: a user, an IP address, an
// application, a deployment or a model.
type Entity struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Attrs holds details such as tenant, whether an identity was verified
	// and how.
	Attrs map[string]string `json:"attrs,omitempty"`
}

// Segment is one piece of evidence: a snippet of a part around a finding.
type Segment struct {
	Role string    `json:"role"`
	Text string    `json:"text"`
	Span scan.Span `json:"span"`
}

// Evidence is what an alert shows of the prompt and response. Masked is true
// unless the subscription turned prompt evidence on; then Segments hold
// snippets around the findings.
type Evidence struct {
	Masked   bool      `json:"masked"`
	Segments []Segment `json:"segments,omitempty"`
}

// Alert is one alert. It is plain data: stores and exporters read it as is.
type Alert struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	DisplayName  string         `json:"display_name"`
	Description  string         `json:"description"`
	Severity     scan.Severity  `json:"severity"`
	Tactics      []string       `json:"tactics"`
	Techniques   []string       `json:"techniques"`
	Subscription string         `json:"subscription"`
	Resource     string         `json:"resource"`
	Entities     []Entity       `json:"entities"`
	Action       string         `json:"action"`
	Confidence   float64        `json:"confidence"`
	FirstSeen    time.Time      `json:"first_seen"`
	LastSeen     time.Time      `json:"last_seen"`
	Count        int            `json:"count"`
	Remediation  []string       `json:"remediation"`
	Evidence     Evidence       `json:"evidence"`
	Findings     []scan.Finding `json:"findings"`
	Fingerprint  string         `json:"fingerprint"`
	RequestID    string         `json:"request_id,omitempty"`
	// Policy names the detection policy that decided (id, version and
	// scope), when one applied.
	Policy string `json:"policy,omitempty"`
	// SkippedContent names non-text content (image, audio, file) that was
	// in the interaction and not scanned.
	SkippedContent []string `json:"skipped_content,omitempty"`
	// Triage, set by the SOC (and "suppressed" by a suppression rule):
	// status new, active, resolved or suppressed; who works it; what it
	// turned out to be; the incident it belongs to.
	Status         string `json:"status,omitempty"`
	Assignee       string `json:"assignee,omitempty"`
	Classification string `json:"classification,omitempty"`
	Incident       string `json:"incident,omitempty"`
}

// Context is what the gateway knows about the interaction beyond its text.
type Context struct {
	Subscription string
	Resource     string
	Model        string
	Route        string
	RequestID    string
	Application  string
	UserID       string
	TenantID     string
	// AuthMethod says where the user id came from (jwt, user_security_context,
	// header); UserVerified is true only for a verified token.
	AuthMethod   string
	UserVerified bool
	// UserGroups are the verified token's groups (Entra ID's groups
	// claim), for compliance policies scoped by group.
	UserGroups []string
	// Policy is the detection policy in force (id, version, scope).
	Policy    string
	SourceIP  string
	EndUserIP string
	UserAgent string
	// Evidence is true when the subscription has prompt evidence on.
	Evidence bool
	// Redact says what evidence placeholders may keep (last four digits
	// of a card, a keyed hash of the subscription's values).
	Redact redact.Options
	// Skipped names non-text content present and not scanned.
	Skipped []string
}

// Entities lists the entities of an interaction context.
func (c Context) Entities() []Entity {
	var es []Entity
	if c.UserID != "" {
		attrs := map[string]string{"auth": c.AuthMethod, "verified": boolString(c.UserVerified)}
		if c.TenantID != "" {
			attrs["tenant"] = c.TenantID
		}
		es = append(es, Entity{Kind: "user", ID: c.UserID, Attrs: attrs})
	}
	if c.EndUserIP != "" {
		es = append(es, Entity{Kind: "ip", ID: c.EndUserIP, Attrs: map[string]string{"source": "end_user"}})
	}
	if c.SourceIP != "" && c.SourceIP != c.EndUserIP {
		es = append(es, Entity{Kind: "ip", ID: c.SourceIP, Attrs: map[string]string{"source": "connection"}})
	}
	if c.Application != "" {
		es = append(es, Entity{Kind: "application", ID: c.Application})
	}
	if c.Resource != "" {
		es = append(es, Entity{Kind: "deployment", ID: c.Resource})
	}
	if c.Model != "" {
		es = append(es, Entity{Kind: "model", ID: c.Model})
	}
	if c.UserAgent != "" {
		es = append(es, Entity{Kind: "user_agent", ID: c.UserAgent})
	}
	return es
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// Fingerprint identifies alerts that are the same event repeated: same type,
// subscription, resource, user and address.
func Fingerprint(typ string, c Context) string {
	h := sha256.New()
	for _, s := range []string{typ, c.Subscription, c.Resource, c.UserID, c.EndUserIP, c.SourceIP} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func newID() string { return uuid.NewString() }
