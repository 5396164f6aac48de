package alert

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/reload"
)

// SuppressionSource lists the rules added at run time (the store).
type SuppressionSource interface {
	Suppressions(ctx context.Context) ([]Suppression, error)
}

// SuppressionSync keeps the rules in force: the configuration's and the
// store's, reloaded every few seconds (other replicas add rules too) and at
// once after a change through this process's API.
type SuppressionSync struct {
	// Rules are the rules in force, for the gateway, the registry watcher
	// and the API to read.
	Rules *Rules

	source SuppressionSource
	config []Suppression
	every  time.Duration
	loop   *reload.Loop
	log    *slog.Logger
}

// NewSuppressionSync loads the rules once, so that a process does not start
// with none in force; a store that cannot list them is an error.
func NewSuppressionSync(ctx context.Context, src SuppressionSource, fromConfig []config.Suppression, log *slog.Logger) (*SuppressionSync, error) {
	s := &SuppressionSync{Rules: NewRules(nil), source: src, config: SuppressionsFrom(fromConfig), every: 5 * time.Second,
		loop: reload.New(), log: log}
	return s, s.reload(ctx)
}

func (s *SuppressionSync) reload(ctx context.Context) error {
	stored, err := s.source.Suppressions(ctx)
	if err != nil {
		return fmt.Errorf("load suppression rules: %w", err)
	}
	s.Rules.Set(append(append([]Suppression(nil), s.config...), stored...))
	return nil
}

// Changed asks Run to reload now.
func (s *SuppressionSync) Changed() { s.loop.Kick() }

// Run reloads every few seconds until ctx ends; a failed reload keeps the
// rules in force.
func (s *SuppressionSync) Run(ctx context.Context) {
	s.loop.Run(ctx, s.every, s.reload, func(err error) { s.log.Warn("reload suppression rules", "err", err) })
}

// SuppressionsFrom maps the configuration file's rules, each with an id
// that says where it came from.
func SuppressionsFrom(rs []config.Suppression) []Suppression {
	var out []Suppression
	for i, r := range rs {
		out = append(out, Suppression{ID: fmt.Sprintf("config-%d", i), Type: r.Type, Subscription: r.Subscription,
			Resource: r.Resource, User: r.User, IP: r.IP, Until: r.Until, Reason: r.Reason, Source: "config"})
	}
	return out
}
