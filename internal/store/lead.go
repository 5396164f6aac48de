package store

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// leadPoll is how often a replica that does not lead a job tries to take
// it over, and how often the leader checks that it still holds it: a dead
// leader's lock goes with its connection, and another replica leads
// within about this long.
var leadPoll = time.Second

// Lead runs fn on one replica at a time: the one holding PostgreSQL's
// session advisory lock for name. The others wait, trying every second,
// and one of them takes over when the leader stops or dies (its
// connection, and with it the lock, goes). When the leader's own
// connection fails, fn's context is cancelled: it may no longer be the
// only one. With SQLite (one process) fn just runs. Lead returns when ctx
// ends.
func (s *Store) Lead(ctx context.Context, name string, fn func(context.Context), log *slog.Logger) {
	if !s.postgres {
		fn(ctx)
		return
	}
	for ctx.Err() == nil {
		led, err := s.leadOnce(ctx, name, fn)
		if err != nil && ctx.Err() == nil {
			log.Warn("leader election", "job", name, "err", err)
		}
		if led && ctx.Err() == nil {
			log.Warn("gave up leading", "job", name)
		}
		select {
		case <-ctx.Done():
		case <-time.After(leadPoll):
		}
	}
}

// leadOnce takes the lock if it is free and runs fn while it holds it.
func (s *Store) leadOnce(ctx context.Context, name string, fn func(context.Context)) (bool, error) {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey("lead\x00"+name)).Scan(&got); err != nil {
			return false, err
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return false, nil
		case <-time.After(leadPoll):
		}
	}
	lctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(leadPoll)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-t.C:
				if err := conn.Ping(lctx); err != nil {
					cancel()
					return
				}
			}
		}
	}()
	fn(lctx)
	cancel()
	wg.Wait()
	return true, nil
}
