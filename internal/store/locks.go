package store

import (
	"context"
	"hash/fnv"
	"slices"

	"github.com/wardenhq/warden/internal/alert"
)

// Replicas writing alerts at once must agree, as one SQLite writer does
// by construction: a repeat is folded into one open alert (not stored
// twice, and no count lost to two read-modify-writes), an alert joins the
// one open incident of its user, and outbox events commit in the order of
// their sequence numbers (a dispatcher that delivered seq 12 must never
// later find an 11 committed behind it). With PostgreSQL a recording
// transaction therefore takes transaction-scoped advisory locks, all at
// its start and in one order, so two batches never wait on each other in
// a cycle: one per fingerprint and correlation key it touches, and the
// outbox lock when it may write an event.

// lockOutbox is the advisory lock that orders outbox writers.
const lockOutbox = "outbox"

// batchLocks are the lock names a batch of alerts needs, sorted.
func batchLocks(as []alert.Alert, outbox bool) []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, a := range as {
		if a.Fingerprint != "" {
			add("fp\x00" + a.Fingerprint)
		}
		strong, weak := alert.IncidentKeys(a)
		for _, k := range append(strong, weak...) {
			if k.Kind != "resource" {
				add("inc\x00" + a.Subscription + "\x00" + k.Kind + "\x00" + k.Value)
			}
		}
	}
	if outbox && len(as) > 0 {
		add(lockOutbox)
	}
	slices.Sort(out)
	return out
}

// lockKey is an advisory lock's 64-bit key (a collision only makes two
// keys share a lock).
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("warden\x00" + name))
	return int64(h.Sum64())
}

// takeLocks takes the transaction-scoped advisory locks, in order
// (PostgreSQL only: SQLite's transactions already run one at a time).
func (s *Store) takeLocks(ctx context.Context, tx txq, names []string) error {
	if !s.postgres {
		return nil
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, lockKey(n)); err != nil {
			return err
		}
	}
	return nil
}
