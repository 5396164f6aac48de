package intel

import "github.com/wardenhq/warden/internal/config"

// Kinds are the feed kinds there are, for configuration validation
// (config.WithFeeds); New refuses any other.
func Kinds() []string { return []string{KindIP, KindPhishing, KindTor, KindUserAgent} }

// FeedsFrom maps the configured feeds to the feeds New loads.
func FeedsFrom(fs []config.IntelFeed) []Feed {
	out := make([]Feed, len(fs))
	for i, f := range fs {
		out[i] = Feed{Name: f.Name, Kind: f.Kind, Source: f.Source, Refresh: f.Refresh}
	}
	return out
}

// HasPhishing reports whether one of the configured feeds lists phishing
// domains: the phishing detector then takes them from this package.
func HasPhishing(fs []config.IntelFeed) bool {
	for _, f := range fs {
		if f.Kind == KindPhishing {
			return true
		}
	}
	return false
}
