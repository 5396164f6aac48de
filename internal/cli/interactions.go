package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/store"
)

func runInteractions(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return &exitError{code: 2, err: errors.New("usage: warden interactions list [flags]")}
	}
	fs := newFlags("interactions list", env)
	dataDir := fs.String("data-dir", defaultDataDir(env), "data directory of the Warden store")
	storeURL := fs.String("store-url", env.Getenv("WARDEN_STORE_URL"), "a postgres:// store shared by replicas (default: SQLite in --data-dir)")
	asJSON := fs.Bool("json", false, "print JSON lines")
	since := fs.Duration("since", 0, "only the last DURATION (e.g. 24h)")
	sub := fs.String("subscription", "", "only this subscription")
	var f interaction.Filter
	fs.StringVar(&f.Application, "app", "", "only this application")
	fs.StringVar(&f.User, "user", "", "only this end user")
	fs.StringVar(&f.FindingType, "type", "", "only interactions with this finding type")
	fs.StringVar(&f.SensitiveType, "sensitive-type", "", "only interactions with this sensitive information type")
	fs.StringVar(&f.Verdict, "verdict", "", "only this verdict (allow, flag, redact, block)")
	fs.IntVar(&f.Limit, "limit", 50, "at most this many")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *sub != "" {
		f.Subscriptions = []string{*sub}
	}
	if *since > 0 {
		f.From = time.Now().Add(-*since)
	}
	var st *store.Store
	var err error
	if *storeURL != "" {
		st, err = store.OpenURL(ctx, *storeURL, *dataDir)
	} else {
		st, err = store.OpenExisting(ctx, *dataDir)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	rs, _, err := st.Interactions(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		for _, r := range rs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	if len(rs) == 0 {
		fmt.Fprintln(env.Stdout, "no interactions")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSUBSCRIPTION\tAPP\tUSER\tVERDICT\tFINDINGS\tSENSITIVE TYPES\tALERTS\tID")
	for _, r := range rs {
		user := dash(r.User)
		if r.User != "" && !r.UserContext {
			user += " (unverified)"
		}
		var types []string
		for _, k := range slices.Sorted(maps.Keys(r.SensitiveTypes)) {
			types = append(types, fmt.Sprintf("%s x%d", k, r.SensitiveTypes[k]))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.At.Local().Format("2006-01-02 15:04:05"), r.Subscription,
			dash(r.Application), user, r.Verdict, dash(strings.Join(r.FindingTypes, ",")), dash(strings.Join(types, ", ")), len(r.Alerts), r.ID)
	}
	return tw.Flush()
}
