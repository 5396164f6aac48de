package config

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Errors is every problem found in a configuration file, each naming the
// file, line and field.
type Errors []string

func (e Errors) Error() string { return strings.Join(e, "\n") }

// LoadFile reads, overrides from the environment, and validates path.
func LoadFile(path string, getenv func(string) string, opts ...Option) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, b, getenv, opts...)
}

// Parse decodes and validates configuration bytes; name labels errors.
func Parse(name string, b []byte, getenv func(string) string, opts ...Option) (*Config, error) {
	var k known
	for _, o := range opts {
		o(&k)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, Errors{prefixLine(name, err.Error())}
	}
	expandEnv(&root, getenv)
	c := &Config{known: k}
	if len(root.Content) > 0 {
		// Decode the file as written strictly, so unknown keys and wrong
		// types fail with their line; then take the values from the tree
		// with ${VAR} expanded.
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		var strict Config
		var typeErrs Errors
		if err := dec.Decode(&strict); err != nil {
			var te *yaml.TypeError
			if !errors.As(err, &te) {
				return nil, Errors{prefixLine(name, err.Error())}
			}
			// Wrong types and unknown keys are reported with the rules
			// the rest of the file breaks, in one round, in YAML's terms.
			for _, m := range te.Errors {
				typeErrs = append(typeErrs, prefixLine(name, plainTypeError(m)))
			}
		}
		root.Decode(c) //nolint:errcheck // its type errors are typeErrs; what decoded is validated
		if len(typeErrs) > 0 {
			return nil, mergeErrors(typeErrs, c.validateAfterDefaults(&root, name, getenv))
		}
	}
	applyEnv(c, getenv)
	c.fillDefaults()
	if es := c.validate(&root, name); len(es) > 0 {
		return nil, es
	}
	return c, nil
}

// validateAfterDefaults validates a partly decoded configuration, so that
// a file with a wrong type also hears of everything else wrong with it.
func (c *Config) validateAfterDefaults(root *yaml.Node, name string, getenv func(string) string) Errors {
	applyEnv(c, getenv)
	c.fillDefaults()
	return c.validate(root, name)
}

// mergeErrors returns type errors and rule errors in line order; a rule
// error on a line that has a type error is left out (the value it judged
// is the zero value the wrong type left behind).
func mergeErrors(typeErrs, ruleErrs Errors) Errors {
	lineOf := func(e string) string {
		if m := fileLineRE.FindStringSubmatch(e); m != nil {
			return m[1]
		}
		return ""
	}
	bad := map[string]bool{}
	for _, e := range typeErrs {
		bad[lineOf(e)] = true
	}
	out := append(Errors{}, typeErrs...)
	for _, e := range ruleErrs {
		if l := lineOf(e); l == "" || !bad[l] {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		li, _ := strconv.Atoi(lineOf(out[i]))
		lj, _ := strconv.Atoi(lineOf(out[j]))
		return li < lj
	})
	return out
}

var fileLineRE = regexp.MustCompile(`^[^:]*:(\d+): `)

var typeErrRE = regexp.MustCompile("^(line \\d+: )cannot unmarshal !!(\\w+) `?(.*?)`? into (.+)$")
var unknownFieldRE = regexp.MustCompile(`^(line \d+: )field (\S+) not found in type .*$`)

