package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/wardenhq/warden/internal/behaviour"
	"github.com/wardenhq/warden/internal/intel"
	"github.com/wardenhq/warden/internal/journal"
	"github.com/wardenhq/warden/internal/modelscan"
	"github.com/wardenhq/warden/internal/policy"
	"github.com/wardenhq/warden/internal/policyset"
	"github.com/wardenhq/warden/internal/portal"
	"github.com/wardenhq/warden/internal/registry"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/api"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/demo"
	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/export"
	"github.com/wardenhq/warden/internal/gateway"
	"github.com/wardenhq/warden/internal/health"
	"github.com/wardenhq/warden/internal/identity"
	"github.com/wardenhq/warden/internal/insider"
	"github.com/wardenhq/warden/internal/interaction"
	"github.com/wardenhq/warden/internal/judge"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/shield"
	"github.com/wardenhq/warden/internal/shieldclient"
	"github.com/wardenhq/warden/internal/signin"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/subscription"
	"github.com/wardenhq/warden/internal/supervise"
	"github.com/wardenhq/warden/internal/traffic"
)

func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags("serve", env)
	cfgPath := fs.String("config", "", "configuration file (default: built-in defaults, or warden.yaml if present)")
	demoMode := fs.Bool("demo", false, "also start a built-in mock LLM upstream and route every API to it, in block mode")
	listen := fs.String("listen", "", "listen address (overrides the configuration)")
	dataDir := fs.String("data-dir", "", "data directory (overrides the configuration)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var cfg *config.Config
	var err error
	var stopMock func()
	switch {
	case *demoMode:
		var mockURL string
		if mockURL, stopMock, err = demo.StartMock(); err != nil {
			return err
		}
		defer stopMock()
		cfg = demo.Config(mockURL)
	case *cfgPath != "":
		if cfg, err = config.LoadFile(*cfgPath, env.Getenv, known()...); err != nil {
			return err
		}
	default:
		if _, statErr := os.Stat("warden.yaml"); statErr == nil {
			if cfg, err = config.LoadFile("warden.yaml", env.Getenv, known()...); err != nil {
				return err
			}
		} else {
			cfg = config.Default()
		}
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	return serve(ctx, env, cfg, newLogger(env.Stderr, cfg.Log.Level), *demoMode)
}

func serve(ctx context.Context, env Env, cfg *config.Config, log *slog.Logger, demoMode bool) error {
	// The data directory holds the SQLite store, or with PostgreSQL this
	// replica's alert spool.
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	st, err := store.OpenURL(ctx, cfg.Store.URL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetWindows(alert.Windows{Aggregation: cfg.Alerts.AggregationWindow, Incident: cfg.Alerts.IncidentWindow})
	st.SetExporting(len(cfg.Export.Sinks) > 0)
	if err := st.SeedSubscriptions(ctx, seedSettings(cfg), time.Now()); err != nil {
		return err
	}
	// Every background loop runs in loops, which stops them all and waits
	// for each at shutdown, before the store closes (deferred above, so
	// run after this).
	loops := supervise.New(ctx, log)
	defer loops.Stop()
	settings, err := subscription.NewCache(ctx, st, 2*time.Second, log)
	if err != nil {
		return fmt.Errorf("load subscriptions: %w", err)
	}
	loops.Go("subscriptions", settings.Run)
	// Jobs that must run once across replicas (each sink's dispatcher,
	// retention, model-source scans) run where the store elects them.
	leaders := elected{loops, st, log}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	phishing := detect.NewPhishing()
	var access gateway.AccessChecker
	if len(cfg.Intel.Feeds) > 0 {
		in, err := intel.New(ctx, intel.FeedsFrom(cfg.Intel.Feeds), phishing, reg, log)
		if err != nil {
			return fmt.Errorf("threat intelligence: %w", err)
		}
		if cfg.Store.URL != "" {
			// One replica fetches each feed on schedule and keeps it in
			// the store; every replica loads what it kept.
			in.WithShared(st)
			leaders.Go("intel-refresh", in.Refresh)
			loops.Go("intel-follow", func(ctx context.Context) { in.Follow(ctx, 30*time.Second) })
		} else {
			loops.Go("intel", in.Run)
		}
		access = in
	}
	pipeline, err := newPipelineWith(cfg, phishing)
	if err != nil {
		return err
	}
	// Detection policies: the file's seed the store, the store's are in
	// force, reloaded at once on a change (here or, by notification, on
	// another replica) and every two seconds.
	seeds, err := seedPolicies(cfg, pipeline.Detectors())
	if err != nil {
		return err
	}
	if err := st.SeedPolicies(ctx, seeds, time.Now()); err != nil {
		return err
	}
	policies, err := policyset.NewSync(ctx, st, 2*time.Second, log)
	if err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	loops.Go("policies", policies.Run)
	loops.Go("policies-notify", func(ctx context.Context) { st.Listen(ctx, store.ChannelPolicies, policies.Changed, log) })
	supp, err := alert.NewSuppressionSync(ctx, st, cfg.Alerts.Suppress, log)
	if err != nil {
		return err
	}
	loops.Go("suppressions", supp.Run)
	// With PostgreSQL, other replicas' changes arrive as notifications:
	// caches reload at once instead of at their next poll.
	loops.Go("settings-notify", func(ctx context.Context) { st.Listen(ctx, store.ChannelSettings, settings.Invalidate, log) })
	loops.Go("suppressions-notify", func(ctx context.Context) { st.Listen(ctx, store.ChannelSuppressions, supp.Changed, log) })
	var recon gateway.ProbeFinder
	if !cfg.Behaviour.Disabled {
		r, err := detect.DefaultRecon()
		if err != nil {
			return err
		}
		recon = reconProbes{r}
	}
	var issuers []identity.Issuer
	for _, j := range cfg.Identity.JWT {
		iss, err := identity.LoadIssuer(j.Issuer, j.Audiences, j.JWKSFile)
		if err != nil {
			return fmt.Errorf("identity issuer %s: %w", j.Issuer, err)
		}
		issuers = append(issuers, iss)
	}
	// Alerts reach the store through the journal: batched, and spooled to
	// a local file while the store cannot take them. It is stopped after
	// the gateway has drained (the last alerts), before the other loops.
	spool, err := journal.OpenSpool(filepath.Join(cfg.DataDir, "alerts.spool"))
	if err != nil {
		return err
	}
	defer spool.Close()
	jr := journal.New(st, spool, reg, log)
	journalLoop := supervise.New(ctx, log)
	journalLoop.Go("journal", jr.Run)
	// Interaction records (data security) are batched the same way, and
	// flushed after the gateway has drained.
	interactions := interaction.NewWriter(st, 10000, log)
	sealer, err := interaction.SealerFrom(cfg.DataSecurity, env.Getenv)
	if err != nil {
		return err
	}
	interactions.Sealer = sealer
	// Compliance policies are matched by the writer, off the request
	// path; a change here or on another replica reloads them at once.
	interactions.Policies = st
	loops.Go("compliance-notify", func(ctx context.Context) { st.Listen(ctx, store.ChannelCompliance, interactions.PoliciesChanged, log) })
	droppedInteractions := prometheus.NewCounter(prometheus.CounterOpts{Name: "warden_interactions_dropped_total",
		Help: "Interaction records not kept: the queue was full or the store refused them after retries."})
	reg.MustRegister(droppedInteractions)
	interactions.OnDrop = droppedInteractions.Inc
	journalLoop.Go("interactions", interactions.Run)
	// The dashboard's traffic counts, flushed the same way.
	counts := traffic.NewCounter(st, log)
	journalLoop.Go("traffic", counts.Run)
	defer journalLoop.Stop()
	tracer, stopTracing, err := newTracer(ctx, cfg.Tracing)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopTracing(sctx) //nolint:errcheck // traces are best effort at exit
	}()
	gw, err := gateway.New(gateway.Options{
		Tracer:       tracer,
		Config:       cfg,
		Pipeline:     pipeline,
		Settings:     settings,
		Recorder:     jr,
		Interactions: interactions,
		Baseline:     st,
		Verifier:     identity.NewVerifier(issuers),
		Access:       access,
		Behave:       newBehaviour(cfg, st, loops, log),
		Recon:        recon,
		Suppress:     supp.Rules,
		Policies:     policies,
		Traffic:      counts,
		Metrics:      gateway.NewMetrics(reg),
		Log:          log,
	})
	if err != nil {
		return err
	}

	if len(cfg.Models.Sources) > 0 {
		d, err := detect.DefaultSecrets()
		if err != nil {
			return err
		}
		o := modelscan.Options{Secrets: secretAdapter{d}}
		if cfg.Models.Clamd != "" {
			o.AV = &modelscan.Clamd{Addr: cfg.Models.Clamd}
		}
		w := &registry.Watcher{Sources: registry.SourcesFrom(cfg.Models.Sources), Store: st, Settings: settings, Scanner: modelscan.New(o),
			Every: cfg.Models.Every, Rescan: cfg.Models.Rescan, Log: log, Suppress: supp.Rules}
		leaders.Go("registry", w.Run)
	}

	deadSince, err := export.Start(leaders, cfg.Export.Sinks, st, reg, export.Env{Stdout: env.Stdout, Log: log})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	var positions []string
	for _, k := range cfg.Export.Sinks {
		positions = append(positions, export.Position(k.Name))
	}
	retain := &store.Retainer{Store: st, Sinks: positions, Log: log,
		Retention: store.Retention{Alerts: cfg.Retention.Alerts, Audit: cfg.Retention.Audit, Outbox: cfg.Retention.Outbox},
		Lifecycle: lifecyclePolicies(cfg.Retention)}
	leaders.Go("retention", retain.Run)
	risk := &insider.Job{Store: st, Log: log}
	leaders.Go("insider-risk", risk.Run)

	var draining atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	unready := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "warden_unready",
		Help: "1 while a readiness check fails (store_write, journal, spool, sink:<name>), as of the last /readyz."}, []string{"check"})
	reg.MustRegister(unready)
	mux.Handle("GET /readyz", &health.Readiness{Draining: &draining, Write: st.CheckWrite, Journal: jr, DeadSince: deadSince, Unready: unready})
	var tokens []api.Token
	for _, t := range cfg.API.Tokens {
		tokens = append(tokens, api.Token{Name: t.Name, Role: t.Role, Token: t.Token, Subscriptions: t.Subscriptions, Scopes: t.Scopes})
	}
	auth := api.NewAuth(tokens)
	signer, err := signin.New(ctx, st, cfg.API.SignIn, func(ctx context.Context, who, action, detail string) {
		if err := st.Audit(context.WithoutCancel(ctx), store.AuditEvent{At: time.Now().UTC(), Principal: who, Action: action, Target: "signin", Detail: detail}); err != nil {
			log.Error("audit entry not written", "action", action, "err", err)
		}
	}, log)
	if err != nil {
		return err
	}
	if signer != nil {
		auth.WithSessions(signer)
		mux.Handle("/auth/", signer.Handler())
	}
	var metrics http.Handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	if cfg.API.ProtectMetrics {
		metrics = auth.Scoped(api.ScopeMetrics, metrics)
	}
	mux.Handle("GET /metrics", metrics)
	var sinks []string
	for _, k := range cfg.Export.Sinks {
		sinks = append(sinks, k.Name)
	}
	mux.Handle("/api/", api.New(st, log, api.Options{Auth: auth, Changed: settings.Invalidate,
		Suppress: supp.Rules, SuppressionsChanged: supp.Changed, Sinks: sinks, Sealer: sealer,
		PoliciesChanged: interactions.PoliciesChanged, PolicyChanged: policies.Changed, Detectors: pipeline.Detectors(), Routed: routedSubscriptions(cfg)}))
	mux.Handle("/portal/", auth.LocalGuard(portal.Handler("/portal/")))
	mux.Handle("GET /portal", http.RedirectHandler("/portal/", http.StatusMovedPermanently))
	mux.Handle("POST /contentsafety/text:shieldPrompt", auth.Scoped(api.ScopeShield,
		shield.Handler(pipeline, scan.Policy{FlagAt: cfg.Scan.FlagAt, BlockAt: cfg.Scan.BlockAt})))
	mux.Handle("/", gw)

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		// No WriteTimeout: it would cut long streams. Streams are bounded
		// by the upstream idle timeout instead.
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	log.Info("warden listening", "addr", ln.Addr().String(), "data_dir", cfg.DataDir, "demo", demoMode)
	fmt.Fprintf(env.Stdout, "Warden %s listening on http://%s (data in %s)\n", version(), ln.Addr(), cfg.DataDir)
	fmt.Fprintf(env.Stdout, "Portal: http://%s/portal/\n", ln.Addr())
	if demoMode {
		fmt.Fprintf(env.Stdout, "Demo mode: every API goes to a built-in mock model; subscription %q is in block mode.\n", "demo")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	draining.Store(true)
	log.Info("shutting down: letting requests and streams finish", "grace", cfg.Limits.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Limits.ShutdownGrace)
	defer cancel()
	shutdownErr := srv.Shutdown(sctx)
	if err := gw.Close(sctx); err != nil {
		log.Warn("detect-mode work left unscanned at shutdown", "err", err)
	}
	if shutdownErr != nil && !errors.Is(shutdownErr, context.DeadlineExceeded) {
		return shutdownErr
	}
	return nil
}

