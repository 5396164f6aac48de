// Package intel is Warden's offline threat intelligence: feeds of Tor exit
// nodes, IP and network deny lists, suspicious user-agent patterns and
// phishing domains, loaded from files or HTTP(S) URLs, validated, refreshed
// on a schedule and swapped in atomically (a malformed feed leaves the last
// good one in place and counts an error). It turns a request's source
// address and user agent into findings.
package intel

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	regexp "github.com/wasilibs/go-re2"

	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/scan"
)

// Kinds of feeds.
const (
	KindTor       = "tor"
	KindIP        = "ip"
	KindUserAgent = "user_agent"
	KindPhishing  = "phishing"
)

// Feed is one configured feed.
type Feed struct {
	Name    string
	Kind    string
	Source  string        // a file path or an http(s) URL
	Refresh time.Duration // 0: loaded once
}

// Intel holds the current feeds.
type Intel struct {
	feeds    []Feed
	phishing *detect.Phishing
	log      *slog.Logger
	client   *http.Client

	mu  sync.Mutex // guards the maps below
	ips map[string]*atomic.Pointer[IPSet]
	uas map[string]*atomic.Pointer[uaSet]

	loaded  *prometheus.GaugeVec
	entries *prometheus.GaugeVec
	errors  *prometheus.CounterVec
	last    sync.Map // feed name -> time.Time of the last good load

	// shared, when set, keeps what the elected replica fetched for the
	// others (WithShared).
	shared  Shared
	fetched sync.Map // feed name -> time.Time the version in use was fetched
}

type uaSet struct {
	re       *regexp.Regexp
	patterns []string
}

// New loads every feed once; a feed that fails to load the first time is
// an error (Warden does not start half-protected without saying so).
// phishing receives the phishing feeds; reg, when set, gets the metrics.
func New(ctx context.Context, feeds []Feed, phishing *detect.Phishing, reg prometheus.Registerer, log *slog.Logger) (*Intel, error) {
	in := &Intel{feeds: feeds, phishing: phishing, log: log, client: &http.Client{Timeout: time.Minute},
		ips: map[string]*atomic.Pointer[IPSet]{}, uas: map[string]*atomic.Pointer[uaSet]{},
		loaded:  prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "warden_intel_feed_loaded_timestamp_seconds", Help: "When each threat-intelligence feed last loaded successfully (its age is now minus this)."}, []string{"feed"}),
		entries: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "warden_intel_feed_entries", Help: "Entries (ranges, patterns, domains) in each feed."}, []string{"feed"}),
		errors:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warden_intel_feed_errors_total", Help: "Failed loads of each feed; the last good version stays in use."}, []string{"feed"}),
	}
	if reg != nil {
		reg.MustRegister(in.loaded, in.entries, in.errors)
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "warden_intel_oldest_feed_age_seconds", Help: "Age of the oldest threat-intelligence feed."}, in.oldestAge))
	}
	for _, f := range feeds {
		switch f.Kind {
		case KindTor, KindIP:
			in.ips[f.Name] = &atomic.Pointer[IPSet]{}
		case KindUserAgent:
			in.uas[f.Name] = &atomic.Pointer[uaSet]{}
		case KindPhishing:
			if phishing == nil {
				return nil, fmt.Errorf("feed %s: phishing feeds need the phishing detector", f.Name)
			}
		default:
			return nil, fmt.Errorf("feed %s: kind %q (tor, ip, user_agent, phishing)", f.Name, f.Kind)
		}
		if err := in.Load(ctx, f); err != nil {
			return nil, err
		}
	}
	return in, nil
}

func (in *Intel) oldestAge() float64 {
	oldest := 0.0
	in.last.Range(func(_, v any) bool {
		oldest = max(oldest, time.Since(v.(time.Time)).Seconds())
		return true
	})
	return oldest
}

// Run refreshes each feed on its schedule until ctx ends.
func (in *Intel) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, f := range in.feeds {
		if f.Refresh <= 0 {
			continue
		}
		wg.Add(1)
		go func(f Feed) {
			defer wg.Done()
			t := time.NewTicker(f.Refresh)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if err := in.Load(ctx, f); err != nil {
						in.log.Warn("threat intelligence feed kept its last version", "feed", f.Name, "err", err)
					}
				}
			}
		}(f)
	}
	wg.Wait()
}

