package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The store's tests run on SQLite, and again on PostgreSQL when
// WARDEN_TEST_POSTGRES_URL names a server: TestOnPostgres runs this test
// binary a second time with WARDEN_TEST_STORE=postgres, in which openTest
// gives each data directory its own schema of that server.

// openTest opens the store a test asks for by data directory: SQLite in
// dir, or under WARDEN_TEST_STORE=postgres the PostgreSQL schema that dir
// maps to (the same schema each time, so a test can reopen it).
func openTest(t *testing.T, ctx context.Context, dir string) (*Store, error) {
	t.Helper()
	if os.Getenv("WARDEN_TEST_STORE") != "postgres" {
		return Open(ctx, dir)
	}
	base := os.Getenv("WARDEN_TEST_POSTGRES_URL")
	h := fnv.New64a()
	h.Write([]byte(dir))
	schema := fmt.Sprintf("warden_test_%x", h.Sum64())
	admin, err := openPostgres(base)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema); err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		a, err := openPostgres(base)
		if err == nil {
			a.ExecContext(context.Background(), `DROP SCHEMA IF EXISTS `+schema+` CASCADE`) //nolint:errcheck
			a.Close()
		}
	})
	return OpenURL(ctx, withSearchPath(base, schema), dir)
}

// openReplicas opens n stores on one database, as n replicas would: n
// handles on one SQLite file, or n pools on one PostgreSQL schema. They
// close when the test ends.
func openReplicas(t *testing.T, n int) []*Store {
	t.Helper()
	ctx, dir := context.Background(), t.TempDir()
	var out []*Store
	for range n {
		s, err := openTest(t, ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// withSearchPath adds search_path to a PostgreSQL URL (pgx passes unknown
// query parameters to the server as run-time parameters).
func withSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestOnPostgres runs every other test of this package again on the
// PostgreSQL server WARDEN_TEST_POSTGRES_URL names.
func TestOnPostgres(t *testing.T) {
	if os.Getenv("WARDEN_TEST_STORE") == "postgres" {
		t.Skip("already running on PostgreSQL")
	}
	base := os.Getenv("WARDEN_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("WARDEN_TEST_POSTGRES_URL is not set: the store suite runs on SQLite only")
	}
	db, err := sql.Open("pgx", base)
	if err == nil {
		err = db.PingContext(t.Context())
		db.Close()
	}
	if err != nil {
		t.Fatalf("WARDEN_TEST_POSTGRES_URL is set but the server does not answer: %v", err)
	}
	args := []string{"-test.run", ".", "-test.skip", "^TestOnPostgres$|^TestOpenOddDirectory$|^TestMigrationsTwin$", "-test.count", "1"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(os.Environ(), "WARDEN_TEST_STORE=postgres")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the store suite on PostgreSQL failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("the store suite on PostgreSQL did not pass:\n%s", out)
	}
	t.Logf("the store suite passed on PostgreSQL:\n%s", out)
}

// TestMigrationsTwin checks that every SQLite migration has its
// PostgreSQL twin with the same version and name, and the same text but
// for the types PostgreSQL spells differently: a change made to one and
// not the other fails here.
// dialectFree is a migration without its dialect blocks, which must be
// closed.
func dialectFree(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		switch line {
		case "-- dialect: begin":
			in = true
		case "-- dialect: end":
			if !in {
				t.Fatal("dialect end without begin")
			}
			in = false
		default:
			if !in {
				out = append(out, line)
			}
		}
	}
	if in {
		t.Fatal("dialect block not closed")
	}
	return []byte(strings.Join(out, "\n"))
}

func TestMigrationsTwin(t *testing.T) {
	lite, err := migrations.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := pgMigrations.ReadDir("pgmigrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(lite), len(pg))
	}
	pgTypes := strings.NewReplacer("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY", "INTEGER", "BIGINT",
		"REAL", "DOUBLE PRECISION", "BLOB", "BYTEA")
	for i := range lite {
		if lite[i].Name() != pg[i].Name() {
			t.Errorf("migration %d: SQLite %s, PostgreSQL %s", i, lite[i].Name(), pg[i].Name())
			continue
		}
		l, err := migrations.ReadFile("migrations/" + lite[i].Name())
		if err != nil {
			t.Fatal(err)
		}
		p, err := pgMigrations.ReadFile("pgmigrations/" + pg[i].Name())
		if err != nil {
			t.Fatal(err)
		}
		// Between "-- dialect: begin" and "-- dialect: end" each engine
		// has its own text (a full-text index); the rest must be twins.
		l, p = dialectFree(t, l), dialectFree(t, p)
		if want := pgTypes.Replace(string(l)); string(p) != want {
			t.Errorf("pgmigrations/%s is not migrations/%s with PostgreSQL's types", pg[i].Name(), lite[i].Name())
		}
	}
}