// newPipeline builds the scan pipeline a configuration describes: its
// detectors and their options, and its allow-list.
func newPipeline(cfg *config.Config) (*scan.Pipeline, error) { return newPipelineWith(cfg, nil) }

// newPipelineWith builds the pipeline with a phishing detector that threat
// intelligence feeds keep up to date (nil: none).
func newPipelineWith(cfg *config.Config, phishing *detect.Phishing) (*scan.Pipeline, error) {
	o, err := detect.OptionsFrom(cfg.Scan)
	if err != nil {
		return nil, err
	}
	if phishing != nil && intel.HasPhishing(cfg.Intel.Feeds) {
		o.Phishing = phishing
	}
	if ps := cfg.Scan.PromptShields; ps.URL != "" {
		o.Extra = append(o.Extra, &shieldclient.Remote{URL: ps.URL, Key: ps.Key, Timeout: ps.Timeout, FailClosed: ps.FailClosed})
	}
	detectors, err := detect.Build(cfg.Scan.Detectors, o)
	if err != nil {
		return nil, err
	}
	p := scan.NewPipeline(detectors...)
	if j := cfg.Scan.Judge; j.URL != "" {
		band := j.Band
		if len(band) != 2 {
			band = []float64{0.3, 0.8}
		}
		p.WithJudge(&judge.Remote{Kind: j.Kind, URL: j.URL, Model: j.Model, Key: j.Key, Timeout: j.Timeout,
			FailClosed: j.FailClosed, PerMinute: j.PerMinute, AttackLabels: j.AttackLabels}, band[0], band[1])
	}
	for _, a := range cfg.Scan.Allow {
		re, err := regexp.Compile(a)
		if err != nil {
			return nil, fmt.Errorf("scan.allow %q: %w", a, err)
		}
		p.Allow(re)
	}
	return p, nil
}

