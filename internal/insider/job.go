package insider

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/interaction"
)

// Store is what the job reads and writes (the store).
type Store interface {
	Interactions(ctx context.Context, f interaction.Filter) ([]interaction.Record, string, error)
	RiskLevels(ctx context.Context) (map[[2]string]Assessment, error)
	PutRiskLevels(ctx context.Context, as []Assessment) error
	RecordAlerts(ctx context.Context, as []alert.Alert) error
}

// Job assesses every user on a schedule and raises an alert for each one
// whose level rose (to low or above). Run it on one replica (elected).
type Job struct {
	Store  Store
	Config Config
	Every  time.Duration // default an hour
	Now    func() time.Time
	Log    *slog.Logger
	// Max bounds the records one run reads (default 500,000).
	Max int
}

// Run assesses now and every Every until ctx ends.
func (j *Job) Run(ctx context.Context) {
	every := j.Every
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := j.Once(ctx); err != nil && ctx.Err() == nil {
			j.Log.Warn("insider risk", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once runs one assessment and returns the alerts it raised.
func (j *Job) Once(ctx context.Context) ([]alert.Alert, error) {
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	at := now()
	limit := j.Max
	if limit <= 0 {
		limit = 500_000
	}
	f := interaction.Filter{From: at.Add(-j.Config.Span()), To: at, Limit: 1000}
	rs, _, err := interaction.Collect(ctx, j.Store.Interactions, f, limit)
	if err != nil {
		return nil, err
	}
	assessed := Assess(rs, at, j.Config)
	before, err := j.Store.RiskLevels(ctx)
	if err != nil {
		return nil, err
	}
	var alerts []alert.Alert
	for _, a := range assessed {
		prev := before[[2]string{a.Subscription, a.User}]
		if Rank(a.Level) > max(Rank(prev.Level), 0) && a.Level != LevelNone {
			alerts = append(alerts, riskAlert(a, prev, at))
		}
	}
	if len(alerts) > 0 {
		if err := j.Store.RecordAlerts(ctx, alerts); err != nil {
			return nil, err
		}
	}
	return alerts, j.Store.PutRiskLevels(ctx, assessed)
}

// riskAlert is the alert for a user whose level rose.
func riskAlert(a, prev Assessment, now time.Time) alert.Alert {
	k := alert.InsiderRiskElevated
	from := prev.Level
	if from == "" {
		from = LevelNone
	}
	sev := k.Severity
	if a.Level == LevelHigh {
		sev = "high"
	}
	return alert.Alert{
		ID: uuid.NewString(), Type: k.Type, DisplayName: k.DisplayName,
		Description: fmt.Sprintf("%s Level %s, was %s: %s.", k.Description, a.Level, from, strings.Join(a.Reasons, "; ")),
		Severity:    sev, Tactics: k.Tactics, Techniques: k.Techniques, Subscription: a.Subscription,
		Entities: []alert.Entity{{Kind: "user", ID: a.User, Attrs: map[string]string{"risk_level": a.Level, "verified": "true"}}},
		Action:   alert.ActionDetected, FirstSeen: now, LastSeen: now, Count: 1, Remediation: k.Remediation,
		Evidence: alert.Evidence{Masked: true}, Fingerprint: "insider|" + a.Subscription + "|" + a.User + "|" + a.Level,
		Status: "new", Confidence: 0.6,
	}
}
