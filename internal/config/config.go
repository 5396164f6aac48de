// Package config reads Warden's YAML configuration: strict decoding (unknown
// keys are errors), defaults, ${VAR} and WARDEN_* environment overrides, and
// validation whose errors name the file, line and field.
package config

import (
	"time"
)

// Config is the whole configuration. After Load it is read-only.
type Config struct {
	Listen        string         `yaml:"listen"`
	DataDir       string         `yaml:"data_dir"`
	Store         Store          `yaml:"store"`
	DataSecurity  DataSecurity   `yaml:"data_security"`
	Log           Log            `yaml:"log"`
	Limits        Limits         `yaml:"limits"`
	Scan          Scan           `yaml:"scan"`
	Upstreams     []Upstream     `yaml:"upstreams"`
	Routes        []Route        `yaml:"routes"`
	Subscriptions []Subscription `yaml:"subscriptions"`
	// Policies seed the detection policies (docs/policies.md): written to
	// the store when it has never had one of that id; after that the API
	// owns them.
	Policies  []Policy  `yaml:"policies"`
	Identity  Identity  `yaml:"identity"`
	Models    Models    `yaml:"models"`
	Intel     Intel     `yaml:"intel"`
	Export    Export    `yaml:"export"`
	Behaviour Behaviour `yaml:"behaviour"`
	Alerts    Alerts    `yaml:"alerts"`
	API       API       `yaml:"api"`
	Retention Retention `yaml:"retention"`
	Tracing   Tracing   `yaml:"tracing"`

	known known // what validation checks names against (Option)
}

// Tracing sends OpenTelemetry traces of requests (a span per stage and
// guardrail) to an OTLP/HTTP collector. Off while OTLPEndpoint is empty.
type Tracing struct {
	// OTLPEndpoint is the collector's traces URL, such as
	// http://localhost:4318/v1/traces.
	OTLPEndpoint string `yaml:"otlp_endpoint"`
	// SampleRatio is the share of traces kept that the caller did not
	// already sample (its decision is followed); 0 means 1.
	SampleRatio float64 `yaml:"sample_ratio"`
	// ServiceName names Warden in the traces; empty means warden.
	ServiceName string `yaml:"service_name"`
}

// Retention says how long the store keeps what it holds (defaults: alerts
// and incidents 365 days after they were last seen, the settings audit log
// 365 days, export events 7 days once every sink delivered them).
type Retention struct {
	Alerts time.Duration `yaml:"alerts"`
	Audit  time.Duration `yaml:"audit"`
	Outbox time.Duration `yaml:"outbox"`
	// Interactions bounds interaction records (data security), unless a
	// more specific policy below names them; legal holds override both.
	Interactions time.Duration `yaml:"interactions"`
	// InteractionPolicies keep one subscription's (or one application's)
	// interactions for Keep, and their captured content for KeepContent.
	InteractionPolicies []InteractionPolicy `yaml:"interaction_policies"`
}

// InteractionPolicy is a retention policy for interaction records.
type InteractionPolicy struct {
	Subscription string        `yaml:"subscription"`
	Application  string        `yaml:"application"`
	Keep         time.Duration `yaml:"keep"`
	KeepContent  time.Duration `yaml:"keep_content"`
}

// API configures who may use the REST API. With no tokens, only clients on
// the loopback interface may, as the local owner; with tokens, every call
// needs one ("Authorization: Bearer ...").
type API struct {
	Tokens []APIToken `yaml:"tokens"`
	// SignIn lets people sign in to the portal and the API (local
	// accounts, OpenID Connect); with it, the loopback shortcut (the local
	// owner without a token) is off.
	SignIn SignIn `yaml:"signin"`
	// ProtectMetrics makes /metrics answer only tokens with the metrics
	// scope (without tokens: local requests only).
	ProtectMetrics bool `yaml:"protect_metrics"`
}

