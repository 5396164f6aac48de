package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/store"
)

func runAlerts(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 && args[0] == "update" {
		return runUpdate(ctx, env, "alerts", args[1:])
	}
	if len(args) == 0 || (args[0] != "list" && args[0] != "show") {
		return &exitError{code: 2, err: errors.New("usage: warden alerts list|show|update [flags]")}
	}
	verb := args[0]
	fs := newFlags("alerts "+verb, env)
	dataDir := fs.String("data-dir", defaultDataDir(env), "data directory of the Warden store")
	asJSON := fs.Bool("json", false, "print JSON")
	var f store.AlertFilter
	if verb == "list" {
		fs.StringVar(&f.Subscription, "subscription", "", "only this subscription")
		fs.StringVar(&f.Type, "type", "", "only this alert type")
		fs.StringVar(&f.Severity, "severity", "", "only this severity")
		fs.IntVar(&f.Limit, "limit", 50, "at most this many alerts")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	st, err := store.OpenExisting(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	if verb == "show" {
		if fs.NArg() != 1 {
			return &exitError{code: 2, err: errors.New("usage: warden alerts show [flags] ID")}
		}
		a, err := st.Alert(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	}
	as, err := st.Alerts(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{"alerts": as})
	}
	if len(as) == 0 {
		fmt.Fprintln(env.Stdout, "no alerts")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSEVERITY\tTYPE\tACTION\tSUBSCRIPTION\tRESOURCE\tUSER\tCONFIDENCE\tID")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\n", a.LastSeen.Local().Format("2006-01-02 15:04:05"),
			a.Severity, a.Type, a.Action, a.Subscription, dash(a.Resource), dash(userOf(a)), a.Confidence, a.ID)
	}
	return tw.Flush()
}

func userOf(a alert.Alert) string {
	for _, e := range a.Entities {
		if e.Kind == "user" {
			return e.ID
		}
	}
	return ""
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
