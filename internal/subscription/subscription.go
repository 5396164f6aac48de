// Package subscription holds the per-subscription plan settings the gateway
// obeys (plan on or off, detect or block, prompt evidence) and a cache that
// keeps them current without a restart: the control plane writes them to the
// store, the cache re-reads the store.
package subscription

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/internal/reload"
)

// Mode says whether threats are only reported or also stopped.
type Mode string

// Modes.
const (
	// ModeDetect scans off the request path: the client sees no delay.
	ModeDetect Mode = "detect"
	// ModeBlock scans prompts before they are forwarded and cuts responses
	// that cross the block threshold.
	ModeBlock Mode = "block"
)

// Settings is one subscription's plan and components.
type Settings struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Plan switches threat protection on; off, traffic is proxied and
	// counted but neither scanned nor alerted on.
	Plan bool `json:"plan"`
	Mode Mode `json:"mode"`
	// PromptEvidence lets alerts carry redacted snippets of prompts and
	// responses; off, evidence is masked.
	PromptEvidence bool `json:"prompt_evidence"`
	DataSecurity   bool `json:"data_security"`
	ModelSecurity  bool `json:"model_security"`
	// Sensitivity is low, medium (the default) or high: how readily
	// findings flag and block.
	Sensitivity string `json:"sensitivity,omitempty"`
	// Redact lists what is redacted and the request continued rather than
	// only reported (or blocked): "credentials", "personal_data" (every
	// sensitive information type) or single kinds ("email_address",
	// "aws_access_key"). See Redacts.
	Redact []string `json:"redact"`
	// Capture says which interactions keep their prompt and response
	// text, encrypted, for data security (CaptureOff, CaptureFindings,
	// CaptureAll); reading it back needs the content reader role.
	Capture string `json:"capture,omitempty"`
	// Source is "config" for settings seeded from the configuration file
	// and "api" once changed at run time.
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// What content capture keeps.
const (
	CaptureOff      = "off"
	CaptureFindings = "findings" // interactions with a sensitive type or a threat finding
	CaptureAll      = "all"
)

// Redact targets that stand for a whole family of kinds.
const (
	RedactCredentials  = "credentials"
	RedactPersonalData = "personal_data"
)

// Redacts reports whether the subscription redacts a value of kind, found
// by a credential detector (credential) or a sensitive-type one.
func (s Settings) Redacts(kind string, credential bool) bool {
	if kind == "" {
		return false
	}
	for _, r := range s.Redact {
		if r == kind || credential && r == RedactCredentials || !credential && r == RedactPersonalData {
			return true
		}
	}
	return false
}

// Loader reads every subscription's settings; the store implements it.
type Loader interface {
	Subscriptions(ctx context.Context) ([]Settings, error)
}

// Cache serves settings from memory and reloads them from a Loader, so that
// the request path never waits on the store.
type Cache struct {
	loader Loader
	every  time.Duration
	log    *slog.Logger
	m      atomic.Pointer[map[string]Settings]
	loop   *reload.Loop
}

// NewCache loads the settings once and returns a cache that reloads them
// every interval once Run is called.
func NewCache(ctx context.Context, l Loader, every time.Duration, log *slog.Logger) (*Cache, error) {
	c := &Cache{loader: l, every: every, log: log, loop: reload.New()}
	if err := c.Reload(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Get returns the settings of subscription id.
func (c *Cache) Get(id string) (Settings, bool) {
	s, ok := (*c.m.Load())[id]
	return s, ok
}

// Reload re-reads the settings now.
func (c *Cache) Reload(ctx context.Context) error {
	subs, err := c.loader.Subscriptions(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]Settings, len(subs))
	for _, s := range subs {
		m[s.ID] = s
	}
	c.m.Store(&m)
	return nil
}

// Invalidate asks Run to reload at once, after a write through the API.
func (c *Cache) Invalidate() { c.loop.Kick() }

// Run reloads until ctx is done. A failed reload keeps the old settings.
func (c *Cache) Run(ctx context.Context) {
	c.loop.Run(ctx, c.every, c.Reload, func(err error) { c.log.Warn("reload subscription settings", "err", err) })
}
