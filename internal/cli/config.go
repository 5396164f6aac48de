package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardenhq/warden/internal/config"
)

func runConfig(_ context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return &exitError{code: 2, err: errors.New("usage: warden config check [--config FILE]")}
	}
	fs := newFlags("config check", env)
	path := fs.String("config", "warden.yaml", "configuration file to check")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 1 {
		*path = fs.Arg(0)
	}
	if _, err := config.LoadFile(*path, env.Getenv, known()...); err != nil {
		var es config.Errors
		if errors.As(err, &es) {
			for _, e := range es {
				fmt.Fprintln(env.Stdout, e)
			}
			return fmt.Errorf("%s: %d error(s)", *path, len(es))
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: ok\n", *path)
	return nil
}
