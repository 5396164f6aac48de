package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/wardenhq/warden/internal/store"
)

// runIncidents is `warden incidents list|show|update`.
func runIncidents(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return &exitError{code: 2, err: errors.New("usage: warden incidents list|show|update [flags]")}
	}
	verb := args[0]
	if verb == "update" {
		return runUpdate(ctx, env, "incidents", args[1:])
	}
	if verb != "list" && verb != "show" {
		return &exitError{code: 2, err: errors.New("usage: warden incidents list|show|update [flags]")}
	}
	fs := newFlags("incidents "+verb, env)
	dataDir := fs.String("data-dir", defaultDataDir(env), "data directory of the Warden store")
	asJSON := fs.Bool("json", false, "print JSON")
	var f store.IncidentFilter
	fs.StringVar(&f.Subscription, "subscription", "", "only this subscription")
	fs.StringVar(&f.Status, "status", "", "only this status (new, active, resolved)")
	fs.StringVar(&f.Severity, "severity", "", "only this severity")
	fs.IntVar(&f.Limit, "limit", 50, "at most this many incidents")
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
			return &exitError{code: 2, err: errors.New("usage: warden incidents show [flags] ID")}
		}
		in, err := st.Incident(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(in)
		}
		fmt.Fprintf(env.Stdout, "%s  %s  %s  %s  %d alerts  %s .. %s\n", in.ID, in.Severity, in.Status, in.Title, in.AlertCount,
			in.FirstSeen.Format("2006-01-02 15:04:05"), in.LastSeen.Format("15:04:05"))
		for _, a := range in.Alerts {
			fmt.Fprintf(env.Stdout, "  %s  %-8s  %s  x%d  %s\n", a.FirstSeen.Format("15:04:05"), a.Severity, a.Type, a.Count, a.ID)
		}
		for _, c := range in.Comments {
			fmt.Fprintf(env.Stdout, "  # %s %s: %s\n", c.At.Format("2006-01-02 15:04"), c.Author, c.Text)
		}
		return nil
	}
	incs, err := st.Incidents(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{"incidents": incs})
	}
	if len(incs) == 0 {
		fmt.Fprintln(env.Stdout, "no incidents")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tSTATUS\tALERTS\tLAST SEEN\tTITLE")
	for _, in := range incs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", in.ID, in.Severity, in.Status, in.AlertCount, in.LastSeen.Format("2006-01-02 15:04:05"), in.Title)
	}
	return tw.Flush()
}

// runUpdate is `warden alerts update` and `warden incidents update`.
func runUpdate(ctx context.Context, env Env, what string, args []string) error {
	fs := newFlags(what+" update", env)
	dataDir := fs.String("data-dir", defaultDataDir(env), "data directory of the Warden store")
	var u store.Update
	fs.StringVar(&u.Status, "status", "", "new, active or resolved")
	fs.StringVar(&u.Assignee, "assignee", "", "who works it")
	fs.StringVar(&u.Classification, "classification", "", "true_positive, benign_true_positive or false_positive")
	fs.StringVar(&u.Comment, "comment", "", "a comment to add")
	// The comment's author defaults to the login name, and to "cli" where
	// there is none (a container): a comment is never refused for want of
	// an author the operator did not think to give.
	author := env.Getenv("USER")
	if author == "" {
		author = "cli"
	}
	fs.StringVar(&u.Author, "author", author, "the comment's author (default: $USER, or cli)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &exitError{code: 2, err: fmt.Errorf("usage: warden %s update [flags] ID", what)}
	}
	if err := u.Validate(); err != nil {
		return &exitError{code: 2, err: err}
	}
	st, err := store.OpenExisting(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	var v any
	if what == "alerts" {
		v, err = st.UpdateAlert(ctx, fs.Arg(0), u)
	} else {
		v, err = st.UpdateIncident(ctx, fs.Arg(0), u)
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
