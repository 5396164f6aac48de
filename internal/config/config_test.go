package config_test

// These tests validate configuration as Warden does, against the
// catalogues of the components that own each kind of name: an external
// test package, as those components import config.

import (
	"strings"
	"testing"
	"time"

	. "github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/export"
	"github.com/wardenhq/warden/internal/intel"
)

// known is what the cli validates with (cli.known).
func known() []Option {
	return []Option{WithDetectors(detect.Names()), WithSinks(export.Kinds()), WithFeeds(intel.Kinds()), WithSensitive(detect.CheckSensitive)}
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadGood(t *testing.T) {
	c, err := LoadFile("testdata/full.good.yaml", env(map[string]string{"AZURE_OPENAI_KEY": "k-123", "TEAM_KEY": "team", "WARDEN_LISTEN": "127.0.0.1:9999"}),
		known()...)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if c.Upstreams[0].APIKey != "k-123" {
		t.Errorf("api_key = %q, want the expanded env value", c.Upstreams[0].APIKey)
	}
	if c.Routes[0].APIKeys[0] != "team" {
		t.Errorf("api_keys[0] = %q, want team", c.Routes[0].APIKeys[0])
	}
	if got := strings.Join(c.Subscriptions[0].Redact, ","); got != "credentials,email_address" {
		t.Errorf("redact = %q, want credentials,email_address", got)
	}
	if c.Listen != "127.0.0.1:9999" {
		t.Errorf("listen = %q, want the WARDEN_LISTEN override", c.Listen)
	}
	if c.Limits.UpstreamHeaderTimeout != 30*time.Second || c.Limits.RequestTimeout == 0 || c.Scan.FlagAt != 0.5 || c.Scan.BlockAt != 0.9 {
		t.Errorf("limits/scan not decoded with defaults: %+v %+v", c.Limits, c.Scan)
	}
}

func TestLoadBad(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unknown-key.bad.yaml", []string{"unknown-key.bad.yaml:5: unknown key apikey"}},
		{"bad-refs.bad.yaml", []string{
			"bad-refs.bad.yaml:3: upstreams[0].url: must be an http or https URL",
			"bad-refs.bad.yaml:6: routes[0].style: must be openai",
			"bad-refs.bad.yaml:7: routes[0].upstream: unknown upstream \"missing\"",
			"bad-refs.bad.yaml:8: routes[0].subscription: unknown subscription \"nobody\"",
			"bad-refs.bad.yaml:11: subscriptions[0].mode: must be detect or block",
		}},
		{"bad-type.bad.yaml", []string{"bad-type.bad.yaml:2: want a duration such as 30s or 5m, not the text soon"}},
		// Wrong types and broken rules in one round, in YAML's terms.
		{"one-round.bad.yaml", []string{
			"one-round.bad.yaml:2: want a duration such as 30s or 5m, not the text soon",
			"one-round.bad.yaml:5: subscriptions[0].mode: must be detect or block",
			"one-round.bad.yaml:6: want true or false, not the text maybe",
		}},
		{"bad-scan.bad.yaml", []string{
			"bad-scan.bad.yaml:2: scan.allow[0]:",
			"bad-scan.bad.yaml:4: scan.deny[0].id: required",
			"bad-scan.bad.yaml:5: scan.deny[0].pattern: not a valid pattern",
			"bad-scan.bad.yaml:8: subscriptions[0].sensitivity: must be low, medium or high",
			"bad-scan.bad.yaml:9: subscriptions[0].redact: redact entry \"Email Address\": want credentials, personal_data or a kind id",
		}},
		{"bad-sensitive.bad.yaml", []string{"bad-sensitive.bad.yaml:2: scan.sensitive: sensitive type badge: pattern"}},
		{"bad-edm.bad.yaml", []string{"bad-edm.bad.yaml:2: scan.sensitive: exact_data[0]: open testdata/missing.hashes"}},
		{"bad-models.bad.yaml", []string{
			"bad-models.bad.yaml:5: models.sources[0]: name a path or an s3 bucket, not both",
			"bad-models.bad.yaml:10: models.sources[1].s3.endpoint: required: host[:port], without a scheme",
			"bad-models.bad.yaml:10: models.sources[1].s3.bucket: required",
		}},
		{"bad-api.bad.yaml", []string{
			"bad-api.bad.yaml:6: api.tokens[0].role: must be owner, contributor, security_admin, reader, content_reader, compliance_reviewer or ediscovery_manager, not \"admin\"",
			"bad-api.bad.yaml:7: api.tokens[0].token: required, unique and at least 16 characters",
			"bad-api.bad.yaml:8: api.tokens[0].subscriptions[0]: unknown subscription \"sub-zz\"",
			"bad-api.bad.yaml:9: behaviour: values must be positive",
		}},
		{"bad-judge.bad.yaml", []string{
			"bad-judge.bad.yaml:3: scan.judge.url: must be an http or https URL",
			"bad-judge.bad.yaml:4: scan.judge.kind: must be chat or classify",
			"bad-judge.bad.yaml:5: scan.judge.band: must be [lo, hi]",
		}},
		{"bad-export.bad.yaml", []string{
			"bad-export.bad.yaml:4: export.sinks[0].type: must be elastic, file, http, nats, sentinel, splunk, stdout, syslog or webhook, not \"kafka\"",
			"bad-export.bad.yaml:5: export.sinks[1].token: required for a splunk sink",
			"bad-export.bad.yaml:8: export.sinks[2].token: a sentinel sink needs a token, or tenant_id, client_id and client_secret",
			"bad-export.bad.yaml:16: intel.feeds[0].kind: must be ip, phishing, tor or user_agent, not \"spam\"",
		}},
		{"bad-threshold.bad.yaml", []string{"bad-threshold.bad.yaml:3: scan.block_at", "bad-threshold.bad.yaml:4: scan.detectors: unknown detector \"psychic\""}},
	}
	for _, tt := range tests {
		_, err := LoadFile("testdata/"+tt.file, env(nil), known()...)
		if err == nil {
			t.Errorf("LoadFile(%s): no error", tt.file)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("LoadFile(%s) error:\n%v\nwant it to contain %q", tt.file, err, w)
			}
		}
	}
}