// plainTypeError says a yaml type error in YAML's terms: what the key
// wants and what it got, not Go's type names.
func plainTypeError(m string) string {
	if g := unknownFieldRE.FindStringSubmatch(m); g != nil {
		return g[1] + "unknown key " + g[2] + " (a typo, or a key of another section?)"
	}
	g := typeErrRE.FindStringSubmatch(m)
	if g == nil {
		return m
	}
	got := map[string]string{"str": "the text " + g[3], "int": "the number " + g[3], "float": "the number " + g[3],
		"bool": g[3], "seq": "a list", "map": "a mapping (key: value lines)", "null": "nothing"}[g[2]]
	if got == "" {
		got = g[3]
	}
	want := "a mapping (key: value lines)"
	switch t := g[4]; {
	case t == "time.Duration":
		want = "a duration such as 30s or 5m"
	case t == "bool":
		want = "true or false"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		want = "a whole number"
	case strings.HasPrefix(t, "float"):
		want = "a number"
	case t == "string":
		want = "a text value"
	case strings.HasPrefix(t, "[]"):
		want = "a list"
	case strings.HasPrefix(t, "map["):
		want = "a mapping (key: value lines)"
	}
	return g[1] + "want " + want + ", not " + got
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// prefixLine turns yaml's "line 3: msg" into "file:3: msg".
func prefixLine(name, msg string) string {
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s:%s: %s", name, m[1], msg[len(m[0]):])
	}
	return fmt.Sprintf("%s: %s", name, strings.TrimPrefix(msg, "yaml: "))
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${VAR} in every scalar value. Unset variables expand to
// the empty string; validation reports required fields left empty.
func expandEnv(n *yaml.Node, getenv func(string) string) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
			return getenv(m[2 : len(m)-1])
		})
	}
	for _, c := range n.Content {
		expandEnv(c, getenv)
	}
}

// applyEnv applies WARDEN_* overrides, which win over the file.
func applyEnv(c *Config, getenv func(string) string) {
	if v := getenv("WARDEN_LISTEN"); v != "" {
		c.Listen = v
	}
	if v := getenv("WARDEN_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	if v := getenv("WARDEN_LOG_LEVEL"); v != "" {
		c.Log.Level = v
	}
	if v := getenv("WARDEN_STORE_URL"); v != "" {
		c.Store.URL = v
	}
}

