package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/reload"
)

// suppressionStore lists the rules added at run time.
type suppressionStore interface {
	Suppressions(ctx context.Context) ([]alert.Suppression, error)
}

// suppressionSync keeps the rules in force: the configuration's and the
// store's, reloaded every few seconds (other replicas add rules too) and at
// once after a change through this process's API.
type suppressionSync struct {
	store  suppressionStore
	config []alert.Suppression
	rules  *alert.Rules
	loop   *reload.Loop
	log    *slog.Logger
}

func newSuppressionSync(ctx context.Context, st suppressionStore, cfg *config.Config, log *slog.Logger) (*suppressionSync, error) {
	s := &suppressionSync{store: st, config: suppressions(cfg), rules: alert.NewRules(nil), loop: reload.New(), log: log}
	return s, s.reload(ctx)
}

func (s *suppressionSync) reload(ctx context.Context) error {
	stored, err := s.store.Suppressions(ctx)
	if err != nil {
		return fmt.Errorf("load suppression rules: %w", err)
	}
	s.rules.Set(append(append([]alert.Suppression(nil), s.config...), stored...))
	return nil
}

// changed asks run to reload now.
func (s *suppressionSync) changed() { s.loop.Kick() }

// run reloads every few seconds until ctx ends; a failed reload keeps the
// rules in force.
func (s *suppressionSync) run(ctx context.Context) {
	s.loop.Run(ctx, 5*time.Second, s.reload, func(err error) { s.log.Warn("reload suppression rules", "err", err) })
}

// suppressions are the configuration file's rules.
func suppressions(cfg *config.Config) []alert.Suppression {
	var out []alert.Suppression
	for i, r := range cfg.Alerts.Suppress {
		out = append(out, alert.Suppression{ID: fmt.Sprintf("config-%d", i), Type: r.Type, Subscription: r.Subscription,
			Resource: r.Resource, User: r.User, IP: r.IP, Until: r.Until, Reason: r.Reason, Source: "config"})
	}
	return out
}
