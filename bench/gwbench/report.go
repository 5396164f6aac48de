package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
)

var bufioStderr = bufio.NewWriter(os.Stderr)

// medianOf returns the median over rounds of f(phase).
func medianOf(ps []phase, f func(phase) float64) float64 {
	v := make([]float64, len(ps))
	for i, p := range ps {
		v[i] = f(p)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func report(w io.Writer, res results, o options) {
	p50 := func(p phase) float64 { return ms(pct(p.lat, 50)) }
	p99 := func(p phase) float64 { return ms(pct(p.lat, 99)) }
	cpu := func(p phase) float64 { return 1000 * p.cpu / float64(max(p.n, 1)) }
	errs := func(p phase) float64 { return float64(p.errors) }

	fmt.Fprintf(w, "\n%d req/s, %s per phase, %d interleaved rounds (medians over rounds); mock TTFT %s ms, %s tokens %s ms apart for streams\n\n",
		o.rate, o.dur, o.rounds, streamTTFT, streamTokens, streamGap)
	fmt.Fprintln(w, "| mode | target | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU ms/req | errors |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|")
	for _, m := range []string{"request", "stream"} {
		d := res["direct/"+m]
		if len(d) == 0 {
			continue
		}
		for _, t := range []string{"direct", "bare", "warden"} {
			ps := res[t+"/"+m]
			fmt.Fprintf(w, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f |\n", m, t,
				medianOf(ps, p50), medianOf(ps, p99), medianOf(ps, p50)-medianOf(d, p50), medianOf(ps, p99)-medianOf(d, p99),
				medianOf(ps, cpu), medianOf(ps, errs))
		}
	}
	ratio := func(m string, f func(phase) float64, sub bool) float64 {
		if len(res["direct/"+m]) == 0 {
			return 0
		}
		wv, bv := medianOf(res["warden/"+m], f), medianOf(res["bare/"+m], f)
		if sub {
			dv := medianOf(res["direct/"+m], f)
			wv, bv = wv-dv, bv-dv
		}
		if bv <= 0 {
			return 0
		}
		return wv / bv
	}
	fmt.Fprintln(w, "\n| figure (Warden / bare proxy, same run) | ratio | target |")
	fmt.Fprintln(w, "|---|---:|---:|")
	fmt.Fprintf(w, "| added latency p50 | %.2f | <= 1.5 |\n", ratio("request", p50, true))
	fmt.Fprintf(w, "| added latency p99 | %.2f | <= 1.5 |\n", ratio("request", p99, true))
	fmt.Fprintf(w, "| CPU per request | %.2f | <= 1.5 |\n", ratio("request", cpu, false))
	fmt.Fprintf(w, "| streaming TTFT overhead p50 | %.2f | <= 1.5 |\n", ratio("stream", p50, true))
	fmt.Fprintf(w, "| streaming TTFT overhead p99 | %.2f | <= 1.5 |\n", ratio("stream", p99, true))
}
