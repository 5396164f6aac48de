package config

import (
	"fmt"
	"strings"
)

// Option adds to what validation knows.
type Option func(*known)

// known are the names and checks validation holds configuration against;
// one left nil is not checked. The components that own the mapping from
// configuration to objects pass them in (each from its own catalogue), so
// that this package builds nothing and imports no component: a new sink
// type or feed kind is added in one place, its package.
type known struct {
	detectors []string
	sinks     map[string]SinkKind
	feeds     []string
	sensitive func(Sensitive) error
}

// SinkKind is what validation knows of one export sink type: the fields
// it requires (by their YAML keys) and a further check, which returns the
// field at fault and the problem ("" when none).
type SinkKind struct {
	Required []string
	Check    func(Sink) (field, problem string)
}

// WithDetectors makes validation check scan.detectors against names.
func WithDetectors(names []string) Option {
	return func(k *known) { k.detectors = names }
}

// WithSinks makes validation check export.sinks against the sink types
// there are.
func WithSinks(kinds map[string]SinkKind) Option {
	return func(k *known) { k.sinks = kinds }
}

// WithFeeds makes validation check intel.feeds against the feed kinds
// there are.
func WithFeeds(kinds []string) Option {
	return func(k *known) { k.feeds = kinds }
}

// WithSensitive makes validation build the team's own sensitive types and
// exact-data sets with check (built-in types are tested where they are
// defined, so a file without its own is not built at all).
func WithSensitive(check func(Sensitive) error) Option {
	return func(k *known) { k.sensitive = check }
}

// Fields are a sink's settings by YAML key, for required-field checks.
func (k Sink) Fields() map[string]string {
	return map[string]string{"path": k.Path, "url": k.URL, "secret": k.Secret, "token": k.Token, "index": k.Index,
		"dcr": k.DCR, "stream": k.Stream, "network": k.Network, "address": k.Address, "subject": k.Subject,
		"tenant_id": k.TenantID, "client_id": k.ClientID, "client_secret": k.ClientSecret, "format": k.Format}
}

// orList writes names as "a, b or c".
func orList(names []string) string {
	switch len(names) {
	case 0:
		return "(none)"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// CheckRedact reports the first entry of a redact list that is neither a
// family (credentials, personal_data) nor a kind id (lower-case letters,
// digits and underscores), or a duplicate. It is here, not with the
// subscriptions that hold such lists, so that configuration validates them
// without importing a component.
func CheckRedact(list []string) error {
	seen := map[string]bool{}
	for _, r := range list {
		ok := r != "" && r[0] >= 'a' && r[0] <= 'z'
		for i := 0; i < len(r) && ok; i++ {
			c := r[i]
			ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
		}
		if !ok {
			return fmt.Errorf("redact entry %q: want credentials, personal_data or a kind id such as email_address", r)
		}
		if seen[r] {
			return fmt.Errorf("redact entry %q appears twice", r)
		}
		seen[r] = true
	}
	return nil
}
