// Package behaviour finds abuse in how an AI deployment is used rather than
// in what is said: wallet attacks (bursts of identical requests, volume far
// above a learned baseline), access anomalies (a user's new network, user
// agent or authentication method) and anomalous tool invocations (a tool
// an application never called, or called with arguments of a new shape).
// State lives behind the State interface: bounded memory with expiry here,
// a shared store when gateways scale out.
package behaviour

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/scan"
)

// Event is what one interaction tells behaviour analysis.
type Event struct {
	Time         time.Time
	Subscription string
	Resource     string
	Application  string
	User         string
	IP           string
	UserAgent    string
	AuthMethod   string
	RequestHash  uint64 // of the prompt: identical requests hash alike
	Tokens       int    // prompt and completion tokens, or an estimate
	Tools        []Tool
	// Probes are the reconnaissance questions of the prompt (see
	// detect.Recon).
	Probes []Probe
}

// Tool is one tool call of a response: the tool and the top-level keys of
// its JSON arguments.
type Tool struct {
	Name string
	Keys []string
}

// Config tunes the analysis.
type Config struct {
	// DuplicateWindow and DuplicateThreshold: this many identical requests
	// to one resource within the window is a wallet attack (one alert per
	// window).
	DuplicateWindow    time.Duration
	DuplicateThreshold int
	// Bucket is the volume measurement interval; WarmUp the buckets seen
	// before a baseline is trusted; VolumeFactor how many times the
	// baseline a bucket must reach (and MinVolume requests at least).
	Bucket       time.Duration
	WarmUp       int
	VolumeFactor float64
	MinVolume    float64
	// Learning is how long a user's or application's habits are learnt
	// before a new one is an anomaly.
	Learning time.Duration
	// MaxKeys bounds each table; the least recently seen entries go first.
	MaxKeys int
	// MinTokens is the least token volume per bucket that can be an
	// anomaly.
	MinTokens float64
	// ReconThreshold probes of at least two kinds from one user (or
	// address) within ReconWindow are a reconnaissance attempt.
	ReconThreshold int
	ReconWindow    time.Duration
}

// Defaults fills unset fields.
func (c Config) Defaults() Config {
	if c.DuplicateWindow == 0 {
		c.DuplicateWindow = time.Minute
	}
	if c.DuplicateThreshold == 0 {
		c.DuplicateThreshold = 50
	}
	if c.Bucket == 0 {
		c.Bucket = time.Minute
	}
	if c.WarmUp == 0 {
		c.WarmUp = 30
	}
	if c.VolumeFactor == 0 {
		c.VolumeFactor = 10
	}
	if c.MinVolume == 0 {
		c.MinVolume = 60
	}
	if c.MinTokens == 0 {
		c.MinTokens = 50_000
	}
	if c.Learning == 0 {
		c.Learning = 7 * 24 * time.Hour
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = 100_000
	}
	if c.ReconThreshold == 0 {
		c.ReconThreshold = 3
	}
	if c.ReconWindow == 0 {
		c.ReconWindow = time.Hour
	}
	return c
}

// State is where behaviour analysis keeps what it learnt. Update runs f on
// the entry of key (nil when absent) and stores what f returns (nil
// deletes); implementations make it atomic per key.
type State interface {
	Update(key string, now time.Time, f func(old any) any)
}

// Counter keeps counts every replica adds to (the store, when replicas
// share one): a wallet attack spread over replicas is counted whole.
type Counter interface {
	// Add adds n to key's count in the window starting at start and
	// returns that window's count and the previous one's (starting at
	// prev).
	Add(key string, start, prev time.Time, n int) (cur, before int, err error)
	// Claim claims the alert for key's window unless the previous window
	// was claimed: true for exactly one caller across replicas.
	Claim(key string, start, prev time.Time) (bool, error)
}

// Habits are the values every replica has learned per key (the store,
// when replicas share one), so that what one replica has seen is not new
// to another.
type Habits interface {
	// Learn records value under key and reports whether it is new to
	// every replica (true for exactly one caller), and when anyone first
	// learned into key.
	Learn(key, value string, now time.Time) (isNew bool, since time.Time, err error)
	// Values lists what every replica has learned under key.
	Values(key string) ([]string, error)
}

// Analyzer turns events into findings.
type Analyzer struct {
	cfg     Config
	counter Counter
	habits  Habits
	state   State
}

// New returns an analyzer over state (nil: bounded memory).
func New(cfg Config, state State) *Analyzer {
	cfg = cfg.Defaults()
	if state == nil {
		state = NewMemory(cfg.MaxKeys, 30*24*time.Hour)
	}
	return &Analyzer{cfg: cfg, state: state}
}

type dup struct {
	start   time.Time
	n       int
	alerted bool
}

type volume struct {
	bucket  time.Time
	n       float64
	mean    float64
	buckets int
	alerted time.Time
}

type habits struct {
	since time.Time
	seen  map[string]bool
}

