// Package evaluate scores labelled rows with Warden's detectors, as they
// run or with the model cross-validated by family, and reports detection
// and false-positive rates, a threshold sweep, ROC AUC and latency: what
// `warden eval` prints.
package evaluate

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardenhq/warden/internal/classifier"
	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/scan"
)

// Result is one score per row (the highest attack confidence) and, when
// the pipeline ran as it is, the time it took per row.
type Result struct {
	Scores    []float64
	Latencies []time.Duration
}

// Pipeline scores every row with the default detectors.
func Pipeline(ctx context.Context, rows []classifier.Row) (Result, error) {
	all, err := detect.Build(nil, detect.Options{})
	if err != nil {
		return Result{}, err
	}
	p := scan.NewPipeline(all...)
	var r Result
	for _, row := range rows {
		in := rowInput(row)
		start := time.Now()
		res := p.Scan(ctx, &in, scan.Policy{FlagAt: 0.01, BlockAt: 1})
		r.Latencies = append(r.Latencies, time.Since(start))
		r.Scores = append(r.Scores, attackScore(res.Findings))
	}
	return r, nil
}

// GroupedCV scores the model on families it was not trained on (folds
// cross-validation, families held out whole); the other default
// detectors, written by hand, run as they are.
func GroupedCV(ctx context.Context, rows []classifier.Row, folds int, opts classifier.TrainOptions) (Result, error) {
	cv := classifier.CrossValidate(rows, folds, opts, detect.DocConfidence)
	var names []string
	for _, n := range detect.Default {
		if n != "model" {
			names = append(names, n)
		}
	}
	others, err := detect.Build(names, detect.Options{})
	if err != nil {
		return Result{}, err
	}
	p := scan.NewPipeline(others...)
	var r Result
	for i, row := range rows {
		in := rowInput(row)
		s := attackScore(p.Scan(ctx, &in, scan.Policy{FlagAt: 0.01, BlockAt: 1}).Findings)
		c := detect.Confidence(cv[i].P, cv[i].Words, true)
		if row.Doc {
			c = detect.DocConfidence(cv[i].P, cv[i].Segment)
		}
		r.Scores = append(r.Scores, max(s, c))
	}
	return r, nil
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

// Report writes rates per folder (by "folder") or family (by "family") and
// label at threshold th, a threshold sweep, ROC AUC and latency
// percentiles.
func Report(w io.Writer, rows []classifier.Row, res Result, th float64, by string) {
	scores, lat := res.Scores, res.Latencies
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