// SignIn configures sign-in.
type SignIn struct {
	// Local turns on local accounts (warden accounts add).
	Local bool `yaml:"local"`
	// OIDC, when Issuer is set, signs people in with an OpenID Connect
	// provider.
	OIDC OIDC `yaml:"oidc"`
	// SessionTTL is how long a session lasts (default 12h).
	SessionTTL time.Duration `yaml:"session_ttl"`
	// InsecureCookies sends the session cookie over plain HTTP too: for a
	// laptop on http://localhost only.
	InsecureCookies bool `yaml:"insecure_cookies"`
}

// OIDC is an OpenID Connect provider and how its groups map to roles.
type OIDC struct {
	Issuer       string `yaml:"issuer"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// RedirectURL is Warden's callback as the provider knows it
	// (https://warden.example/auth/oidc/callback).
	RedirectURL string `yaml:"redirect_url"`
	// GroupsClaim names the ID token's claim listing the user's groups
	// (default "groups").
	GroupsClaim string `yaml:"groups_claim"`
	// Roles maps a group to a role; a user in several gets the highest.
	// A user in none is refused.
	Roles map[string]string `yaml:"roles"`
}

// APIToken is one principal's bearer token and role: reader (read only),
// contributor or owner (may also change subscriptions' protection and
// triage alerts). Subscriptions, when set, limit what the token reaches.
type APIToken struct {
	Name          string   `yaml:"name"`
	Role          string   `yaml:"role"`
	Token         string   `yaml:"token"`
	Subscriptions []string `yaml:"subscriptions"`
	// Scopes are the endpoints the token may use: api (the REST API, by
	// role; the default when empty), shield (the Prompt Shields-compatible
	// endpoint), metrics (/metrics, where protected).
	Scopes []string `yaml:"scopes"`
}

// Alerts configures noise control.
type Alerts struct {
	// AggregationWindow folds repeats of an alert (same fingerprint) into
	// one (default 10m); IncidentWindow groups alerts sharing a user,
	// address or resource into one incident (default 1h).
	AggregationWindow time.Duration `yaml:"aggregation_window"`
	IncidentWindow    time.Duration `yaml:"incident_window"`
	// Suppress lists rules for known-good activity.
	Suppress []Suppression `yaml:"suppress"`
}

// Suppression is a rule for known-good activity; Reason is required, Until
// (RFC 3339) optional.
type Suppression struct {
	Type         string    `yaml:"type"`
	Subscription string    `yaml:"subscription"`
	Resource     string    `yaml:"resource"`
	User         string    `yaml:"user"`
	IP           string    `yaml:"ip"`
	Until        time.Time `yaml:"until"`
	Reason       string    `yaml:"reason"`
}

// Behaviour tunes abuse detection (zero values take the defaults).
type Behaviour struct {
	Disabled           bool          `yaml:"disabled"`
	DuplicateWindow    time.Duration `yaml:"duplicate_window"`    // default 1m
	DuplicateThreshold int           `yaml:"duplicate_threshold"` // default 50
	VolumeFactor       float64       `yaml:"volume_factor"`       // default 10 times the baseline
	WarmUpBuckets      int           `yaml:"warm_up_buckets"`     // default 30 one-minute buckets
	Learning           time.Duration `yaml:"learning"`            // default 7 days
	MaxKeys            int           `yaml:"max_keys"`            // default 100000 per table
	MinTokens          float64       `yaml:"min_tokens"`          // default 50000 tokens a minute before token volume can be anomalous
	ReconThreshold     int           `yaml:"recon_threshold"`     // default 3 probes (of two kinds or more)
	ReconWindow        time.Duration `yaml:"recon_window"`        // default 1h
}

// Export configures the sinks alerts are delivered to, at least once.
type Export struct {
	Sinks []Sink `yaml:"sinks"`
}

// Sink is one export destination. Type chooses it: file (OCSF JSON lines
// appended to Path), stdout, http (Format ocsf, ecs or json to URL),
// webhook (signed with Secret), splunk (HEC at URL with Token, Index),
// elastic (bulk API at URL, Index, Token as API key), sentinel (Logs
// Ingestion API: URL of the data collection endpoint, DCR, Stream, Token),
// syslog (CEF over RFC 5424 to Address by Network udp, tcp or tls), nats
// (JetStream at URL, Subject per severity, in Stream: default WARDEN_ALERTS).
type Sink struct {
	Name   string `yaml:"name"`
	Type   string `yaml:"type"`
	URL    string `yaml:"url"`
	Path   string `yaml:"path"`
	Format string `yaml:"format"`
	Token  string `yaml:"token"`
	Secret string `yaml:"secret"`
	Index  string `yaml:"index"`
	DCR    string `yaml:"dcr"`
	Stream string `yaml:"stream"`
	// TenantID, ClientID and ClientSecret authenticate a sentinel sink as a
	// Microsoft Entra application instead of a static token; TokenURL
	// overrides the tenant's token endpoint.
	TenantID      string            `yaml:"tenant_id"`
	ClientID      string            `yaml:"client_id"`
	ClientSecret  string            `yaml:"client_secret"`
	TokenURL      string            `yaml:"token_url"`
	Network       string            `yaml:"network"`
	Address       string            `yaml:"address"`
	Subject       string            `yaml:"subject"`
	Headers       map[string]string `yaml:"headers"`
	MinSeverity   string            `yaml:"min_severity"`
	Subscriptions []string          `yaml:"subscriptions"`
	Types         []string          `yaml:"types"`
}

// Intel configures threat-intelligence feeds.
type Intel struct {
	Feeds []IntelFeed `yaml:"feeds"`
}

// IntelFeed is one feed: tor (exit addresses), ip (addresses, networks,
// ranges), user_agent (patterns) or phishing (domains and URLs), from a
// file or an http(s) URL, refreshed every Refresh (0: loaded at start).
type IntelFeed struct {
	Name    string        `yaml:"name"`
	Kind    string        `yaml:"kind"`
	Source  string        `yaml:"source"`
	Refresh time.Duration `yaml:"refresh"`
}

// Models configures AI model security: the model sources Warden scans.
type Models struct {
	Sources []ModelSource `yaml:"sources"`
	// Every is how often sources are looked at for changes (default 5m);
	// Rescan is how old a scan may get before it is repeated (default 24h).
	Every  time.Duration `yaml:"every"`
	Rescan time.Duration `yaml:"rescan"`
	// Clamd, when set, is also asked about every file:
	// unix:/run/clamav/clamd.ctl or tcp:HOST:PORT.
	Clamd string `yaml:"clamd"`
}

// ModelSource is a tree of models (a Hugging Face style repository tree, or
// models with version directories) in a local directory (Path) or a bucket
// of an S3-compatible store (S3), owned by one subscription.
type ModelSource struct {
	Name         string    `yaml:"name"`
	Path         string    `yaml:"path"`
	S3           *S3Source `yaml:"s3"`
	Subscription string    `yaml:"subscription"`
}

// S3Source is a bucket prefix of an S3-compatible object store. Keys come
// from the configuration (use ${VAR}); MaxBytes bounds one version's
// download (default 20 GiB).
type S3Source struct {
	Endpoint  string `yaml:"endpoint"`
	Bucket    string `yaml:"bucket"`
	Prefix    string `yaml:"prefix"`
	Region    string `yaml:"region"`
	AccessKey string `yaml:"access_key"`
	SecretKey string `yaml:"secret_key"`
	Insecure  bool   `yaml:"insecure"`
	MaxBytes  int64  `yaml:"max_bytes"`
}

// Log configures logging.
type Log struct {
	Level string `yaml:"level"` // debug, info, warn, error
}

// Limits bound what one request may cost.
type Limits struct {
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// UpstreamHeaderTimeout bounds the wait for the upstream's response
	// headers (the time to first byte); past it the client gets 504.
	UpstreamHeaderTimeout time.Duration `yaml:"upstream_header_timeout"`
	// RequestTimeout bounds a whole non-streamed request.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// StreamIdleTimeout bounds the silence between two events of a stream.
	StreamIdleTimeout time.Duration `yaml:"stream_idle_timeout"`
	// ShutdownGrace is how long a shutdown waits for streams to finish.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// BodyReadTimeout bounds the time a client has to send its whole
	// request body (a slow sender holds a connection, not memory).
	BodyReadTimeout time.Duration `yaml:"body_read_timeout"`
	// MaxBodiesBytes bounds the bytes of request bodies held in memory at
	// once across all requests; past it a request is answered 503.
	MaxBodiesBytes int64 `yaml:"max_bodies_bytes"`
	// MaxParts bounds the messages and content parts of one request that
	// are scanned: block mode refuses a larger request, detect mode scans
	// the last MaxParts (the newest turns) and counts the rest as skipped.
	MaxParts int `yaml:"max_parts"`
	// MaxStreamBytes bounds the text of one streamed response Warden keeps
	// for scanning: block mode ends a longer stream with an error, detect
	// mode scans the first MaxStreamBytes and passes the rest on unkept.
	MaxStreamBytes int64 `yaml:"max_stream_bytes"`
}

// Scan configures the scan pipeline.
type Scan struct {
	Detectors []string `yaml:"detectors"`
	FlagAt    float64  `yaml:"flag_at"`
	BlockAt   float64  `yaml:"block_at"`
	// QueueSize bounds the detect-mode work waiting to be scanned; past it
	// work is dropped and counted, never allowed to slow the request path.
	QueueSize int `yaml:"queue_size"`
	Workers   int `yaml:"workers"`
	// Allow lists patterns (RE2) of text a team declares benign: a finding
	// whose matched text matches one is dropped.
	Allow []string `yaml:"allow"`
	// Deny adds the team's own rules.
	Deny []DenyRule `yaml:"deny"`
	// GuardrailHeaders adds response headers naming the checks that ran
	// on the request and the prompt's verdict (X-Warden-Checks,
	// X-Warden-Prompt-Verdict), for a client to see what judged it. Off by
	// default: they tell a prober which detectors it faces.
	GuardrailHeaders bool `yaml:"guardrail_headers"`
	// Canaries are strings planted in system prompts; one in a response is
	// a leaked system prompt.
	Canaries []string `yaml:"canaries"`
	// PhishingDomainsFile lists known phishing domains or URLs, one a line.
	PhishingDomainsFile string `yaml:"phishing_domains_file"`
	// ExfilAllowDomains are the domains (and subdomains) a link in an
	// answer may carry data to: the application's own.
	ExfilAllowDomains []string `yaml:"exfil_allow_domains"`
	// PromptShields, when URL is set, adds a detector that asks an external
	// Prompt Shields endpoint.
	PromptShields PromptShields `yaml:"prompt_shields"`
	// Judge, when URL is set, asks a classifier the team runs itself about
	// the parts the detectors are unsure of.
	Judge Judge `yaml:"judge"`
	// Sensitive configures sensitive information types, exact data,
	// redaction of evidence and the anomaly alert.
	Sensitive Sensitive `yaml:"sensitive"`
}

// Sensitive configures the sensitive-data detector and evidence redaction.
type Sensitive struct {
	// CustomTypes are the team's own types, in the built-in types' form
	// (id, name, keywords, exclude, patterns with regex, validator, alone
	// and keyword confidences).
	CustomTypes []SensitiveType `yaml:"custom_types"`
	// ExactData are files of keyed hashes of the team's own values.
	ExactData []ExactData `yaml:"exact_data"`
	// AnomalyLearning is how long a resource is watched before a type it
	// has never returned raises the anomaly alert (default 7 days).
	AnomalyLearning time.Duration `yaml:"anomaly_learning"`
	// NameModel, when false, turns off the person-name model (names are
	// then found only after a naming phrase): for throughput.
	NameModel *bool `yaml:"name_model"`
	// RedactLastFour keeps the last four digits of cards in evidence.
	RedactLastFour bool `yaml:"redact_last_four"`
	// RedactHashKey, when set, adds a keyed hash (per subscription) to
	// evidence placeholders so that one value links across alerts.
	RedactHashKey string `yaml:"redact_hash_key"`
}

// DataSecurity configures data security for AI interactions beyond the
// per-subscription switch: the keys captured content is sealed with.
type DataSecurity struct {
	// ContentKeys seal captured prompt and response text (AES-256-GCM):
	// the first seals, every one opens. Each is base64 of 32 bytes, read
	// from File or the environment variable Env. To rotate, put the new
	// key first and keep the old ones as long as content sealed under
	// them is kept.
	ContentKeys []ContentKey `yaml:"content_keys"`
}

// ContentKey is one content key: its id (stored beside each sealed row)
// and where it is read from.
type ContentKey struct {
	ID   string `yaml:"id"`
	File string `yaml:"file"`
	Env  string `yaml:"env"`
}

// Store says where alerts, settings, incidents and the export outbox are
// kept. Without a URL: a SQLite file in data_dir, for one machine. With a
// postgres:// URL: a PostgreSQL database that every replica shares (the
// data directory still holds each replica's alert spool).
type Store struct {
	URL string `yaml:"url"`
}

// SensitiveType is one of the team's own sensitive information types, in
// the form of the built-in ones (internal/sensitive's types.yaml).
type SensitiveType struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Class string `yaml:"class"`
	// Keywords corroborate a match nearby; Exclude words veto it.
	Keywords []string           `yaml:"keywords"`
	Exclude  []string           `yaml:"exclude"`
	Patterns []SensitivePattern `yaml:"patterns"`
	// Match and NoMatch are examples the type must and must not find,
	// checked when it is built.
	Match   []string `yaml:"match"`
	NoMatch []string `yaml:"nomatch"`
}

// SensitivePattern is one pattern of a type: its regex, an optional
// validator (luhn, ...), and its confidence without a keyword nearby
// (Alone; 0: it needs one) and with one (Keyword).
type SensitivePattern struct {
	Regex     string `yaml:"regex"`
	Validator string `yaml:"validator"`
	Alone     int    `yaml:"alone"`
	Keyword   int    `yaml:"keyword"`
}

// ExactData is one exact-data set: the type its matches carry, the file of
// hashes (warden edm hash writes it) and the key they were made with.
type ExactData struct {
	Type       string `yaml:"type"`
	HashesFile string `yaml:"hashes_file"`
	Key        string `yaml:"key"`
}

// PromptShields configures the external Prompt Shields detector.
type PromptShields struct {
	URL        string        `yaml:"url"`
	Key        string        `yaml:"key"`
	Timeout    time.Duration `yaml:"timeout"`
	FailClosed bool          `yaml:"fail_closed"`
}

// Judge configures the bring-your-own judge: an OpenAI-compatible chat
// endpoint serving a guard model (kind chat) or a text-classification
// endpoint (kind classify), asked only when the detectors' highest attack
// confidence on a part is within Band.
type Judge struct {
	Kind         string        `yaml:"kind"` // chat or classify
	URL          string        `yaml:"url"`  // the full endpoint URL
	Model        string        `yaml:"model"`
	Key          string        `yaml:"key"`
	Timeout      time.Duration `yaml:"timeout"`     // default 2s
	FailClosed   bool          `yaml:"fail_closed"` // an unreachable or over-budget judge counts as an attack
	PerMinute    int           `yaml:"per_minute"`  // default 600
	Band         []float64     `yaml:"band"`        // [lo, hi), default [0.3, 0.8]
	AttackLabels []string      `yaml:"attack_labels"`
}

// DenyRule is a custom detection rule: a pattern over normalised text
// (lowercase, NFKC, invisible characters removed).
type DenyRule struct {
	ID          string  `yaml:"id"`
	Pattern     string  `yaml:"pattern"`
	Confidence  float64 `yaml:"confidence"`
	Description string  `yaml:"description"`
	// Category is what a match is: policy (the default: a topic the team
	// does not allow), or an attack category (jailbreak, data_poisoning,
	// data_leakage, credential_theft, abuse) when the rule is one.
	Category string `yaml:"category"`
}

// Upstream is an LLM API endpoint.
type Upstream struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// APIKey, when set, replaces the caller's provider key on the way out.
	APIKey string `yaml:"api_key"`
}

// Route styles: the family of API paths a route serves.
const (
	StyleOpenAI         = "openai"
	StyleAzureOpenAI    = "azure_openai"
	StyleAzureInference = "azure_inference"
	StyleAnthropic      = "anthropic"
)

// Route maps requests of one style (and optionally of some hosts or caller
// keys) to an upstream, a subscription and a resource.
type Route struct {
	Name         string `yaml:"name"`
	Style        string `yaml:"style"`
	Upstream     string `yaml:"upstream"`
	Subscription string `yaml:"subscription"`
	// Resource names the deployment for alerts; empty means the Azure
	// deployment in the path, else the model in the body.
	Resource string   `yaml:"resource"`
	Hosts    []string `yaml:"hosts"`
	// APIKeys matches the caller's provider key, written as the key itself
	// (usually through ${VAR}) or as "sha256:<hex>".
	APIKeys []string `yaml:"api_keys"`
	// Canary plants a fresh random token at the end of each request's
	// system prompt (chat and Anthropic APIs, plan on), so a response that
	// repeats it proves the system prompt leaked. It is the one option that
	// changes the bytes the upstream receives.
	Canary bool `yaml:"canary"`
	// Unknown is what happens to a request for an API of the provider
	// that Warden does not scan (files, images, audio, batches,
	// fine-tuning, ...): pass (the default: forwarded, counted unscanned)
	// or block (refused: only what is scanned reaches the provider).
	Unknown string `yaml:"unknown"`
	// ClientSystem says the route's clients compose the system and
	// developer messages themselves (an API offered to end users): what is
	// found in them blocks like anything a user sends. By default the
	// application writes them, and their findings are informational.
	ClientSystem bool `yaml:"client_system"`
}

// Policy is a detection policy as the configuration file seeds it; the
// fields are policy.Policy's, under the same names.
type Policy struct {
	ID             string            `yaml:"id" json:"id"`
	Name           string            `yaml:"name" json:"name"`
	Subscription   string            `yaml:"subscription" json:"subscription"`
	Application    string            `yaml:"application" json:"application,omitempty"`
	Route          string            `yaml:"route" json:"route,omitempty"`
	Key            string            `yaml:"key" json:"key,omitempty"`
	Detectors      []string          `yaml:"detectors" json:"detectors,omitempty"`
	Sensitivity    string            `yaml:"sensitivity" json:"sensitivity,omitempty"`
	FlagAt         *float64          `yaml:"flag_at" json:"flag_at,omitempty"`
	BlockAt        *float64          `yaml:"block_at" json:"block_at,omitempty"`
	Actions        map[string]string `yaml:"actions" json:"actions,omitempty"`
	Redact         []string          `yaml:"redact" json:"redact,omitempty"`
	Allow          []string          `yaml:"allow" json:"allow,omitempty"`
	Deny           []PolicyRule      `yaml:"deny" json:"deny,omitempty"`
	DeniedTopics   []PolicyTopic     `yaml:"denied_topics" json:"denied_topics,omitempty"`
	SensitiveTypes []PolicyType      `yaml:"sensitive_types" json:"sensitive_types,omitempty"`
}

// PolicyRule, PolicyTopic and PolicyType are a policy's deny rules,
// denied topics and custom sensitive types.
type (
	PolicyRule struct {
		ID      string `yaml:"id" json:"id"`
		Pattern string `yaml:"pattern" json:"pattern"`
	}
	PolicyTopic struct {
		Name     string   `yaml:"name" json:"name"`
		Keywords []string `yaml:"keywords" json:"keywords"`
	}
	PolicyType struct {
		ID       string   `yaml:"id" json:"id"`
		Name     string   `yaml:"name" json:"name"`
		Patterns []string `yaml:"patterns" json:"patterns"`
		Keywords []string `yaml:"keywords" json:"keywords,omitempty"`
	}
)

// Subscription seeds one subscription's settings.
type Subscription struct {
	ID             string `yaml:"id"`
	Name           string `yaml:"name"`
	Plan           bool   `yaml:"plan"`
	Mode           string `yaml:"mode"`
	PromptEvidence bool   `yaml:"prompt_evidence"`
	DataSecurity   bool   `yaml:"data_security"`
	ModelSecurity  bool   `yaml:"model_security"`
	Sensitivity    string `yaml:"sensitivity"` // low, medium (default), high
	// Redact: credentials, personal_data or kind ids whose values are
	// replaced by placeholders before the request is forwarded.
	Redact []string `yaml:"redact"`
	// Capture keeps prompt and response text, encrypted, for data
	// security: off (default), findings (interactions with a sensitive
	// type or a threat finding) or all. It needs data_security.content_keys.
	Capture string `yaml:"capture"`
}

// Identity says where end-user context comes from.
type Identity struct {
	JWT     []JWTIssuer    `yaml:"jwt"`
	Headers IdentityHeader `yaml:"headers"`
}

// JWTIssuer is a trusted token issuer with its keys in a JWKS file.
type JWTIssuer struct {
	Issuer    string   `yaml:"issuer"`
	Audiences []string `yaml:"audiences"`
	JWKSFile  string   `yaml:"jwks_file"`
}

// IdentityHeader names request headers that carry end-user context.
type IdentityHeader struct {
	EndUserID       string `yaml:"end_user_id"`
	EndUserTenantID string `yaml:"end_user_tenant_id"`
	ApplicationName string `yaml:"application_name"`
	SourceIP        string `yaml:"source_ip"`
}

// Default returns the configuration used when no file is given: the OpenAI
// and Anthropic public APIs behind one subscription in detect mode.
func Default() *Config {
	c := &Config{
		Upstreams: []Upstream{
			{Name: "openai", URL: "https://api.openai.com"},
			{Name: "anthropic", URL: "https://api.anthropic.com"},
		},
		Routes: []Route{
			{Name: "openai", Style: StyleOpenAI, Upstream: "openai", Subscription: "default"},
			{Name: "anthropic", Style: StyleAnthropic, Upstream: "anthropic", Subscription: "default"},
		},
		Subscriptions: []Subscription{{ID: "default", Name: "Default", Plan: true, Mode: "detect"}},
	}
	c.fillDefaults()
	return c
}

// fillDefaults sets every unset scalar to its default.
func (c *Config) fillDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.DataDir == "" {
		c.DataDir = "warden-data"
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	l := &c.Limits
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = 8 << 20
	}
	if l.UpstreamHeaderTimeout == 0 {
		l.UpstreamHeaderTimeout = 120 * time.Second
	}
	if l.RequestTimeout == 0 {
		l.RequestTimeout = 10 * time.Minute
	}
	if l.StreamIdleTimeout == 0 {
		l.StreamIdleTimeout = 2 * time.Minute
	}
	if l.ShutdownGrace == 0 {
		l.ShutdownGrace = 30 * time.Second
	}
	if l.BodyReadTimeout == 0 {
		l.BodyReadTimeout = 30 * time.Second
	}
	if l.MaxBodiesBytes == 0 {
		l.MaxBodiesBytes = 128 << 20
	}
	if l.MaxParts == 0 {
		l.MaxParts = 10000
	}
	if l.MaxStreamBytes == 0 {
		l.MaxStreamBytes = 16 << 20
	}
	if c.Alerts.AggregationWindow == 0 {
		c.Alerts.AggregationWindow = 10 * time.Minute
	}
	if c.Alerts.IncidentWindow == 0 {
		c.Alerts.IncidentWindow = time.Hour
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&c.Retention.Alerts, 365 * 24 * time.Hour}, {&c.Retention.Audit, 365 * 24 * time.Hour}, {&c.Retention.Outbox, 7 * 24 * time.Hour},
		{&c.Retention.Interactions, 180 * 24 * time.Hour}} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.Models.Every == 0 {
		c.Models.Every = 5 * time.Minute
	}
	if c.Models.Rescan == 0 {
		c.Models.Rescan = 24 * time.Hour
	}
	if c.Scan.Sensitive.AnomalyLearning == 0 {
		c.Scan.Sensitive.AnomalyLearning = 7 * 24 * time.Hour
	}
	s := &c.Scan
	if s.FlagAt == 0 {
		s.FlagAt = 0.5
	}
	if s.BlockAt == 0 {
		s.BlockAt = 0.8
	}
	if s.QueueSize == 0 {
		s.QueueSize = 4096
	}
	for i := range c.Subscriptions {
		if c.Subscriptions[i].Mode == "" {
			c.Subscriptions[i].Mode = "detect"
		}
	}
}