func finding(typ, reason string, conf float64) scan.Finding {
	return scan.Finding{Category: scan.CategoryAbuse, Type: typ, Confidence: conf, Severity: scan.SeverityMedium,
		Detector: "behaviour", Part: -1, Reason: reason, Advisory: true}
}

// WithCounter makes identical-request counting shared through c; when c
// fails, counting falls back to this replica's memory.
func (a *Analyzer) WithCounter(c Counter) *Analyzer {
	a.counter = c
	return a
}

// WithHabits makes learned habits (networks, user agents, authentication
// methods, tools, argument shapes) shared through h; when h fails, this
// replica's memory decides.
func (a *Analyzer) WithHabits(h Habits) *Analyzer {
	a.habits = h
	return a
}

// sharedDuplicates counts an identical request in fixed windows of the
// duplicate window shared by all replicas; the count of the window before
// is added so that a burst across a window boundary still counts whole.
// ok is false when the counter failed.
func (a *Analyzer) sharedDuplicates(key string, e Event) (f []scan.Finding, ok bool) {
	start := e.Time.Truncate(a.cfg.DuplicateWindow)
	prev := start.Add(-a.cfg.DuplicateWindow)
	cur, before, err := a.counter.Add(key, start, prev, 1)
	if err != nil {
		return nil, false
	}
	if cur+before < a.cfg.DuplicateThreshold {
		return nil, true
	}
	claimed, err := a.counter.Claim(key, start, prev)
	if err != nil || !claimed {
		return nil, err == nil
	}
	return []scan.Finding{finding("wallet_duplicates", fmt.Sprintf("%d identical requests to %s within %s (counted across replicas)",
		cur+before, e.Resource, 2*a.cfg.DuplicateWindow), 0.85)}, true
}

// Observe records an event and returns what is abnormal about it.
func (a *Analyzer) Observe(e Event) []scan.Finding {
	var out []scan.Finding
	shared := false
	if e.RequestHash != 0 && a.counter != nil {
		key := fmt.Sprintf("dup|%s|%s|%x", e.Subscription, e.Resource, e.RequestHash)
		var fs []scan.Finding
		fs, shared = a.sharedDuplicates(key, e)
		out = append(out, fs...)
	}
	if e.RequestHash != 0 && !shared {
		key := fmt.Sprintf("dup|%s|%s|%x", e.Subscription, e.Resource, e.RequestHash)
		a.state.Update(key, e.Time, func(old any) any {
			d, _ := old.(*dup)
			if d == nil || e.Time.Sub(d.start) > a.cfg.DuplicateWindow {
				d = &dup{start: e.Time}
			}
			d.n++
			if d.n >= a.cfg.DuplicateThreshold && !d.alerted {
				d.alerted = true
				out = append(out, finding("wallet_duplicates", fmt.Sprintf("%d identical requests to %s within %s", d.n, e.Resource, a.cfg.DuplicateWindow), 0.85))
			}
			return d
		})
	}
	for _, m := range []struct {
		name     string
		n, floor float64
	}{{"requests", 1, a.cfg.MinVolume}, {"tokens", float64(e.Tokens), a.cfg.MinTokens}} {
		if m.n > 0 {
			out = append(out, a.volume(e, m.name, m.n, m.floor)...)
		}
	}
	if e.User != "" {
		traits := map[string]string{"ua": e.UserAgent, "auth": e.AuthMethod}
		if ip, err := netip.ParseAddr(e.IP); err == nil {
			bits := 24
			if ip.Is6() && !ip.Is4In6() {
				bits = 48
			}
			p, _ := ip.Unmap().Prefix(bits)
			traits["net"] = p.String()
		}
		names := map[string]string{"ua": "user agent", "auth": "authentication method", "net": "network"}
		for _, k := range []string{"net", "ua", "auth"} {
			v := traits[k]
			if v == "" {
				continue
			}
			a.learn("acc|"+e.Subscription+"|"+e.User+"|"+k, v, e.Time, func() {
				out = append(out, finding("access_anomaly", fmt.Sprintf("user %s used a %s never seen before: %s", e.User, names[k], v), 0.7))
			})
		}
	}
	if f, ok := a.recon(e); ok {
		out = append(out, f)
	}
	app := e.Application
	if app == "" {
		app = e.Resource
	}
	for _, t := range e.Tools {
		if t.Name == "" {
			continue
		}
		a.learn("tool|"+e.Subscription+"|"+app, t.Name, e.Time, func() {
			out = append(out, finding("anomalous_tool", fmt.Sprintf("%s called tool %s for the first time", app, t.Name), 0.7))
		})
		keys := append([]string(nil), t.Keys...)
		sort.Strings(keys)
		a.learn("args|"+e.Subscription+"|"+app+"|"+t.Name, strings.Join(keys, ","), e.Time, func() {
			out = append(out, finding("anomalous_tool", fmt.Sprintf("%s called tool %s with arguments of a new shape: %s", app, t.Name, strings.Join(keys, ", ")), 0.6))
		})
	}
	return out
}

