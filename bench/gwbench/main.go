// Command gwbench measures what Warden adds to the inference path. In one
// run it starts a mock LLM upstream (fixed time-to-first-token and token
// rate), a bare httputil.ReverseProxy and Warden (block mode, default
// pipeline, the real `warden serve`), each in its own process, and drives
// each target at a constant request rate from this process: direct to the
// mock, through the bare proxy, through Warden. Rounds are interleaved to
// cancel drift. It reports added latency against direct, CPU per request
// (from /proc, per proxy process) and streaming time-to-first-token.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wardenhq/warden/internal/cli"
	"github.com/wardenhq/warden/internal/mockllm"
)

func main() {
	role := flag.String("role", "driver", "driver, mock, bare or warden (the last three are started by the driver)")
	addr := flag.String("addr", "", "listen address (child roles)")
	upstream := flag.String("upstream", "", "upstream URL (bare role)")
	cfgFile := flag.String("config", "", "warden config (warden role)")
	rate := flag.Int("rate", 1000, "requests per second")
	dur := flag.Duration("duration", 10*time.Second, "length of one measured phase")
	rounds := flag.Int("rounds", 3, "interleaved rounds per target")
	promptBytes := flag.Int("prompt-bytes", 2048, "size of the user prompt")
	modes := flag.String("modes", "request,stream", "which phases to run: request, stream or both")
	detectors := flag.String("detectors", "", "Warden's scan.detectors, comma-separated (default: Warden's default pipeline)")
	wardenEnv := flag.String("warden-env", "", "extra VAR=value for the Warden process only, e.g. GOGC=100")
	replicas := flag.Int("replicas", 1, "Warden replicas, taking requests round-robin (more than one needs -store-url)")
	storeURL := flag.String("store-url", "", "a postgres:// URL: Warden's store (a fresh schema of it per run); default SQLite")
	dataSecurity := flag.Bool("data-security", false, "turn data security on for the benchmark's subscription: every request gets an interaction record")
	flag.BoolVar(&leadingSpaceTokens, "leading-space", false, "stream tokens that start with their space, as real tokenizers emit them")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch *role {
	case "mock":
		err = serve(ctx, *addr, &mockllm.Mock{NoRecord: true})
	case "bare":
		err = serveBare(ctx, *addr, *upstream)
	case "warden":
		err = cli.Run(ctx, []string{"serve", "--config", *cfgFile}, os.Stdin, os.Stdout, os.Stderr)
	case "driver":
		err = drive(ctx, options{rate: *rate, dur: *dur, rounds: *rounds, promptBytes: *promptBytes, modes: *modes, detectors: *detectors, wardenEnv: *wardenEnv, replicas: *replicas, storeURL: *storeURL, dataSecurity: *dataSecurity})
	default:
		err = fmt.Errorf("unknown role %q", *role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gwbench:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// serveBare is the baseline: the standard library's reverse proxy with the
// same transport tuning Warden uses, and nothing else.
func serveBare(ctx context.Context, addr, upstream string) error {
	target, err := url.Parse(upstream)
	if err != nil {
		return err
	}
	rp := &httputil.ReverseProxy{
		Rewrite:       func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.Out.Host = target.Host },
		FlushInterval: -1,
		Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
			DisableCompression: true},
	}
	return serve(ctx, addr, rp)
}

type options struct {
	rate, rounds, promptBytes int
	dur                       time.Duration
	modes                     string
	detectors                 string
	wardenEnv                 string
	replicas                  int
	storeURL                  string
	dataSecurity              bool
}

type child struct {
	cmd  *exec.Cmd
	addr string
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func start(addr string, env string, args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{"-addr", addr}, args...)...)
	cmd.Stderr = os.Stderr
	if env != "" {
		cmd.Env = append(os.Environ(), env)
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return &child{cmd: cmd, addr: addr}, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	cmd.Process.Kill()
	return nil, fmt.Errorf("%v did not start listening", args)
}

func (c *child) stop() {
	c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
	}
}

// cpuSeconds reads a process's user+system CPU time from /proc.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may
	// contain spaces.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	var ut, st float64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return (ut + st) / 100, nil // USER_HZ is 100 on Linux
}

func drive(ctx context.Context, o options) error {
	tmp, err := os.MkdirTemp("", "gwbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	mock, err := start(freeAddr(), "", "-role", "mock")
	if err != nil {
		return err
	}
	defer mock.stop()
	mockURL := "http://" + mock.addr
	bare, err := start(freeAddr(), "", "-role", "bare", "-upstream", mockURL)
	if err != nil {
		return err
	}
	defer bare.stop()
	if o.replicas > 1 && o.storeURL == "" {
		return fmt.Errorf("-replicas %d needs -store-url: replicas share a PostgreSQL store", o.replicas)
	}
	storeURL := ""
	if o.storeURL != "" {
		var drop func()
		if storeURL, drop, err = freshSchema(o.storeURL); err != nil {
			return err
		}
		defer drop()
	}
	w := target{name: "warden"}
	for i := range max(o.replicas, 1) {
		addr := freeAddr()
		cfg := fmt.Sprintf(`listen: %s
data_dir: %s
log: {level: warn}
upstreams: [{name: mock, url: %s}]
routes: [{name: openai, style: openai, upstream: mock, subscription: bench}]
subscriptions: [{id: bench, plan: true, mode: block, data_security: %t}]
`, addr, filepath.Join(tmp, fmt.Sprintf("data-%d", i)), mockURL, o.dataSecurity)
		if storeURL != "" {
			cfg += fmt.Sprintf("store: {url: %q}\n", storeURL)
		}
		if o.detectors != "" {
			cfg += "scan: {detectors: [" + o.detectors + "]}\n"
		}
		cfgPath := filepath.Join(tmp, fmt.Sprintf("warden-%d.yaml", i))
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			return err
		}
		warden, err := start(addr, o.wardenEnv, "-role", "warden", "-config", cfgPath)
		if err != nil {
			return err
		}
		defer warden.stop()
		w.bases = append(w.bases, "http://"+warden.addr)
		w.pids = append(w.pids, warden.cmd.Process.Pid)
	}
	w.base, w.pid = w.bases[0], w.pids[0]

	targets := []target{
		{name: "direct", base: mockURL},
		{name: "bare", base: "http://" + bare.addr, pid: bare.cmd.Process.Pid},
		w,
	}
	bodies := promptBodies(o.promptBytes, 16)
	store := "SQLite"
	if storeURL != "" {
		store = "PostgreSQL"
	}
	fmt.Fprintf(os.Stderr, "gwbench: %d req/s, %s phases, %d rounds, %d different prompts of %d bytes of varied text, %d Warden replica(s) on %s\n",
		o.rate, o.dur, o.rounds, len(bodies), o.promptBytes, len(w.bases), store)
	res, err := run(ctx, targets, bodies, o)
	if err != nil {
		return err
	}
	report(os.Stdout, res, o)
	return nil
}
