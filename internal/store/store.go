// Package store keeps Warden's state (subscription settings and alerts) in
// an embedded SQLite database in the data directory, through a pure-Go
// driver, with WAL and versioned schema migrations.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/wardenhq/warden/internal/alert"
)

//go:embed migrations/*.sql
var migrations embed.FS

// pgMigrations are the same migrations, version for version, in
// PostgreSQL's types (TestMigrationsTwin).
//
//go:embed pgmigrations/*.sql
var pgMigrations embed.FS

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// Store is the embedded database.
type Store struct {
	db   *sql.DB
	path string
	// noOutbox is set when no export sink is configured: alerts are then
	// stored without an outbox event nobody would read.
	noOutbox bool
	// postgres is set for a PostgreSQL store (shared by replicas), url
	// is then its URL (for the notification listener's own connection).
	postgres bool
	url      string
	// windows fold and correlate alerts as they are recorded
	// (alert.Windows.Place); now stamps rows the store writes.
	windows alert.Windows
	now     func() time.Time
}

// SetExporting says whether any export sink reads the outbox; without one,
// RecordAlerts writes no outbox events.
func (s *Store) SetExporting(on bool) { s.noOutbox = !on }

// SetWindows sets how far back RecordAlerts folds repeats and correlates
// incidents (default alert.DefaultWindows). Call it before recording.
func (s *Store) SetWindows(w alert.Windows) { s.windows = w }

// SetClock sets the clock that stamps what the store writes (default
// time.Now), for tests. Call it before use.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// FileName is the database's name inside the data directory.
const FileName = "warden.db"

// OpenURL opens the store a configuration names: a PostgreSQL database
// when url is a postgres:// (or postgresql://) URL, shared by every replica;
// otherwise (url empty) the SQLite file in dir, for one machine. Either way
// the schema is brought up to date.
func OpenURL(ctx context.Context, url, dir string) (*Store, error) {
	if url == "" {
		return Open(ctx, dir)
	}
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, fmt.Errorf("store url: want postgres://..., or none for SQLite in the data directory")
	}
	db, err := openPostgres(url)
	if err != nil {
		return nil, err
	}
	// Replicas share the server; each keeps a modest pool.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	s := &Store{db: db, path: redactURL(url), postgres: true, url: url, windows: alert.DefaultWindows, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// redactURL is a database URL fit for messages: without its password.
func redactURL(u string) string {
	if at := strings.LastIndexByte(u, '@'); at > 0 {
		if scheme := strings.Index(u, "://"); scheme >= 0 && scheme+3 < at {
			cred := u[scheme+3 : at]
			if c := strings.IndexByte(cred, ':'); c >= 0 {
				return u[:scheme+3] + cred[:c] + ":xxxxx" + u[at:]
			}
		}
	}
	return u
}

// Open opens (creating if needed) the SQLite database in dir and brings its
// schema up to date.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	// The path is part of a URI: '%', '?' and '#' in a directory name
	// would be read as escapes, a query and a fragment.
	dsn := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path) + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// SQLite has one writer; a small pool keeps readers concurrent without
	// piling up writers that would only wait on the lock.
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path, windows: alert.DefaultWindows, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenExisting opens the database in dir for reading by the command line; it
// fails rather than create an empty database in the wrong place.
func OpenExisting(ctx context.Context, dir string) (*Store, error) {
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		return nil, fmt.Errorf("no Warden database in %s (run warden serve first, or pass --data-dir): %w", dir, err)
	}
	return Open(ctx, dir)
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.postgres {
		dialect = goose.DialectPostgres
		if sub, err = fs.Sub(pgMigrations, "pgmigrations"); err != nil {
			return err
		}
		// Replicas start together: one migrates, the others wait on an
		// advisory lock and then find nothing to do.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.db, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", s.path, err)
	}
	return nil
}

// Ping checks that the database answers, for readiness.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// CheckWrite proves the store takes writes by rewriting one row: readiness
// asks it, since a locked or full database still answers reads.
func (s *Store) CheckWrite(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
		s.now().UTC().Format(time.RFC3339Nano))
	return err
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
