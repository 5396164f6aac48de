package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/wardenhq/warden/internal/classifier"
	"github.com/wardenhq/warden/internal/evaluate"
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
	var res evaluate.Result
	switch *group {
	case "":
		r, err := evaluate.Pipeline(ctx, rows)
		if err != nil {
			return err
		}
		res = r
	case "family":
		r, err := evaluate.GroupedCV(ctx, rows, *folds, opts)
		if err != nil {
			return err
		}
		res = r
	default:
		return &exitError{code: 2, err: fmt.Errorf("eval: --group takes \"family\", not %q", *group)}
	}
	evaluate.Report(env.Stdout, rows, res, *threshold, *by)
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