// volume adds n of a measure (requests, tokens) to the current bucket of
// the event's resource and user, and reports a bucket far above the
// moving average once the warm-up is over (and above floor), once per
// bucket. With a shared Counter the bucket holds every replica's count, so
// the moving average and the alert see the deployment's whole traffic,
// and one replica claims the bucket's alert.
func (a *Analyzer) volume(e Event, measure string, n, floor float64) []scan.Finding {
	var out []scan.Finding
	for _, scope := range [][2]string{{"resource", e.Resource}, {"user", e.User}} {
		if scope[1] == "" {
			continue
		}
		key := "vol|" + measure + "|" + e.Subscription + "|" + scope[0] + "|" + scope[1]
		b := e.Time.Truncate(a.cfg.Bucket)
		var f *scan.Finding
		a.state.Update(key, e.Time, func(old any) any {
			v, _ := old.(*volume)
			if v == nil {
				v = &volume{bucket: b}
			}
			if b.After(v.bucket) {
				// Close the bucket (and the empty ones since) into the
				// moving average.
				gaps := int(b.Sub(v.bucket) / a.cfg.Bucket)
				for i := 0; i < min(gaps, 1000); i++ {
					x := v.n
					if i > 0 {
						x = 0
					}
					if v.buckets == 0 {
						v.mean = x
					} else {
						v.mean += 0.1 * (x - v.mean)
					}
					v.buckets++
				}
				v.bucket, v.n = b, 0
			}
			v.n += n
			if a.counter != nil {
				if cur, _, err := a.counter.Add(key, b, b.Add(-a.cfg.Bucket), int(n)); err == nil {
					v.n = max(v.n, float64(cur))
				}
			}
			limit := math.Max(floor, a.cfg.VolumeFactor*v.mean)
			if v.buckets >= a.cfg.WarmUp && v.n > limit && !v.alerted.Equal(b) {
				v.alerted = b
				x := finding("wallet_volume", fmt.Sprintf("%s %s: %.0f %s this %s against a baseline of %.1f", scope[0], scope[1], v.n, measure, a.cfg.Bucket, v.mean), 0.8)
				f = &x
			}
			return v
		})
		if f == nil {
			continue
		}
		// Claimed outside the state's lock: it may wait on the database.
		if a.counter != nil {
			if ok, err := a.counter.Claim(key, b, time.Time{}); err == nil && !ok {
				continue // another replica raised this bucket's alert
			}
		}
		out = append(out, *f)
	}
	return out
}

// learn adds value to the habits under key; onNew runs when the value is
// new and the learning period is over.
func (a *Analyzer) learn(key, value string, now time.Time, onNew func()) {
	locallyNew := false
	var since time.Time
	a.state.Update(key, now, func(old any) any {
		h, _ := old.(*habits)
		if h == nil {
			h = &habits{since: now, seen: map[string]bool{}}
		}
		if !h.seen[value] {
			locallyNew = true
			if len(h.seen) < 256 {
				h.seen[value] = true
			}
		}
		since = h.since
		return h
	})
	if !locallyNew {
		return
	}
	// Asked outside the state's lock: it may wait on the database.
	if a.habits != nil {
		if isNew, shared, err := a.habits.Learn(key, value, now); err == nil {
			if isNew && now.Sub(shared) >= a.cfg.Learning {
				onNew()
			}
			return
		}
	}
	if now.Sub(since) >= a.cfg.Learning {
		onNew()
	}
}

// Memory is State in bounded memory: at most max keys, the least recently
// updated evicted first, entries idle longer than ttl dropped.
type Memory struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	items map[string]*item
	head  *item // most recent
	tail  *item
}

type item struct {
	key        string
	v          any
	at         time.Time
	prev, next *item
}

// NewMemory returns a bounded in-memory state.
func NewMemory(max int, ttl time.Duration) *Memory {
	return &Memory{max: max, ttl: ttl, items: map[string]*item{}}
}

// Len returns the number of keys held.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Update implements State.
func (m *Memory) Update(key string, now time.Time, f func(old any) any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.items[key]
	var old any
	if it != nil && now.Sub(it.at) <= m.ttl {
		old = it.v
	}
	v := f(old)
	if it != nil {
		m.unlink(it)
		delete(m.items, key)
	}
	if v == nil {
		return
	}
	it = &item{key: key, v: v, at: now}
	m.items[key] = it
	m.pushFront(it)
	for len(m.items) > m.max && m.tail != nil {
		t := m.tail
		m.unlink(t)
		delete(m.items, t.key)
	}
}

func (m *Memory) pushFront(it *item) {
	it.next = m.head
	if m.head != nil {
		m.head.prev = it
	}
	m.head = it
	if m.tail == nil {
		m.tail = it
	}
}

func (m *Memory) unlink(it *item) {
	if it.prev != nil {
		it.prev.next = it.next
	} else {
		m.head = it.next
	}
	if it.next != nil {
		it.next.prev = it.prev
	} else {
		m.tail = it.prev
	}
	it.prev, it.next = nil, nil
}
