package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardenhq/warden/internal/classifier"
	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/scan"
)

func runEval(ctx context.Context, env Env, args []string) error {
	fs := newFlags("eval", env)
	group := fs.String("group", "", `"family": grouped cross-validation of the trained model (families held out whole)`)
	folds := fs.Int("folds", 5, "number of folds for --group")
	threshold := fs.Float64("threshold", scan.DefaultPolicy.BlockAt, "score from which a row counts as detected")
	by := fs.String("by", "folder", `rows per table line: "folder" or "family"`)
	split := fs.String("split", "all", `which rows: "test" (the project's test split, held out of all training and tuning), "train" (the rest) or "all"; --group always leaves the test split out`)
	opts := classifier.DefaultTrainOptions
	fs.IntVar(&opts.Epochs, "epochs", opts.Epochs, "with --group: training epochs (to compare settings)")
	fs.Float64Var(&opts.L2, "l2", opts.L2, "with --group: L2 regularisation")
	fs.Float64Var(&opts.Rate, "rate", opts.Rate, "with --group: AdaGrad learning rate")
	fs.IntVar(&opts.MinDF, "min-df", opts.MinDF, "with --group: drop features seen in fewer training rows")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, `Usage: warden eval [flags] FILE|DIR...

Runs the detection pipeline over labelled JSONL ({"text", "label", "meta": {"family", ...}}, the format of
the shared datasets; a directory means its */data.jsonl) and prints detection and false-positive rates per
folder or family and label, a threshold sweep, ROC AUC and latency percentiles. Attack labels are
jailbreak and injection; every other label is expected to pass.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &exitError{code: 2, err: errors.New("eval: no input")}
	}
	var rows []classifier.Row
	for _, a := range fs.Args() {
		rs, err := readRows(a)
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	switch {
	case *split == "test":
		rows = slices.DeleteFunc(rows, func(r classifier.Row) bool { return !classifier.HeldOut(r) })
	case *split == "train" || *group != "":
		// Cross-validation never trains on, or scores, the test split.
		rows = classifier.WithoutHeldOut(rows)
	case *split != "all":
		return &exitError{code: 2, err: fmt.Errorf("eval: --split takes test, train or all, not %q", *split)}
	}
	if len(rows) == 0 {
		return &exitError{code: 2, err: errors.New("eval: no rows left to evaluate")}
	}
	var scores []float64
	var lat []time.Duration
	switch *group {
	case "":
		all, err := detect.Build(nil, detect.Options{})
		if err != nil {
			return err
		}
		p := scan.NewPipeline(all...)
		for _, r := range rows {
			in := rowInput(r)
			start := time.Now()
			res := p.Scan(ctx, &in, scan.Policy{FlagAt: 0.01, BlockAt: 1})
			lat = append(lat, time.Since(start))
			scores = append(scores, attackScore(res.Findings))
		}
	case "family":
		// The model is scored on families it was not trained on; the
		// other default detectors, written by hand, run as they are.
		cv := classifier.CrossValidate(rows, *folds, opts, detect.DocConfidence)
		var names []string
		for _, n := range detect.Default {
			if n != "model" {
				names = append(names, n)
			}
		}
		others, err := detect.Build(names, detect.Options{})
		if err != nil {
			return err
		}
		p := scan.NewPipeline(others...)
		for i, r := range rows {
			in := rowInput(r)
			s := attackScore(p.Scan(ctx, &in, scan.Policy{FlagAt: 0.01, BlockAt: 1}).Findings)
			c := detect.Confidence(cv[i].P, cv[i].Words, true)
			if rows[i].Doc {
				c = detect.DocConfidence(cv[i].P, cv[i].Segment)
			}
			scores = append(scores, max(s, c))
		}
	default:
		return &exitError{code: 2, err: fmt.Errorf("eval: --group takes \"family\", not %q", *group)}
	}
	report(env.Stdout, rows, scores, lat, *threshold, *by)
	return nil
}

func readRows(path string) ([]classifier.Row, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, "data.jsonl")); err == nil {
			return classifier.ReadFile(filepath.Join(path, "data.jsonl"))
		}
		return classifier.ReadRows(path)
	}
	return classifier.ReadFile(path)
}

// rowInput is how a dataset row reaches the pipeline: documents as
// documents, everything else as a user turn.
func rowInput(r classifier.Row) scan.Input {
	role := scan.RoleUser
	if r.Doc {
		role = scan.RoleDocument
	}
	return scan.Input{Parts: []scan.Part{{Role: role, Text: r.Text}}}
}

// attackScore is the highest confidence among attack findings.
func attackScore(fs []scan.Finding) float64 {
	s := 0.0
	for _, f := range fs {
		if f.Category == scan.CategoryJailbreak || f.Category == scan.CategoryDataPoisoning {
			s = max(s, f.Confidence)
		}
	}
	return s
}

func report(w io.Writer, rows []classifier.Row, scores []float64, lat []time.Duration, th float64, by string) {
	type agg struct{ n, hit int }
	groups := map[string]*agg{}
	var pos, neg []float64
	for i, r := range rows {
		key := r.Folder
		if by == "family" {
			key = r.Folder + "/" + r.Family
		}
		key += "\t" + r.Label
		if groups[key] == nil {
			groups[key] = &agg{}
		}
		groups[key].n++
		if scores[i] >= th {
			groups[key].hit++
		}
		if r.Attack() {
			pos = append(pos, scores[i])
		} else {
			neg = append(neg, scores[i])
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tLABEL\tROWS\tFLAGGED (score >= %.2f)\tMEANING\n", strings.ToUpper(by), th)
	for _, k := range keys {
		g := groups[k]
		label := k[strings.LastIndexByte(k, '\t')+1:]
		meaning := "false-positive rate"
		if label == "jailbreak" || label == "injection" {
			meaning = "detection rate"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%s\n", k, g.n, float64(g.hit)/float64(g.n), meaning)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nthreshold sweep (attacks: %d rows, others: %d rows)\n", len(pos), len(neg))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "THRESHOLD\tDETECTION\tFALSE POSITIVES")
	for _, t := range []float64{0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95} {
		fmt.Fprintf(tw, "%.2f\t%.3f\t%.3f\n", t, rate(pos, t), rate(neg, t))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nROC AUC %.4f\n", classifier.AUC(pos, neg))
	if len(lat) > 0 {
		slices.Sort(lat)
		q := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
		fmt.Fprintf(w, "latency per row: p50 %s  p90 %s  p99 %s  max %s\n", q(0.5), q(0.9), q(0.99), lat[len(lat)-1])
	}
}

func rate(s []float64, t float64) float64 {
	if len(s) == 0 {
		return 0
	}
	n := 0
	for _, v := range s {
		if v >= t {
			n++
		}
	}
	return float64(n) / float64(len(s))
}
