package registry

import "github.com/wardenhq/warden/internal/config"

// SourcesFrom maps the configured model sources to the sources a Watcher
// scans.
func SourcesFrom(ms []config.ModelSource) []Source {
	out := make([]Source, len(ms))
	for i, m := range ms {
		src := Source{Name: m.Name, Path: m.Path, Subscription: m.Subscription}
		if b := m.S3; b != nil {
			src.S3 = &S3{Endpoint: b.Endpoint, Bucket: b.Bucket, Prefix: b.Prefix, Region: b.Region,
				AccessKey: b.AccessKey, SecretKey: b.SecretKey, Insecure: b.Insecure, MaxBytes: b.MaxBytes}
		}
		out[i] = src
	}
	return out
}
