package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/redact"
)

// runRedact copies text from a file or stdin to stdout with every credential
// and sensitive value replaced by a typed placeholder, line by line so
// memory stays bounded.
func runRedact(_ context.Context, env Env, args []string) error {
	fs := newFlags("redact", env)
	lastFour := fs.Bool("last-four", false, "keep the last four digits of card numbers")
	hashKey := fs.String("hash-key-env", "", "name of an environment variable holding a key: placeholders then carry a keyed hash of the value, so equal values can be linked")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := redact.Options{LastFour: *lastFour}
	if *hashKey != "" {
		k := env.Getenv(*hashKey)
		if len(k) < 16 {
			return fmt.Errorf("redact: $%s must hold a key of at least 16 bytes", *hashKey)
		}
		o.HashKey = []byte(k)
	}
	in, closeIn, err := input(env, fs.Arg(0))
	if err != nil {
		return err
	}
	defer closeIn()
	d, err := detect.NewRedactor(o)
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
