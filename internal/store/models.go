package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ModelVersion names one version of one model of a model source.
type ModelVersion struct {
	Subscription string `json:"subscription"`
	Source       string `json:"source"`
	Model        string `json:"model"`
	Version      string `json:"version"`
}

// ModelScan is the last scan of a model version.
type ModelScan struct {
	ModelVersion
	Fingerprint string    `json:"fingerprint"`
	ScannedAt   time.Time `json:"scanned_at"`
	Files       int       `json:"files"`
	Highest     string    `json:"highest"`
	Error       string    `json:"error,omitempty"`
	// Recommendations are what to do about the findings.
	Recommendations []Recommendation `json:"recommendations"`
}

// Recommendation is one finding of a model scan and what to do about it.
type Recommendation struct {
	Path           string `json:"path"`
	Member         string `json:"member,omitempty"`
	Severity       string `json:"severity"`
	Rule           string `json:"rule"`
	Detail         string `json:"detail"`
	Recommendation string `json:"recommendation"`
}

// LastModelScan returns the last scan of v, or ErrNotFound.
func (s *Store) LastModelScan(ctx context.Context, v ModelVersion) (ModelScan, error) {
	m := ModelScan{ModelVersion: v}
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT fingerprint, scanned_at, files, highest, error FROM model_scans
		WHERE subscription = ? AND source = ? AND model = ? AND version = ?`, v.Subscription, v.Source, v.Model, v.Version).
		Scan(&m.Fingerprint, &at, &m.Files, &m.Highest, &m.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("last model scan: %w", err)
	}
	m.ScannedAt, _ = time.Parse(time.RFC3339Nano, at)
	return m, nil
}

// RecordModelScan replaces the scan and recommendations of a model
// version, in one transaction.
func (s *Store) RecordModelScan(ctx context.Context, m ModelScan) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record model scan: %w", err)
	}
	defer tx.Rollback()
	v := m.ModelVersion
	if _, err := tx.ExecContext(ctx, `DELETE FROM model_recommendations WHERE subscription = ? AND source = ? AND model = ? AND version = ?`,
		v.Subscription, v.Source, v.Model, v.Version); err != nil {
		return fmt.Errorf("record model scan: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO model_scans (subscription, source, model, version, fingerprint, scanned_at, files, highest, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subscription, source, model, version) DO UPDATE SET
		fingerprint = excluded.fingerprint, scanned_at = excluded.scanned_at, files = excluded.files, highest = excluded.highest, error = excluded.error`,
		v.Subscription, v.Source, v.Model, v.Version, m.Fingerprint, m.ScannedAt.UTC().Format(time.RFC3339Nano), m.Files, m.Highest, m.Error); err != nil {
		return fmt.Errorf("record model scan: %w", err)
	}
	for _, r := range m.Recommendations {
		if _, err := tx.ExecContext(ctx, `INSERT INTO model_recommendations (subscription, source, model, version, path, member, severity, rule, detail, recommendation)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.Subscription, v.Source, v.Model, v.Version, r.Path, r.Member, r.Severity, r.Rule, r.Detail, r.Recommendation); err != nil {
			return fmt.Errorf("record model scan: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record model scan: %w", err)
	}
	return nil
}

// ModelScans lists the last scans, with their recommendations, of one
// subscription (all when empty).
func (s *Store) ModelScans(ctx context.Context, subscription string) ([]ModelScan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT subscription, source, model, version, fingerprint, scanned_at, files, highest, error
		FROM model_scans WHERE ? = '' OR subscription = ? ORDER BY subscription, source, model, version`, subscription, subscription)
	if err != nil {
		return nil, fmt.Errorf("model scans: %w", err)
	}
	var out []ModelScan
	for rows.Next() {
		var m ModelScan
		var at string
		if err := rows.Scan(&m.Subscription, &m.Source, &m.Model, &m.Version, &m.Fingerprint, &at, &m.Files, &m.Highest, &m.Error); err != nil {
			rows.Close()
			return nil, fmt.Errorf("model scans: %w", err)
		}
		m.ScannedAt, _ = time.Parse(time.RFC3339Nano, at)
		m.Recommendations = []Recommendation{}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("model scans: %w", err)
	}
	for i := range out {
		v := out[i].ModelVersion
		rs, err := s.db.QueryContext(ctx, `SELECT path, member, severity, rule, detail, recommendation FROM model_recommendations
			WHERE subscription = ? AND source = ? AND model = ? AND version = ?`, v.Subscription, v.Source, v.Model, v.Version)
		if err != nil {
			return nil, fmt.Errorf("model recommendations: %w", err)
		}
		for rs.Next() {
			var r Recommendation
			if err := rs.Scan(&r.Path, &r.Member, &r.Severity, &r.Rule, &r.Detail, &r.Recommendation); err != nil {
				rs.Close()
				return nil, fmt.Errorf("model recommendations: %w", err)
			}
			out[i].Recommendations = append(out[i].Recommendations, r)
		}
		rs.Close()
	}
	return out, nil
}
