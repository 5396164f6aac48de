// Package registry watches model sources (local directories and buckets of
// S3-compatible object stores, laid out like a Hugging Face repository or an
// ML registry of models and versions), scans
// every model version with the model scanner on a schedule and whenever its
// files change, and stores what it found as recommendations per
// subscription, for subscriptions that turned AI model security on.
package registry

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/modelscan"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/subscription"
)

// Store keeps scans and alerts; the store implements it.
type Store interface {
	LastModelScan(ctx context.Context, v store.ModelVersion) (store.ModelScan, error)
	RecordModelScan(ctx context.Context, m store.ModelScan) error
	RecordAlerts(ctx context.Context, as []alert.Alert) error
}

// Settings says whether a subscription has model security on.
type Settings interface {
	Get(id string) (subscription.Settings, bool)
}

// Watcher scans sources.
type Watcher struct {
	Sources  []Source
	Store    Store
	Settings Settings
	Scanner  *modelscan.Scanner
	// Every is how often sources are looked at (changes are found then);
	// Rescan is how old a scan may get before it is done again anyway.
	Every, Rescan time.Duration
	Log           *slog.Logger
	Now           func() time.Time
	// Suppress are the suppression rules in force (nil: none).
	Suppress *alert.Rules
}

// Run looks at the sources now and then every Every until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	t := time.NewTicker(w.Every)
	defer t.Stop()
	for {
		if err := w.Once(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("model sources", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once scans every model version that changed or whose last scan is older
// than Rescan, for the sources whose subscription has model security on.
func (w *Watcher) Once(ctx context.Context) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	for _, src := range w.Sources {
		if s, ok := w.Settings.Get(src.Subscription); !ok || !s.Plan || !s.ModelSecurity {
			continue
		}
		t := src.tree()
		files, err := t.files(ctx)
		if err != nil {
			return fmt.Errorf("source %s: %w", src.Name, err)
		}
		for _, v := range layout(files) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			v.Dir = t.where(v)
			mv := store.ModelVersion{Subscription: src.Subscription, Source: src.Name, Model: v.Model, Version: v.Version}
			fp := v.fingerprint()
			last, err := w.Store.LastModelScan(ctx, mv)
			if err == nil && last.Fingerprint == fp && now().Sub(last.ScannedAt) < w.Rescan {
				continue
			}
			m := store.ModelScan{ModelVersion: mv, Fingerprint: fp, ScannedAt: now(), Recommendations: []store.Recommendation{}}
			if dir, done, err := t.fetch(ctx, v); err != nil {
				// Recorded as not scanned: a version Warden could not read
				// is never reported clean.
				m.Error = err.Error()
			} else {
				w.scanInto(ctx, dir, &m)
				done()
			}
			if err := w.Store.RecordModelScan(ctx, m); err != nil {
				return err
			}
			if a, ok := malwareAlert(src, v, m, now()); ok {
				as := []alert.Alert{a}
				w.Suppress.Apply(as, now())
				if err := w.Store.RecordAlerts(ctx, as); err != nil {
					return err
				}
			}
			w.Log.Info("model version scanned", "source", src.Name, "model", v.Model, "version", v.Version,
				"files", m.Files, "findings", len(m.Recommendations), "highest", m.Highest)
		}
	}
	return nil
}

// scanInto scans the version in dir and records what was found in m.
func (w *Watcher) scanInto(ctx context.Context, dir string, m *store.ModelScan) {
	rep := w.Scanner.ScanPaths(ctx, []string{dir})
	m.Files, m.Highest = rep.Summary.Files, rep.Summary.Highest
	for _, f := range rep.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		rel = filepath.ToSlash(rel)
		if f.Error != "" && m.Error == "" {
			m.Error = rel + ": " + f.Error
		}
		for _, x := range f.Findings {
			m.Recommendations = append(m.Recommendations, store.Recommendation{Path: rel, Member: x.Member,
				Severity: x.Severity, Rule: x.Rule, Detail: x.Detail, Recommendation: x.Recommendation})
		}
	}
}

// malwareAlert raises the model-malware alert for a scan with critical
// findings (code that runs on load, malware): the SOC hears of a poisoned
// model the way it hears of everything else.
func malwareAlert(src Source, v Version, m store.ModelScan, now time.Time) (alert.Alert, bool) {
	var fs []scan.Finding
	for _, r := range m.Recommendations {
		if r.Severity == modelscan.Critical {
			fs = append(fs, scan.Finding{Category: "model_security", Type: r.Rule, Confidence: 0.95,
				Severity: scan.SeverityCritical, Detector: "modelscan", Part: -1, Reason: r.Path + ": " + r.Detail})
		}
	}
	if len(fs) == 0 {
		return alert.Alert{}, false
	}
	k := alert.ModelMalware
	c := alert.Context{Subscription: src.Subscription, Resource: src.Name + "/" + v.Model + "@" + v.Version}
	return alert.Alert{ID: uuid.NewString(), Type: k.Type, DisplayName: k.DisplayName, Description: k.Description,
		Severity: k.Severity, Tactics: k.Tactics, Techniques: k.Techniques, Subscription: src.Subscription,
		Resource: c.Resource, Entities: []alert.Entity{{Kind: "model", ID: v.Model}, {Kind: "model_version", ID: v.Version}, {Kind: "path", ID: v.Dir}},
		Action: alert.ActionDetected, Confidence: 0.95, FirstSeen: now, LastSeen: now, Count: 1, Remediation: k.Remediation,
		Evidence: alert.Evidence{Masked: true}, Findings: fs, Fingerprint: alert.Fingerprint(k.Type, c)}, true
}
