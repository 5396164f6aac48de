package interaction

import (
	"fmt"
	"os"

	"github.com/wardenhq/warden/internal/config"
)

// SealerFrom reads the configured content keys (each from its file or
// environment variable) and returns their sealer, or nil when none is
// configured: content is then never kept.
func SealerFrom(ds config.DataSecurity, getenv func(string) string) (*Sealer, error) {
	if len(ds.ContentKeys) == 0 {
		return nil, nil
	}
	var keys []Key
	for _, k := range ds.ContentKeys {
		raw := getenv(k.Env)
		if k.File != "" {
			b, err := os.ReadFile(k.File)
			if err != nil {
				return nil, fmt.Errorf("content key %s: %w", k.ID, err)
			}
			raw = string(b)
		}
		if raw == "" {
			return nil, fmt.Errorf("content key %s: $%s is empty", k.ID, k.Env)
		}
		key, err := ParseKey(k.ID, raw)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return NewSealer(keys)
}
