// Package interaction is the audit record of one AI interaction (one
// request and its answer) of a subscription with data security for AI
// interactions on, like the plan's CopilotInteraction audit record: who,
// through which app, to which deployment and model, what Warden decided and
// which finding and sensitive information types it saw, with counts; never
// the prompt or the answer. Writer batches records into the store off the
// request path.
package interaction

import "time"

// Record is one interaction, plain data.
type Record struct {
	ID           string    `json:"id"` // Warden's request id
	At           time.Time `json:"at"`
	Subscription string    `json:"subscription"`
	Resource     string    `json:"resource,omitempty"`
	Application  string    `json:"application,omitempty"`
	// User is the end user; UserSource says where the id came from (jwt,
	// user_security_context, header; "" without one) and UserContext is
	// true only for a verified identity: interactions without it are
	// audited and searchable but stay out of per-user policies (the plan's
	// user-context rule).
	User        string `json:"user,omitempty"`
	UserSource  string `json:"user_source,omitempty"`
	UserContext bool   `json:"user_context"`
	// Groups are the verified user's groups (the token's groups claim):
	// compliance policies may be scoped by them.
	Groups   []string `json:"groups,omitempty"`
	ClientIP string   `json:"client_ip,omitempty"`
	// API is the request's shape (chat, responses, messages, ...), Route
	// the provider style.
	API   string `json:"api"`
	Route string `json:"route"`
	Model string `json:"model,omitempty"`
	// Tokens are estimated at four bytes each: providers' usage figures
	// are not in every response or stream.
	PromptTokens     int    `json:"prompt_tokens"`
	CompletionTokens int    `json:"completion_tokens"`
	Status           int    `json:"status"`
	Verdict          string `json:"verdict"` // allow, flag, redact, block, error, shed
	// FindingTypes are the types of what was found (jailbreak,
	// sensitive_data_in_prompt, ...), SensitiveTypes the sensitive
	// information types and credential kinds with how many of each.
	FindingTypes []string `json:"finding_types,omitempty"`
	// Categories are the threat categories of the findings (jailbreak,
	// data_poisoning, data_leakage, ...).
	Categories     []string       `json:"categories,omitempty"`
	SensitiveTypes map[string]int `json:"sensitive_types,omitempty"`
	// Agent is set when the interaction carried tool calls or tool results.
	Agent bool `json:"agent,omitempty"`
	// Alerts are the ids of the alerts the interaction raised.
	Alerts []string `json:"alerts,omitempty"`
	// Policies are the communication-compliance policies the interaction
	// met (Reviews says why; each is an item in the review queue).
	Policies []string `json:"policies,omitempty"`
	Reviews  []Hit    `json:"-"`
	// HasContent says the interaction's text is kept (sealed; reading it
	// is a reveal, audited). Content is the text on its way to the writer
	// (to match compliance policies, and to be sealed when Capture, the
	// subscription's capture setting, keeps it); Sealed and ContentKey are
	// what is kept. None of them is ever in the record's JSON.
	HasContent bool     `json:"has_content,omitempty"`
	Content    *Content `json:"-"`
	Capture    string   `json:"-"`
	// Terms is the kept content's entry in the blind search index (see
	// Sealer.Terms), set with Sealed.
	Terms      string `json:"-"`
	Sealed     []byte `json:"-"`
	ContentKey string `json:"-"`
}

// Filter selects interactions for the activity explorer; zero fields match
// everything. Cursor continues a listing where the last page ended.
type Filter struct {
	From, To      time.Time
	Subscriptions []string // any of; nil: all
	Application   string
	User          string
	FindingType   string
	SensitiveType string
	Verdict       string
	// Text, when set, keeps only interactions whose kept content has
	// these words and phrases (eDiscovery's full-text search).
	Text   TermQuery
	Limit  int
	Cursor string
}
