package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/traffic"
)

const latencyColumns = "l0, l1, l2, l3, l4, l5, l6, l7, l8, l9"

// AddTraffic adds minutes to the kept counts, in one transaction.
func (s *Store) AddTraffic(ctx context.Context, ms []traffic.Minute) error {
	var add []string
	for _, c := range strings.Split("requests, scanned, blocked, "+latencyColumns, ", ") {
		add = append(add, c+" = traffic_minutes."+c+" + excluded."+c)
	}
	q := `INSERT INTO traffic_minutes (minute, subscription, requests, scanned, blocked, ` + latencyColumns + `)
		VALUES (?, ?, ?, ?, ?` + strings.Repeat(", ?", traffic.Buckets) + `)
		ON CONFLICT (minute, subscription) DO UPDATE SET ` + strings.Join(add, ", ")
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, m := range ms {
			args := []any{fixedTS(m.At), m.Subscription, m.Requests, m.Scanned, m.Blocked}
			for _, n := range m.Latency {
				args = append(args, n)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("traffic: %w", err)
			}
		}
		return nil
	})
}

// Traffic returns the minutes of [since, until), of the subscriptions
// named (nil: all), oldest first.
func (s *Store) Traffic(ctx context.Context, since, until time.Time, subscriptions []string) ([]traffic.Minute, error) {
	q := `SELECT minute, subscription, requests, scanned, blocked, ` + latencyColumns + ` FROM traffic_minutes WHERE minute >= ? AND minute < ?`
	args := []any{fixedTS(since), fixedTS(until)}
	if subscriptions != nil {
		if len(subscriptions) == 0 {
			return nil, nil
		}
		q += ` AND subscription IN (?` + strings.Repeat(", ?", len(subscriptions)-1) + `)`
		args = append(args, anys(subscriptions)...)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY minute`, args...)
	if err != nil {
		return nil, fmt.Errorf("traffic: %w", err)
	}
	defer rows.Close()
	var out []traffic.Minute
	for rows.Next() {
		var m traffic.Minute
		var at string
		dst := []any{&at, &m.Subscription, &m.Requests, &m.Scanned, &m.Blocked}
		for i := range m.Latency {
			dst = append(dst, &m.Latency[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		m.At, _ = time.Parse(fixedLayout, at)
		out = append(out, m)
	}
	return out, rows.Err()
}
