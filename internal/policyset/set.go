package policyset

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/internal/policy"
	"github.com/wardenhq/warden/internal/scan"
)

// Set is the policies in force, compiled and indexed by scope.
type Set struct {
	by map[scopeKey]*Compiled
}

type scopeKey struct{ sub, kind, value string }

// NewSet compiles ps. A policy that does not compile (the API refuses
// those before they are stored) is left out and named in the error; the
// rest are in the set.
func NewSet(ps []policy.Policy) (*Set, error) {
	s := &Set{by: map[scopeKey]*Compiled{}}
	var errs []error
	for _, p := range ps {
		c, err := Compile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		value := map[string]string{"key": p.Key, "route": p.Route, "application": p.Application, "subscription": ""}[p.Scope()]
		s.by[scopeKey{p.Subscription, p.Scope(), value}] = c
	}
	return s, errors.Join(errs...)
}

// Resolve returns the policy for a request: the key's, else the route's,
// else the application's, else the subscription's; nil when none.
func (s *Set) Resolve(sub, app, route, keyID string) *Compiled {
	if s == nil {
		return nil
	}
	for _, k := range []scopeKey{{sub, "key", keyID}, {sub, "route", route}, {sub, "application", app}, {sub, "subscription", ""}} {
		if k.kind != "subscription" && k.value == "" {
			continue
		}
		if c, ok := s.by[k]; ok {
			return c
		}
	}
	return nil
}

// Source lists the stored policies (the store).
type Source interface {
	Policies(ctx context.Context) ([]policy.Policy, error)
}

// Sync keeps a Set current: it reloads from the store every interval,
// and at once after Changed (a change here, or a notification from
// another replica).
type Sync struct {
	src      Source
	every    time.Duration
	log      *slog.Logger
	cur      atomic.Pointer[Set]
	changed  chan struct{}
	reloaded func() // tests: called after each reload
}

// NewSync loads the policies once and returns their sync.
func NewSync(ctx context.Context, src Source, every time.Duration, log *slog.Logger) (*Sync, error) {
	s := &Sync{src: src, every: every, log: log, changed: make(chan struct{}, 1)}
	if err := s.reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Resolve is the current set's Resolve.
func (s *Sync) Resolve(sub, app, route, keyID string) *Compiled {
	return s.cur.Load().Resolve(sub, app, route, keyID)
}

// Changed asks for a reload now.
func (s *Sync) Changed() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func (s *Sync) reload(ctx context.Context) error {
	ps, err := s.src.Policies(ctx)
	if err != nil {
		return err
	}
	set, err := NewSet(ps)
	if err != nil {
		s.log.Error("policies left out", "err", err)
	}
	s.cur.Store(set)
	if s.reloaded != nil {
		s.reloaded()
	}
	return nil
}

// Run reloads until ctx ends.
func (s *Sync) Run(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.changed:
		}
		if err := s.reload(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("policies not reloaded", "err", err)
		}
	}
}

// For implements the gateway's Policies: the policy in force for a
// request and its rules.
func (s *Sync) For(sub, app, route, keyID string) (policy.Policy, *scan.Rules, bool) {
	c := s.Resolve(sub, app, route, keyID)
	if c == nil {
		return policy.Policy{}, nil, false
	}
	return c.Policy, c.Rules, true
}
