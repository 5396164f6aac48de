// Package scan defines what detectors see and what they say: the text parts of
// one interaction, the findings a detector returns, and the pipeline that runs
// every detector over normalised text and turns findings into a verdict.
//
// It is a leaf of the data flow (gateway -> scan -> detectors -> findings ->
// alerts): it imports nothing of Warden's, so detectors, the gateway and the
// command line can all depend on it.
package scan

import "context"

// Role says where a piece of text came from in an interaction. The role
// decides which detectors apply: instructions in a user turn are a jailbreak
// attempt, the same words inside a document are data poisoning.
type Role string

// The roles Warden knows. Tool-call arguments are what the model asked a tool
// to do; tool results are what came back from it.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleToolCall  Role = "tool_call"
	RoleTool      Role = "tool"
	RoleDocument  Role = "document"
)

// ValidRole reports whether r is one of the roles above.
func ValidRole(r Role) bool {
	switch r {
	case RoleSystem, RoleUser, RoleAssistant, RoleToolCall, RoleTool, RoleDocument:
		return true
	}
	return false
}

// Category is one of the threat kinds an alert belongs to.
type Category string

// The categories of findings.
const (
	CategoryJailbreak       Category = "jailbreak"
	CategoryDataLeakage     Category = "data_leakage"
	CategoryCredentialTheft Category = "credential_theft"
	CategoryDataPoisoning   Category = "data_poisoning"
	CategoryThreatIntel     Category = "threat_intel"
	CategoryAbuse           Category = "abuse"
	// CategoryPolicy is a team's own rule (a topic it does not allow):
	// not an attack, a policy.
	CategoryPolicy Category = "policy"
)

// Severity grades a finding or an alert.
type Severity string

// Severities, lowest first.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities; unknown values rank lowest.
func (s Severity) Rank() int {
	switch s {
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	}
	return 0
}

// Span is a half-open range of byte offsets into the original text of a part.
type Span [2]int

// Finding is what a detector reports: plain data, safe to store and to log,
// because it carries positions and the reason a rule fired, never the text.
type Finding struct {
	Category   Category `json:"category"`
	Type       string   `json:"type"`
	Confidence float64  `json:"confidence"`
	Severity   Severity `json:"severity"`
	Detector   string   `json:"detector"`
	// Part is the index of the part in Input.Parts the spans refer to.
	Part  int    `json:"part"`
	Spans []Span `json:"spans"`
	// Reason names the rule or features that fired, so every detection
	// says why. It never quotes the text: alerts keep it whatever the
	// subscription's evidence setting.
	Reason string `json:"reason"`
	// Quote holds the words of the text that weighed most (a classifier's
	// strongest features, a repeated token). Alerts keep them only where
	// the subscription turns prompt evidence on, and then redacted.
	Quote []string `json:"quote,omitempty"`
	// Kind is the sensitive information type or credential kind a
	// data-security finding is about ("credit_card", "github_token"), so
	// evidence can show a typed placeholder and reports can count by type.
	Kind string `json:"kind,omitempty"`
	// Advisory findings are recorded and alerted on but never block: a
	// user's own card number in a prompt is for the data security
	// component to see, not a reason to refuse the user.
	Advisory bool `json:"advisory,omitempty"`
	// Redacted says the value was replaced by a placeholder (redact and
	// continue): it never reached the model, or the client. A redacted
	// finding does not block.
	Redacted bool `json:"redacted,omitempty"`
}

// Part is one piece of text of an interaction with its role.
type Part struct {
	Role Role
	Text string

	norm   *Normalized
	normOK bool
}

// Normalized returns the normalised form of the part's text, computed once.
func (p *Part) Normalized() *Normalized {
	if p.norm == nil {
		p.norm = &Normalized{}
	}
	if !p.normOK {
		p.norm.reset(p.Text)
		p.normOK = true
	}
	return p.norm
}

// Set gives a part new text, keeping its normalisation buffers for reuse:
// a stream scans a window per event, and a fresh buffer for each was most
// of what that cost. What an earlier Normalized returned must no longer be
// in use.
func (p *Part) Set(role Role, text string) {
	p.Role, p.Text, p.normOK = role, text, false
}

// Input is the text of one interaction (or one side of it) to scan.
type Input struct {
	Parts []Part
	// JudgeSystem makes prompt-attack detectors judge system parts too.
	// Without it system parts are reference text only (what a leak is
	// measured against, beside a stream's response window): a request's
	// system and developer messages are judged, since whoever composes the
	// request composes them.
	JudgeSystem bool
}

// Detector finds threats in an input. Detectors must be safe for concurrent
// use and must not keep the text they are given.
type Detector interface {
	// Name is the detector's stable id, reported on every finding.
	Name() string
	// Detect returns the findings in in. It returns an error only when it
	// could not judge the input at all (an external classifier timed out).
	Detect(ctx context.Context, in *Input) ([]Finding, error)
}

// RoleFilter is implemented by detectors that judge only some roles. The
// pipeline uses it to skip work no detector wants, such as scanning every
// streamed delta of assistant text when no detector reads assistant text.
type RoleFilter interface {
	Roles() []Role
}

// CanaryPrefix starts the canary tokens the gateway plants in system prompts
// (a route's "canary" option); the leak detector looks for them in answers.
const CanaryPrefix = "wdn-canary-"
