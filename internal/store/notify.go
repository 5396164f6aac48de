package store

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channels replicas tell each other about changes on. With PostgreSQL a
// change is announced in the transaction that makes it (NOTIFY is
// delivered at commit), so every replica's cache reloads within
// milliseconds rather than at its next poll.
const (
	ChannelSettings     = "warden_settings"
	ChannelSuppressions = "warden_suppressions"
)

// notify announces a change on channel inside tx (PostgreSQL only; a
// single SQLite process has nobody to tell).
func (s *Store) notify(ctx context.Context, tx txq, channel, payload string) error {
	if !s.postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify(?, ?)`, channel, payload)
	return err
}

// Listen calls changed for every change announced on channel, and once
// after each (re)connection, since announcements made while it was away
// are lost; it returns when ctx ends. With SQLite there is nothing to
// listen to and it only waits for ctx. Run it under the process's
// supervisor, one per channel.
func (s *Store) Listen(ctx context.Context, channel string, changed func(), log *slog.Logger) {
	if !s.postgres {
		<-ctx.Done()
		return
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, channel, changed)
		if ctx.Err() != nil {
			return
		}
		log.Warn("store notifications lost; reconnecting", "channel", channel, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, channel string, changed func()) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	changed() // whatever changed while this replica was not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		changed()
	}
}
