// Package cli implements the warden command line: one file per subcommand,
// each returning errors to Run, which main turns into one exit.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Env is what a subcommand may touch of the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the gateway (add --demo for a built-in mock LLM upstream)", runServe},
		{"scan", "scan JSONL prompts with the detection pipeline", runScan},
		{"eval", "measure the pipeline on labelled JSONL (--group family: grouped cross-validation)", runEval},
		{"redact", "copy text with every credential and sensitive value replaced by a typed placeholder", runRedact},
		{"edm", "hash your own sensitive values for exact-data matching (edm hash)", runEDM},
		{"models", "scan model files, directories and archives for unsafe code, malware and secrets (models scan)", runModels},
		{"alerts", "list, show or update (status, assignee, classification, comment) alerts", runAlerts},
		{"incidents", "list, show or update incidents: alerts correlated by user, address or resource", runIncidents},
		{"interactions", "list interaction records (data security for AI interactions): who, app, verdict, types", runInteractions},
		{"ediscovery", "verify an exported eDiscovery case against its manifest", runEDiscovery},
		{"accounts", "manage local sign-in accounts (add, list, disable)", runAccounts},
		{"config", "check a configuration file (config check)", runConfig},
		{"version", "print the version", runVersion},
	}
}

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitCode returns the process exit code for an error returned by Run.
func ExitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// Run runs the warden command line with args (without the program name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return RunWith(ctx, Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}, args)
}

// RunWith is Run with the outside world given whole.
func RunWith(ctx context.Context, env Env, args []string) error {
	stdout, stderr := env.Stdout, env.Stderr
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	usage(stderr)
	return &exitError{code: 2, err: fmt.Errorf("unknown command %q", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Warden: threat protection for AI services.\n\nUsage: warden <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'warden <command> -h' for a command's flags.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("warden "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// defaultDataDir is the data directory when neither a flag nor the
// configuration names one.
func defaultDataDir(env Env) string {
	if v := env.Getenv("WARDEN_DATA_DIR"); v != "" {
		return v
	}
	return "warden-data"
}

// input opens the file a command reads: path, or standard input when path
// is empty or "-". The returned func closes what was opened.
func input(env Env, path string) (io.Reader, func(), error) {
	if path == "" || path == "-" {
		return env.Stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}
