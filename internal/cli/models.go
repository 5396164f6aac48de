package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/modelscan"
)

// secretAdapter lets the model scanner use the detection engine's
// credential rules.
type secretAdapter struct{ d *detect.Secrets }

func (s secretAdapter) FindSecrets(text string) []modelscan.Secret {
	var out []modelscan.Secret
	for _, m := range s.d.Find(text) {
		out = append(out, modelscan.Secret{Kind: m.Kind, Offset: m.Span[0]})
	}
	return out
}

// runModels is `warden models scan`: files, directories and archives of
// model files, as text, JSON or SARIF, with ClamAV's exit codes: 0 clean,
// 1 findings, 2 a file could not be scanned (or bad usage).
func runModels(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "scan" {
		return &exitError{code: 2, err: errors.New("usage: warden models scan [--format text|json|sarif] [--output FILE] [--clamd ADDR] PATH...")}
	}
	fs := newFlags("models scan", env)
	format := fs.String("format", "text", "output format: text, json or sarif")
	output := fs.String("output", "", "write the report to this file instead of standard output")
	clamd := fs.String("clamd", "", "also ask ClamAV's clamd: unix:/run/clamav/clamd.ctl or tcp:HOST:PORT")
	progress := fs.Bool("progress", isTerminal(env.Stderr), "show progress on standard error (default: when it is a terminal)")
	if err := fs.Parse(args[1:]); err != nil {
		return &exitError{code: 2, err: err}
	}
	if fs.NArg() == 0 {
		return &exitError{code: 2, err: errors.New("models scan: name at least one file or directory")}
	}
	var write func(io.Writer, modelscan.Report) error
	switch *format {
	case "text":
		write = modelscan.WriteText
	case "json":
		write = modelscan.WriteJSON
	case "sarif":
		write = func(w io.Writer, r modelscan.Report) error { return modelscan.WriteSARIF(w, r, version()) }
	default:
		return &exitError{code: 2, err: fmt.Errorf("models scan: unknown format %q (text, json, sarif)", *format)}
	}
	d, err := detect.DefaultSecrets()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	o := modelscan.Options{Secrets: secretAdapter{d}}
	if *clamd != "" {
		o.AV = &modelscan.Clamd{Addr: *clamd}
	}
	if *progress {
		start := time.Now()
		o.Progress = func(done, total int, path string) {
			fmt.Fprintf(env.Stderr, "\r[%-30s] %d/%d files, %s", bar(done, total, 30), done, total, time.Since(start).Round(time.Second))
			if done == total {
				fmt.Fprintln(env.Stderr)
			}
		}
	}
	rep := modelscan.New(o).ScanPaths(ctx, fs.Args())
	out := env.Stdout
	if *output != "" {
		f, err := os.Create(*output)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		defer f.Close()
		out = f
	}
	if err := write(out, rep); err != nil {
		return &exitError{code: 2, err: err}
	}
	switch {
	case rep.Summary.Errors > 0:
		return &exitError{code: 2, err: fmt.Errorf("%d of %d files could not be scanned", rep.Summary.Errors, rep.Summary.Files)}
	case rep.Summary.Findings > 0:
		return &exitError{code: 1, err: fmt.Errorf("%d findings in %d files (highest: %s)", rep.Summary.Findings, rep.Summary.WithFindings, rep.Summary.Highest)}
	}
	return nil
}

func bar(done, total, width int) string {
	n := 0
	if total > 0 {
		n = done * width / total
	}
	b := make([]byte, width)
	for i := range b {
		b[i] = ' '
		if i < n {
			b[i] = '='
		}
	}
	return string(b)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
