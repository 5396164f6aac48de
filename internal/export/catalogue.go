package export

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/wardenhq/warden/internal/config"
)

// kind is one sink type: what its configuration must hold and how it is
// built. The catalogue is the one list of sink types: configuration
// validation (Kinds) and construction (New) both read it.
type kind struct {
	config.SinkKind
	build func(k config.Sink, env Env) (Sink, error)
}

// Env is what sinks take from the process rather than from configuration.
type Env struct {
	Stdout io.Writer // where a stdout sink writes
	Log    *slog.Logger
}

var catalogue = map[string]kind{
	"file": {config.SinkKind{Required: []string{"path"}}, func(k config.Sink, _ Env) (Sink, error) {
		return NewFileWriter(k.Path)
	}},
	"stdout": {config.SinkKind{}, func(_ config.Sink, env Env) (Sink, error) {
		return &Writer{W: env.Stdout}, nil
	}},
	"http": {config.SinkKind{Required: []string{"url"}}, func(k config.Sink, _ Env) (Sink, error) {
		return &HTTP{URL: k.URL, Format: k.Format, Headers: k.Headers}, nil
	}},
	"webhook": {config.SinkKind{Required: []string{"url", "secret"}}, func(k config.Sink, _ Env) (Sink, error) {
		return &Webhook{URL: k.URL, Secret: []byte(k.Secret)}, nil
	}},
	"splunk": {config.SinkKind{Required: []string{"url", "token"}}, func(k config.Sink, _ Env) (Sink, error) {
		return &SplunkHEC{URL: k.URL, Token: k.Token, Index: k.Index}, nil
	}},
	"elastic": {config.SinkKind{Required: []string{"url", "index"}}, func(k config.Sink, _ Env) (Sink, error) {
		return &Elastic{URL: k.URL, Index: k.Index, APIKey: k.Token}, nil
	}},
	"sentinel": {config.SinkKind{Required: []string{"url", "dcr", "stream"}, Check: checkSentinel}, func(k config.Sink, _ Env) (Sink, error) {
		tok := k.Token
		token := func(context.Context) (string, error) { return tok, nil }
		if k.ClientID != "" {
			token = EntraToken(k.TenantID, k.ClientID, k.ClientSecret, k.TokenURL)
		}
		return &SentinelSink{Endpoint: k.URL, RuleID: k.DCR, Stream: k.Stream, Token: token}, nil
	}},
	"syslog": {config.SinkKind{Required: []string{"network", "address"}}, func(k config.Sink, _ Env) (Sink, error) {
		return &Syslog{Network: k.Network, Addr: k.Address}, nil
	}},
	"nats": {config.SinkKind{Required: []string{"url"}}, func(k config.Sink, env Env) (Sink, error) {
		return &NATS{URL: k.URL, Stream: k.Stream, Subject: k.Subject, Log: env.Log}, nil
	}},
}

// checkSentinel asks for a static token or an Entra application.
func checkSentinel(k config.Sink) (field, problem string) {
	if k.Token == "" && (k.ClientID == "" || k.ClientSecret == "" || k.TenantID == "" && k.TokenURL == "") {
		return "token", "a sentinel sink needs a token, or tenant_id, client_id and client_secret of an Entra application"
	}
	return "", ""
}

// Kinds returns what configuration validation needs to know of each sink
// type (config.WithSinks).
func Kinds() map[string]config.SinkKind {
	out := make(map[string]config.SinkKind, len(catalogue))
	for name, k := range catalogue {
		out[name] = k.SinkKind
	}
	return out
}

// New builds the sink a configuration entry describes. An unknown type, or
// an entry missing what its type requires, is an error: a sink is never
// silently left out.
func New(k config.Sink, env Env) (Sink, error) {
	kd, ok := catalogue[k.Type]
	if !ok {
		return nil, fmt.Errorf("sink %s: unknown type %q (%s)", k.Name, k.Type, strings.Join(slices.Sorted(maps.Keys(catalogue)), ", "))
	}
	val := k.Fields()
	for _, f := range kd.Required {
		if val[f] == "" {
			return nil, fmt.Errorf("sink %s: %s is required for a %s sink", k.Name, f, k.Type)
		}
	}
	if kd.Check != nil {
		if field, problem := kd.Check(k); problem != "" {
			return nil, fmt.Errorf("sink %s: %s: %s", k.Name, field, problem)
		}
	}
	if env.Log == nil {
		env.Log = slog.New(slog.DiscardHandler)
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	return kd.build(k, env)
}