// Load fetches, validates and swaps in one feed. On any error the feed
// keeps its last good version and the error counter goes up.
func (in *Intel) Load(ctx context.Context, f Feed) error {
	err := in.load(ctx, f)
	if err != nil {
		in.errors.WithLabelValues(f.Name).Inc()
		return fmt.Errorf("feed %s: %w", f.Name, err)
	}
	now := time.Now()
	in.last.Store(f.Name, now)
	in.loaded.WithLabelValues(f.Name).Set(float64(now.Unix()))
	return nil
}

func (in *Intel) load(ctx context.Context, f Feed) error {
	b, err := in.fetch(ctx, f.Source)
	if err != nil {
		return err
	}
	if err := in.apply(f, b); err != nil {
		return err
	}
	at := time.Now()
	in.fetched.Store(f.Name, at)
	if in.shared != nil {
		return in.shared.PutFeed(ctx, f.Name, b, at)
	}
	return nil
}

// apply validates a feed's bytes and swaps them in.
func (in *Intel) apply(f Feed, b []byte) error {
	switch f.Kind {
	case KindTor, KindIP:
		s, err := ReadIPSet(bytes.NewReader(b))
		if err != nil {
			return err
		}
		if s.Len() == 0 {
			return fmt.Errorf("no entries")
		}
		in.ips[f.Name].Store(s)
		in.entries.WithLabelValues(f.Name).Set(float64(s.Len()))
	case KindUserAgent:
		var pats []string
		for n, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' {
				continue
			}
			if _, err := regexp.Compile(line); err != nil {
				return fmt.Errorf("line %d: %w", n+1, err)
			}
			pats = append(pats, "(?i)(?:"+line+")")
		}
		if len(pats) == 0 {
			return fmt.Errorf("no patterns")
		}
		re, err := regexp.Compile(strings.Join(pats, "|"))
		if err != nil {
			return err
		}
		in.uas[f.Name].Store(&uaSet{re: re, patterns: pats})
		in.entries.WithLabelValues(f.Name).Set(float64(len(pats)))
	case KindPhishing:
		p, err := detect.ReadPhishing(bytes.NewReader(b))
		if err != nil {
			return err
		}
		if p.Len() == 0 {
			return fmt.Errorf("no domains")
		}
		in.phishing.Replace(p)
		in.entries.WithLabelValues(f.Name).Set(float64(p.Len()))
	}
	return nil
}

// fetch reads a feed's bytes (at most 256 MiB) from a file or a URL.
func (in *Intel) fetch(ctx context.Context, src string) ([]byte, error) {
	const limit = 256 << 20
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, err
		}
		resp, err := in.client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", src, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, limit))
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// CheckAccess returns findings for a request from ip with user agent ua:
// a Tor exit, an address on a deny list, a suspicious user agent.
func (in *Intel) CheckAccess(ip, ua string) []scan.Finding {
	var out []scan.Finding
	if a, err := netip.ParseAddr(ip); err == nil {
		for _, f := range in.feeds {
			p := in.ips[f.Name]
			if p == nil || !p.Load().Contains(a) {
				continue
			}
			typ, reason := "suspicious_ip", "address "+ip+" is on the deny list "+f.Name
			if f.Kind == KindTor {
				typ, reason = "tor_ip", "address "+ip+" is a Tor exit node ("+f.Name+")"
			}
			out = append(out, scan.Finding{Category: scan.CategoryThreatIntel, Type: typ, Confidence: 0.9,
				Severity: scan.SeverityHigh, Detector: "intel", Part: -1, Reason: reason, Advisory: true})
		}
	}
	if ua != "" {
		for _, f := range in.feeds {
			p := in.uas[f.Name]
			if p == nil {
				continue
			}
			if s := p.Load(); s != nil && s.re.MatchString(ua) {
				out = append(out, scan.Finding{Category: scan.CategoryThreatIntel, Type: "suspicious_user_agent",
					Confidence: 0.8, Severity: scan.SeverityMedium, Detector: "intel", Part: -1, Advisory: true,
					Reason: "user agent matches a pattern of " + f.Name})
			}
		}
	}
	return out
}
