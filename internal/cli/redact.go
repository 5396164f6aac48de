package cli

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/wardenhq/warden/internal/detect"
)

// runRedact copies text from a file or stdin to stdout with every credential
// replaced by a typed placeholder, line by line so memory stays bounded.
func runRedact(_ context.Context, env Env, args []string) error {
	fs := newFlags("redact", env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	in, closeIn, err := input(env, fs.Arg(0))
	if err != nil {
		return err
	}
	defer closeIn()
	d, err := detect.DefaultSecrets()
	if err != nil {
		return err
	}
	r := bufio.NewReaderSize(in, 64<<10)
	w := bufio.NewWriter(env.Stdout)
	defer w.Flush()
	for {
		line, tooLong, err := readLine(r)
		if tooLong {
			return errors.New("redact: a line is longer than 16 MiB")
		}
		if len(line) > 0 || err == nil {
			if _, werr := io.WriteString(w, d.Redact(string(line))); werr != nil {
				return werr
			}
			if err == nil {
				w.WriteByte('\n')
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
