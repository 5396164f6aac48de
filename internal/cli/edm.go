package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wardenhq/warden/internal/sensitive"
)

// runEDM prepares exact-data matching: `warden edm hash` reads one value a
// line (employee ids, customer numbers, names) and writes the keyed hash of
// each, the file scan.sensitive.exact_data[].hashes_file names. The values
// never reach Warden's configuration or store; keep the key apart from the
// hash file.
func runEDM(_ context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "hash" {
		return errors.New("usage: warden edm hash --key-env VAR [FILE|-]")
	}
	fs := newFlags("edm hash", env)
	keyEnv := fs.String("key-env", "", "name of the environment variable holding the key (at least 16 bytes)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	key := env.Getenv(*keyEnv)
	if *keyEnv == "" || len(key) < 16 {
		return errors.New("edm hash: --key-env must name a variable holding a key of at least 16 bytes")
	}
	in, closeIn, err := input(env, fs.Arg(0))
	if err != nil {
		return err
	}
	defer closeIn()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	w := bufio.NewWriter(env.Stdout)
	defer w.Flush()
	n := 0
	for sc.Scan() {
		v := strings.TrimSpace(sc.Text())
		if v == "" {
			continue
		}
		if _, err := io.WriteString(w, sensitive.HashValue([]byte(key), v)+"\n"); err != nil {
			return err
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("edm hash: %w", err)
	}
	fmt.Fprintf(env.Stderr, "hashed %d values\n", n)
	return nil
}
