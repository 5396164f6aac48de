package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardenhq/warden/internal/api"
	"github.com/wardenhq/warden/internal/signin"
	"github.com/wardenhq/warden/internal/store"
)

// runAccounts manages local sign-in accounts: add (the password is read
// from standard input, never from a flag, which would land in the shell's
// history), list, disable.
func runAccounts(ctx context.Context, env Env, args []string) error {
	usage := &exitError{code: 2, err: errors.New("usage: warden accounts add NAME --role ROLE [--subscriptions a,b] < password | list | disable NAME")}
	if len(args) == 0 {
		return usage
	}
	fs := newFlags("accounts "+args[0], env)
	dataDir := fs.String("data-dir", defaultDataDir(env), "data directory of the Warden store")
	storeURL := fs.String("store-url", env.Getenv("WARDEN_STORE_URL"), "a postgres:// store shared by replicas (default: SQLite in --data-dir)")
	role := fs.String("role", "", "the account's role: "+strings.Join(api.Roles, ", "))
	subs := fs.String("subscriptions", "", "comma-separated subscriptions the account reaches (default: all)")
	// The name may come before the flags (add NAME --role R) or after.
	var names []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		names, rest = append(names, fs.Arg(0)), fs.Args()[1:]
	}
	open := func() (*store.Store, error) {
		if *storeURL != "" {
			return store.OpenURL(ctx, *storeURL, *dataDir)
		}
		return store.Open(ctx, *dataDir)
	}
	switch args[0] {
	case "add":
		if len(names) != 1 || !slices.Contains(api.Roles, *role) {
			return usage
		}
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read the password from standard input: %w", err)
		}
		hash, err := signin.HashPassword(strings.TrimRight(line, "\r\n"))
		if err != nil {
			return err
		}
		st, err := open()
		if err != nil {
			return err
		}
		defer st.Close()
		a := signin.Account{Name: names[0], Role: *role, Hash: hash, CreatedAt: time.Now().UTC()}
		if *subs != "" {
			a.Subscriptions = strings.Split(*subs, ",")
		}
		if err := st.PutAccount(ctx, a); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "account %s (%s) saved\n", a.Name, a.Role)
		return nil
	case "list":
		st, err := open()
		if err != nil {
			return err
		}
		defer st.Close()
		as, err := st.Accounts(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tSUBSCRIPTIONS\tDISABLED\tCREATED")
		for _, a := range as {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", a.Name, a.Role, strings.Join(a.Subscriptions, ","), a.Disabled, a.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	case "disable":
		if len(names) != 1 {
			return usage
		}
		st, err := open()
		if err != nil {
			return err
		}
		defer st.Close()
		a, ok, err := st.Account(ctx, names[0])
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no account %s", names[0])
		}
		a.Disabled = true
		return st.PutAccount(ctx, a)
	}
	return usage
}