// known is what configuration is validated against: each component's
// catalogue of the names it accepts.
func known() []config.Option {
	return []config.Option{config.WithDetectors(detect.Names()), config.WithSinks(export.Kinds()),
		config.WithFeeds(intel.Kinds()), config.WithSensitive(detect.CheckSensitive)}
}

// routedSubscriptions are the subscriptions the configured routes send
// traffic to.
func routedSubscriptions(cfg *config.Config) []string {
	var out []string
	for _, r := range cfg.Routes {
		out = append(out, r.Subscription)
	}
	return out
}

// seedPolicies are the configuration file's policies, each checked as the
// API checks one: a bad one stops the start with what is wrong.
func seedPolicies(cfg *config.Config, detectors []string) ([]policy.Policy, error) {
	var out []policy.Policy
	for i, c := range cfg.Policies {
		// The file's form has policy.Policy's fields under the same
		// names: JSON carries one to the other.
		b, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		var p policy.Policy
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, err
		}
		if err := policyset.Check(p, detectors); err != nil {
			return nil, fmt.Errorf("policies[%d] (%s): %w", i, c.ID, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func seedSettings(cfg *config.Config) []subscription.Settings {
	out := make([]subscription.Settings, len(cfg.Subscriptions))
	for i, s := range cfg.Subscriptions {
		out[i] = subscription.Settings{ID: s.ID, Name: s.Name, Plan: s.Plan, Mode: subscription.Mode(s.Mode),
			PromptEvidence: s.PromptEvidence, DataSecurity: s.DataSecurity, ModelSecurity: s.ModelSecurity, Sensitivity: s.Sensitivity,
			Redact: append([]string{}, s.Redact...), Capture: s.Capture}
	}
	return out
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// elected runs each job on the replica the store elects for it
// (store.Lead): with PostgreSQL one replica at a time, with SQLite here.
type elected struct {
	g   *supervise.Group
	st  *store.Store
	log *slog.Logger
}

// Go implements export.Runner.
func (e elected) Go(name string, fn func(ctx context.Context)) {
	e.g.Go(name, func(ctx context.Context) { e.st.Lead(ctx, name, fn, e.log) })
}

// newBehaviour builds abuse detection from configuration (nil when off).
// With a store replicas share (PostgreSQL), identical requests are counted
// in it, so a wallet attack spread over replicas is seen whole.
func newBehaviour(cfg *config.Config, st *store.Store, loops *supervise.Group, log *slog.Logger) gateway.Behaviour {
	b := cfg.Behaviour
	if b.Disabled {
		return nil
	}
	a := behaviour.New(behaviour.Config{DuplicateWindow: b.DuplicateWindow, DuplicateThreshold: b.DuplicateThreshold,
		VolumeFactor: b.VolumeFactor, WarmUp: b.WarmUpBuckets, Learning: b.Learning, MaxKeys: b.MaxKeys,
		MinTokens: b.MinTokens, ReconThreshold: b.ReconThreshold, ReconWindow: b.ReconWindow}, nil)
	if cfg.Store.URL != "" {
		counts := st.NewCounts(250 * time.Millisecond)
		loops.Go("behaviour-counts", func(ctx context.Context) { counts.Run(ctx, log) })
		a.WithCounter(storeCounter{st, counts}).WithHabits(storeCounter{st, counts})
	}
	return a
}

// storeCounter adapts the store's shared counts to behaviour.Counter:
// counting never waits on the database (store.Counts); claiming an alert,
// once per window, does, bounded.
type storeCounter struct {
	st     *store.Store
	counts *store.Counts
}

const counterWait = 250 * time.Millisecond

func (c storeCounter) Add(key string, start, prev time.Time, n int) (int, int, error) {
	cur, before := c.counts.Add(key, start, prev, n)
	return cur, before, nil
}

func (c storeCounter) Learn(key, value string, now time.Time) (bool, time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), counterWait)
	defer cancel()
	return c.st.Learn(ctx, key, value, now)
}

func (c storeCounter) Values(key string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), counterWait)
	defer cancel()
	return c.st.Values(ctx, key)
}

func (c storeCounter) Claim(key string, start, prev time.Time) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), counterWait)
	defer cancel()
	return c.st.ClaimAlert(ctx, key, start, prev)
}

// reconProbes adapts detect.Recon to the gateway's ProbeFinder.
type reconProbes struct{ r *detect.Recon }

func (p reconProbes) Probes(in *scan.Input) []behaviour.Probe {
	var out []behaviour.Probe
	for _, pr := range p.r.Probes(in) {
		out = append(out, behaviour.Probe{Rule: pr.Rule, Kind: pr.Kind})
	}
	return out
}

// lifecyclePolicies are the interaction records' retention policies: the
// configured ones, then the default for every other interaction.
func lifecyclePolicies(r config.Retention) []store.LifecyclePolicy {
	var out []store.LifecyclePolicy
	for _, p := range r.InteractionPolicies {
		out = append(out, store.LifecyclePolicy{Subscription: p.Subscription, Application: p.Application, Keep: p.Keep, KeepContent: p.KeepContent})
	}
	return append(out, store.LifecyclePolicy{Keep: r.Interactions})
}