// validate checks cross-field rules; root locates fields for line numbers.
func (c *Config) validate(root *yaml.Node, name string) Errors {
	var es Errors
	bad := func(path, format string, args ...any) {
		es = append(es, fmt.Sprintf("%s:%d: %s: %s", name, lineOf(root, path), path, fmt.Sprintf(format, args...)))
	}
	for i, ip := range c.Retention.InteractionPolicies {
		p := fmt.Sprintf("retention.interaction_policies[%d]", i)
		if ip.Subscription == "" && ip.Application == "" {
			bad(p, "name a subscription or an application (retention.interactions is the default for the rest)")
		}
		if ip.Keep < 0 || ip.KeepContent < 0 || ip.Keep > 0 && ip.KeepContent > ip.Keep {
			bad(p, "keep and keep_content must be positive, keep_content no longer than keep")
		}
	}
	keyIDs := map[string]bool{}
	for i, k := range c.DataSecurity.ContentKeys {
		p := fmt.Sprintf("data_security.content_keys[%d]", i)
		if k.ID == "" || keyIDs[k.ID] {
			bad(p+".id", "required and unique (it is stored beside what the key sealed)")
		}
		keyIDs[k.ID] = true
		if (k.File == "") == (k.Env == "") {
			bad(p, "name the key's file or its environment variable (one of them)")
		}
	}
	if u := c.Store.URL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		bad("store.url", "must be a postgres:// URL, or left out for SQLite in data_dir")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	}
	if c.Limits.MaxBodyBytes < 0 {
		bad("limits.max_body_bytes", "must be positive")
	}
	if c.Limits.MaxBodiesBytes < 0 || c.Limits.MaxParts < 0 || c.Limits.MaxStreamBytes < 0 {
		bad("limits", "max_bodies_bytes, max_parts and max_stream_bytes must be positive")
	}
	for _, d := range []struct {
		path string
		v    time.Duration
	}{{"limits.upstream_header_timeout", c.Limits.UpstreamHeaderTimeout}, {"limits.request_timeout", c.Limits.RequestTimeout},
		{"limits.stream_idle_timeout", c.Limits.StreamIdleTimeout}, {"limits.shutdown_grace", c.Limits.ShutdownGrace},
		{"limits.body_read_timeout", c.Limits.BodyReadTimeout}} {
		if d.v < 0 {
			bad(d.path, "must be positive")
		}
	}
	if c.Scan.FlagAt <= 0 || c.Scan.FlagAt > 1 {
		bad("scan.flag_at", "must be in (0, 1]")
	}
	if c.Scan.BlockAt < c.Scan.FlagAt || c.Scan.BlockAt > 1 {
		bad("scan.block_at", "must be in [flag_at, 1]")
	}
	if names := c.known.detectors; names != nil {
		for _, d := range c.Scan.Detectors {
			if !slices.Contains(names, d) {
				bad("scan.detectors", "unknown detector %q (valid: %s)", d, strings.Join(names, ", "))
			}
		}
	}
	if f := c.Scan.PhishingDomainsFile; f != "" {
		if fh, err := os.Open(f); err != nil {
			bad("scan.phishing_domains_file", "%v", err)
		} else {
			fh.Close()
		}
	}
	if u := c.Scan.PromptShields.URL; u != "" {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			bad("scan.prompt_shields.url", "must be an http or https URL, not %q", u)
		}
	}
	if j := c.Scan.Judge; j.URL != "" {
		if pu, err := url.Parse(j.URL); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			bad("scan.judge.url", "must be an http or https URL, not %q", j.URL)
		}
		if j.Kind != "chat" && j.Kind != "classify" {
			bad("scan.judge.kind", "must be chat or classify, not %q", j.Kind)
		}
		if b := j.Band; len(b) != 0 && (len(b) != 2 || b[0] <= 0 || b[0] >= b[1] || b[1] > 1) {
			bad("scan.judge.band", "must be [lo, hi] with 0 < lo < hi <= 1")
		}
		if j.PerMinute < 0 || j.Timeout < 0 {
			bad("scan.judge", "per_minute and timeout must be positive")
		}
	}
	if check := c.known.sensitive; check != nil && (len(c.Scan.Sensitive.CustomTypes) > 0 || len(c.Scan.Sensitive.ExactData) > 0) {
		if err := check(c.Scan.Sensitive); err != nil {
			bad("scan.sensitive", "%v", err)
		}
	}
	if c.Scan.Sensitive.AnomalyLearning < 0 {
		bad("scan.sensitive.anomaly_learning", "must be positive")
	}
	for i, a := range c.Scan.Allow {
		if _, err := regexp.Compile(a); err != nil {
			bad(fmt.Sprintf("scan.allow[%d]", i), "%v", err)
		}
	}
	for i, d := range c.Scan.Deny {
		p := fmt.Sprintf("scan.deny[%d]", i)
		if d.ID == "" {
			bad(p+".id", "required")
		}
		if _, err := regexp.Compile(d.Pattern); err != nil || d.Pattern == "" {
			bad(p+".pattern", "not a valid pattern: %v", err)
		}
		if d.Confidence < 0 || d.Confidence > 1 {
			bad(p+".confidence", "must be in [0, 1]")
		}
		switch d.Category {
		case "", "policy", "jailbreak", "data_poisoning", "data_leakage", "credential_theft", "abuse":
		default:
			bad(p+".category", "must be policy, jailbreak, data_poisoning, data_leakage, credential_theft or abuse, not %q", d.Category)
		}
	}
	modelSubs := map[string]bool{}
	for _, sub := range c.Subscriptions {
		modelSubs[sub.ID] = true
	}
	for i, m := range c.Models.Sources {
		p := fmt.Sprintf("models.sources[%d]", i)
		if m.Name == "" {
			bad(p+".name", "required")
		}
		switch {
		case m.S3 != nil && m.Path != "":
			bad(p, "name a path or an s3 bucket, not both")
		case m.S3 != nil:
			if m.S3.Endpoint == "" || strings.Contains(m.S3.Endpoint, "/") {
				bad(p+".s3.endpoint", "required: host[:port], without a scheme (insecure: true for plain HTTP)")
			}
			if m.S3.Bucket == "" {
				bad(p+".s3.bucket", "required")
			}
			if m.S3.MaxBytes < 0 {
				bad(p+".s3.max_bytes", "must be positive")
			}
		default:
			if st, err := os.Stat(m.Path); err != nil || !st.IsDir() {
				bad(p+".path", "must be a directory: %q", m.Path)
			}
		}
		if !modelSubs[m.Subscription] {
			bad(p+".subscription", "unknown subscription %q", m.Subscription)
		}
	}
	if c.Models.Every < 0 || c.Models.Rescan < 0 {
		bad("models", "every and rescan must be positive")
	}
	for i, r := range c.Alerts.Suppress {
		p := fmt.Sprintf("alerts.suppress[%d]", i)
		if r.Reason == "" {
			bad(p+".reason", "required: say why the activity is known good")
		}
		if r.Type == "" && r.Subscription == "" && r.Resource == "" && r.User == "" && r.IP == "" {
			bad(p, "matches every alert: name a type, subscription, resource, user or ip")
		}
	}
	if b := c.Behaviour; b.DuplicateWindow < 0 || b.DuplicateThreshold < 0 || b.VolumeFactor < 0 || b.WarmUpBuckets < 0 ||
		b.Learning < 0 || b.MaxKeys < 0 || b.MinTokens < 0 || b.ReconThreshold < 0 || b.ReconWindow < 0 {
		bad("behaviour", "values must be positive (zero takes the default)")
	}
	if r := c.Retention; r.Alerts < 0 || r.Audit < 0 || r.Outbox < 0 {
		bad("retention", "alerts, audit and outbox must be positive durations")
	}
	tokenNames, tokens := map[string]bool{}, map[string]bool{}
	for i, t := range c.API.Tokens {
		p := fmt.Sprintf("api.tokens[%d]", i)
		if t.Name == "" || tokenNames[t.Name] {
			bad(p+".name", "required and unique (it names the principal in the audit log)")
		}
		tokenNames[t.Name] = true
		switch t.Role {
		case "owner", "contributor", "security_admin", "reader", "content_reader", "compliance_reviewer", "ediscovery_manager":
		default:
			bad(p+".role", "must be owner, contributor, security_admin, reader, content_reader, compliance_reviewer or ediscovery_manager, not %q", t.Role)
		}
		// Never echo the token itself.
		if len(t.Token) < 16 || tokens[t.Token] {
			bad(p+".token", "required, unique and at least 16 characters")
		}
		tokens[t.Token] = true
		for j, sc := range t.Scopes {
			if sc != "api" && sc != "shield" && sc != "metrics" {
				bad(fmt.Sprintf("%s.scopes[%d]", p, j), "must be api, shield or metrics, not %q", sc)
			}
		}
		for j, s := range t.Subscriptions {
			if !modelSubs[s] {
				bad(fmt.Sprintf("%s.subscriptions[%d]", p, j), "unknown subscription %q", s)
			}
		}
	}
	sinkNames := map[string]bool{}
	for i, k := range c.Export.Sinks {
		p := fmt.Sprintf("export.sinks[%d]", i)
		if k.Name == "" || sinkNames[k.Name] {
			bad(p+".name", "required and unique (it keys the sink's position in the outbox)")
		}
		sinkNames[k.Name] = true
		if kinds := c.known.sinks; kinds != nil {
			kind, ok := kinds[k.Type]
			if !ok {
				bad(p+".type", "must be %s, not %q", orList(slices.Sorted(maps.Keys(kinds))), k.Type)
			}
			val := k.Fields()
			for _, f := range kind.Required {
				if val[f] == "" {
					bad(p+"."+f, "required for a %s sink", k.Type)
				}
			}
			if kind.Check != nil {
				if field, problem := kind.Check(k); problem != "" {
					bad(p+"."+field, "%s", problem)
				}
			}
		}
		switch k.MinSeverity {
		case "", "low", "medium", "high", "critical":
		default:
			bad(p+".min_severity", "must be low, medium, high or critical")
		}
	}
	feedNames := map[string]bool{}
	for i, f := range c.Intel.Feeds {
		p := fmt.Sprintf("intel.feeds[%d]", i)
		if f.Name == "" || feedNames[f.Name] {
			bad(p+".name", "required and unique")
		}
		feedNames[f.Name] = true
		if kinds := c.known.feeds; kinds != nil && !slices.Contains(kinds, f.Kind) {
			bad(p+".kind", "must be %s, not %q", orList(kinds), f.Kind)
		}
		if f.Source == "" {
			bad(p+".source", "required: a file or an http(s) URL")
		}
		if f.Refresh < 0 {
			bad(p+".refresh", "must be positive")
		}
	}
	upstreams := map[string]bool{}
	for i, u := range c.Upstreams {
		p := fmt.Sprintf("upstreams[%d]", i)
		if u.Name == "" {
			bad(p+".name", "required")
		} else if upstreams[u.Name] {
			bad(p+".name", "duplicate upstream %q", u.Name)
		}
		upstreams[u.Name] = true
		if pu, err := url.Parse(u.URL); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			bad(p+".url", "must be an http or https URL, not %q", u.URL)
		}
	}
	subs := map[string]bool{}
	for i, s := range c.Subscriptions {
		p := fmt.Sprintf("subscriptions[%d]", i)
		if s.ID == "" {
			bad(p+".id", "required")
		} else if subs[s.ID] {
			bad(p+".id", "duplicate subscription %q", s.ID)
		}
		subs[s.ID] = true
		if s.Mode != "detect" && s.Mode != "block" {
			bad(p+".mode", "must be detect or block, not %q", s.Mode)
		}
		switch s.Sensitivity {
		case "", "low", "medium", "high":
		default:
			bad(p+".sensitivity", "must be low, medium or high, not %q", s.Sensitivity)
		}
		if err := CheckRedact(s.Redact); err != nil {
			bad(p+".redact", "%v", err)
		}
		switch s.Capture {
		case "", "off":
		case "findings", "all":
			if len(c.DataSecurity.ContentKeys) == 0 {
				bad(p+".capture", "capturing content needs data_security.content_keys to seal it with")
			}
		default:
			bad(p+".capture", "must be off, findings or all, not %q", s.Capture)
		}
	}
	if t := c.Tracing; t.OTLPEndpoint != "" {
		if u, err := url.Parse(t.OTLPEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("tracing.otlp_endpoint", "must be an http or https URL, not %q", t.OTLPEndpoint)
		}
	}
	if r := c.Tracing.SampleRatio; r < 0 || r > 1 {
		bad("tracing.sample_ratio", "must be in [0, 1]")
	}
	for i, r := range c.Routes {
		p := fmt.Sprintf("routes[%d]", i)
		switch r.Style {
		case StyleOpenAI, StyleAzureOpenAI, StyleAzureInference, StyleAnthropic:
		default:
			bad(p+".style", "must be openai, azure_openai, azure_inference or anthropic, not %q", r.Style)
		}
		switch r.Unknown {
		case "", "pass", "block":
		default:
			bad(p+".unknown", "must be pass or block, not %q", r.Unknown)
		}
		if !upstreams[r.Upstream] {
			bad(p+".upstream", "unknown upstream %q", r.Upstream)
		}
		if !subs[r.Subscription] {
			bad(p+".subscription", "unknown subscription %q", r.Subscription)
		}
		for j, k := range r.APIKeys {
			if k == "" {
				bad(fmt.Sprintf("%s.api_keys[%d]", p, j), "empty (is its environment variable set?)")
			}
		}
	}
	for i, j := range c.Identity.JWT {
		p := fmt.Sprintf("identity.jwt[%d]", i)
		if j.Issuer == "" {
			bad(p+".issuer", "required")
		}
		if j.JWKSFile == "" {
			bad(p+".jwks_file", "required")
		} else if _, err := os.Stat(j.JWKSFile); err != nil {
			bad(p+".jwks_file", "%v", err)
		}
	}
	return es
}
