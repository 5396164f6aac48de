package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/wardenhq/warden/internal/ediscovery"
)

// runEDiscovery is `warden ediscovery verify FILE`: it checks an exported
// case against its manifest and prints the manifest's digest, to compare
// with the one Warden recorded at export (the case's audit, and the
// X-Manifest-SHA256 header). --digest makes the comparison too.
func runEDiscovery(_ context.Context, env Env, args []string) error {
	usage := &exitError{code: 2, err: errors.New("usage: warden ediscovery verify [--digest SHA256] FILE.zip")}
	if len(args) == 0 || args[0] != "verify" {
		return usage
	}
	fs := newFlags("ediscovery verify", env)
	want := fs.String("digest", "", "the manifest SHA-256 recorded at export; a different one fails")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	m, digest, err := ediscovery.Verify(f, fi.Size())
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("%s does not verify: %w", fs.Arg(0), err)}
	}
	if *want != "" && *want != digest {
		return &exitError{code: 1, err: fmt.Errorf("%s: manifest SHA-256 %s, recorded %s: the manifest was replaced", fs.Arg(0), digest, *want)}
	}
	fmt.Fprintf(env.Stdout, "ok: case %s (%s), exported %s by %s\n", m.Case, m.CaseName, m.ExportedAt.Format("2006-01-02 15:04:05Z07:00"), m.ExportedBy)
	for _, fl := range m.Files {
		fmt.Fprintf(env.Stdout, "  %s: %d records, %d bytes, sha256 %s\n", fl.Name, fl.Lines, fl.Bytes, fl.SHA256)
	}
	fmt.Fprintf(env.Stdout, "manifest sha256 %s\n", digest)
	return nil
}
