package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/benchtext"
)

type target struct {
	name string
	base string
	pid  int // 0 for direct: no proxy process to measure
	// bases and pids, when set, are replicas taking requests round-robin
	// (as a load balancer would); CPU is their sum.
	bases []string
	pids  []int
}

// baseFor is where request i goes.
func (t target) baseFor(i int) string {
	if len(t.bases) > 0 {
		return t.bases[i%len(t.bases)]
	}
	return t.base
}

// cpu is the CPU seconds the target's processes have used.
func (t target) cpu() float64 {
	if len(t.pids) == 0 {
		c, _ := cpuOf(t.pid)
		return c
	}
	sum := 0.0
	for _, p := range t.pids {
		c, _ := cpuOf(p)
		sum += c
	}
	return sum
}

// phase is one measured run of one target in one mode.
type phase struct {
	lat    []time.Duration // whole request (non-stream) or time to first token (stream)
	errors int
	cpu    float64 // proxy CPU seconds during the phase
	n      int
}

type results map[string][]phase // key: target/mode

const (
	streamTTFT   = "20"
	streamTokens = "16"
	streamGap    = "2"
)

// promptBodies are k request bodies (without their closing brace), each
// with a different n-byte prompt of realistic, varied text (benchtext),
// sent in turn: one prompt repeated would flatter every cache on the way.
func promptBodies(n, k int) [][]byte {
	out := make([][]byte, k)
	for i := range out {
		text, _ := json.Marshal(benchtext.Text(n, uint64(i+1)))
		out[i] = []byte(`{"model":"gpt-4o","messages":[{"role":"system","content":"You are a helpful analyst."},{"role":"user","content":` + string(text) + `}]`)
	}
	return out
}

func withStream(bodies [][]byte, stream bool) [][]byte {
	out := make([][]byte, len(bodies))
	for i, body := range bodies {
		if !stream {
			out[i] = append(append([]byte(nil), body...), '}')
		} else {
			out[i] = append(append([]byte(nil), body...), []byte(`,"stream":true}`)...)
		}
	}
	return out
}

func run(ctx context.Context, targets []target, bodies [][]byte, o options) (results, error) {
	res := results{}
	clients := map[string]*http.Client{}
	for _, t := range targets {
		clients[t.name] = &http.Client{Transport: &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096,
			IdleConnTimeout: time.Minute, DisableCompression: true}, Timeout: 30 * time.Second}
	}
	for _, stream := range []bool{false, true} {
		if !strings.Contains(o.modes, mode(stream)) {
			continue
		}
		b := withStream(bodies, stream)
		// Warm up every path (connections, JIT-free but caches and pools).
		for _, t := range targets {
			if _, err := load(ctx, clients[t.name], t, b, stream, o.rate, time.Second); err != nil {
				return nil, err
			}
		}
		for r := 0; r < o.rounds; r++ {
			for _, t := range targets {
				p, err := load(ctx, clients[t.name], t, b, stream, o.rate, o.dur)
				if err != nil {
					return nil, err
				}
				key := t.name + "/" + mode(stream)
				res[key] = append(res[key], p)
				fmt.Fprintf(bufioStderr, "round %d %-6s %-9s p50 %8.3fms p99 %8.3fms errors %d cpu/req %.3fms\n", r+1, t.name, mode(stream),
					ms(pct(p.lat, 50)), ms(pct(p.lat, 99)), p.errors, 1000*p.cpu/float64(max(p.n, 1)))
				bufioStderr.Flush()
			}
		}
	}
	return res, nil
}

func mode(stream bool) string {
	if stream {
		return "stream"
	}
	return "request"
}

// load sends requests at a constant rate for d, each in its own goroutine
// (open loop: a slow answer never delays the next request).
func load(ctx context.Context, c *http.Client, t target, bodies [][]byte, stream bool, rate int, d time.Duration) (phase, error) {
	n := int(d.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, n)
	errs := make([]bool, n)
	var wg sync.WaitGroup
	cpu0 := t.cpu()
	start := time.Now()
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			return phase{}, ctx.Err()
		}
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			l, err := one(ctx, c, t.baseFor(i), bodies[i%len(bodies)], stream)
			lat[i], errs[i] = l, err != nil
		}(i)
	}
	wg.Wait()
	cpu1 := t.cpu()
	p := phase{n: n, cpu: cpu1 - cpu0}
	for i := range lat {
		if errs[i] {
			p.errors++
			continue
		}
		p.lat = append(p.lat, lat[i])
	}
	slices.Sort(p.lat)
	return p, nil
}

func cpuOf(pid int) (float64, error) {
	if pid == 0 {
		return 0, nil
	}
	return cpuSeconds(pid)
}

var contentDelta = []byte(`"delta":{"content":"`)

// one sends one request and returns its latency: the whole exchange, or for
// a stream the time to the first content delta (the stream is then read to
// its end).
// leadingSpaceTokens makes the mock stream tokens that start with their
// space (" world"), as real tokenizers do (-leading-space).
var leadingSpaceTokens bool

func one(ctx context.Context, c *http.Client, base string, body []byte, stream bool) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/v1/chat/completions", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if stream {
		req.Header.Set("X-Mock-TTFT-Ms", streamTTFT)
		req.Header.Set("X-Mock-Tokens", streamTokens)
		req.Header.Set("X-Mock-Gap-Ms", streamGap)
		if leadingSpaceTokens {
			req.Header.Set("X-Mock-Leading", "space")
		}
	}
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	if !stream {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return 0, err
		}
		return time.Since(t0), nil
	}
	br := bufio.NewReader(resp.Body)
	var ttft time.Duration
	for {
		line, err := br.ReadSlice('\n')
		if ttft == 0 {
			if i := bytes.Index(line, contentDelta); i >= 0 && i+len(contentDelta) < len(line) && line[i+len(contentDelta)] != '"' {
				ttft = time.Since(t0)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			return 0, err
		}
	}
	if ttft == 0 {
		return 0, fmt.Errorf("no content in stream")
	}
	return ttft, nil
}

func pct(s []time.Duration, p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
