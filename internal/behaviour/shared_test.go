package behaviour

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// memCounter is a Counter shared by several analyzers, as the store is by
// replicas.
type memCounter struct {
	mu      sync.Mutex
	n       map[string]int
	claimed map[string]bool
	fail    bool
}

func (c *memCounter) Add(key string, start, prev time.Time, n int) (int, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail {
		return 0, 0, errors.New("store down")
	}
	c.n[key+start.String()] += n
	return c.n[key+start.String()], c.n[key+prev.String()], nil
}

func (c *memCounter) Claim(key string, start, prev time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.claimed[key+prev.String()] || c.claimed[key+start.String()] {
		return false, nil
	}
	c.claimed[key+start.String()] = true
	return true, nil
}

// TestWalletAcrossReplicas spreads 60 identical requests over three
// analyzers (replicas), 20 each, against a threshold of 50: none would
// alert alone; sharing a counter, exactly one does. When the counter
// fails, each falls back to its own memory.
func TestWalletAcrossReplicas(t *testing.T) {
	cfg := Config{DuplicateWindow: time.Minute, DuplicateThreshold: 50}
	t0 := time.Date(2026, 12, 5, 12, 0, 10, 0, time.UTC)
	run := func(c Counter) int {
		replicas := threeReplicas(cfg, c, nil)
		alerts := 0
		for i := range 60 {
			e := Event{Time: t0.Add(time.Duration(i) * 500 * time.Millisecond), Subscription: "s", Resource: "gpt", RequestHash: 0xfeed}
			for _, f := range replicas[i%3].Observe(e) {
				if f.Type == "wallet_duplicates" {
					alerts++
				}
			}
		}
		return alerts
	}
	if got := run(nil); got != 0 {
		t.Errorf("replicas counting alone: %d alerts, want 0 (20 each, threshold 50)", got)
	}
	if got := run(&memCounter{n: map[string]int{}, claimed: map[string]bool{}}); got != 1 {
		t.Errorf("replicas sharing a counter: %d alerts, want exactly 1", got)
	}
	if got := run(&memCounter{n: map[string]int{}, claimed: map[string]bool{}, fail: true}); got != 0 {
		t.Errorf("counter down: %d alerts, want each replica on its own (0)", got)
	}
}

// TestVolumeAcrossReplicas: steady traffic of 6 a minute spread over three
// replicas, then a spike of 90 in a minute spread the same way. Each
// replica alone sees 30 against a baseline of 2 (under its floor of 40);
// sharing counts, the deployment's 90 against a baseline of 6 is seen,
// and raised once.
func TestVolumeAcrossReplicas(t *testing.T) {
	cfg := Config{Bucket: time.Minute, WarmUp: 30, VolumeFactor: 10, MinVolume: 40}
	run := func(c Counter) int {
		replicas := threeReplicas(cfg, c, nil)
		j, got := 0, 0
		observe := func(at time.Time) {
			for _, f := range replicas[j%3].Observe(Event{Time: at, Subscription: "s", Resource: "r", RequestHash: uint64(j + 1)}) {
				if f.Type == "wallet_volume" {
					got++
				}
			}
			j++
		}
		for m := range 40 {
			for i := range 6 {
				observe(t0.Add(time.Duration(m)*time.Minute + time.Duration(i)*5*time.Second))
			}
		}
		if got != 0 {
			t.Fatalf("steady traffic: %d volume findings", got)
		}
		spike := t0.Add(41 * time.Minute)
		for i := range 90 {
			observe(spike.Add(time.Duration(i) * 500 * time.Millisecond))
		}
		return got
	}
	if got := run(nil); got != 0 {
		t.Errorf("replicas alone: %d volume alerts, want 0 (30 each, under the floor of 40)", got)
	}
	if got := run(&memCounter{n: map[string]int{}, claimed: map[string]bool{}}); got != 1 {
		t.Errorf("replicas sharing counts: %d volume alerts, want exactly 1", got)
	}
}

// memHabits is a Habits store shared by several analyzers.
type memHabits struct {
	mu    sync.Mutex
	seen  map[string]bool
	since map[string]time.Time
}

func (h *memHabits) Learn(key, value string, now time.Time) (bool, time.Time, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.since[key]; !ok {
		h.since[key] = now
	}
	isNew := !h.seen[key+"\x00"+value]
	h.seen[key+"\x00"+value] = true
	return isNew, h.since[key], nil
}

func (h *memHabits) Values(key string) ([]string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for kv := range h.seen {
		if k, v, _ := strings.Cut(kv, "\x00"); k == key {
			out = append(out, v)
		}
	}
	return out, nil
}

// TestReconAcrossReplicas: four probes of three kinds from one user, spread
// over three replicas in turn: none alone reaches the threshold of three
// probes; sharing, one replica raises it, once.
func TestReconAcrossReplicas(t *testing.T) {
	cfg := Config{ReconThreshold: 3, ReconWindow: time.Hour}
	run := func(shared bool) int {
		c := &memCounter{n: map[string]int{}, claimed: map[string]bool{}}
		h := &memHabits{seen: map[string]bool{}, since: map[string]time.Time{}}
		replicas := threeReplicas(cfg, nil, nil)
		if shared {
			replicas = threeReplicas(cfg, c, h)
		}
		got := 0
		probes := []Probe{{Rule: "r1", Kind: "system_prompt"}, {Rule: "r2", Kind: "tools"}, {Rule: "r1", Kind: "system_prompt"}, {Rule: "r3", Kind: "model"}}
		for i, p := range probes {
			e := Event{Time: t0.Add(time.Duration(i) * time.Minute), Subscription: "s", Resource: "r", User: "mallory", Probes: []Probe{p}}
			for _, f := range replicas[i%3].Observe(e) {
				if f.Type == "llm_reconnaissance" {
					got++
				}
			}
		}
		return got
	}
	if got := run(false); got != 0 {
		t.Errorf("replicas alone: %d reconnaissance alerts, want 0 (at most two probes each)", got)
	}
	if got := run(true); got != 1 {
		t.Errorf("replicas sharing: %d reconnaissance alerts, want exactly 1", got)
	}
}

// TestHabitsAcrossReplicas: a user's network learned on one replica is
// not new on another; a network new to all of them raises one alert,
// wherever it shows up next.
func TestHabitsAcrossReplicas(t *testing.T) {
	cfg := Config{Learning: time.Hour}
	run := func(h Habits) []string {
		replicas := threeReplicas(cfg, nil, h)
		var got []string
		observe := func(r int, at time.Time, ip string) {
			for _, f := range replicas[r].Observe(Event{Time: at, Subscription: "s", Resource: "r", User: "alice", IP: ip}) {
				if f.Type == "access_anomaly" {
					got = append(got, f.Reason)
				}
			}
		}
		observe(0, t0, "10.1.0.5")                    // learning, on replica 0
		observe(1, t0.Add(2*time.Hour), "10.1.0.9")   // same /24, on replica 1
		observe(2, t0.Add(3*time.Hour), "172.16.4.4") // new to everyone
		observe(0, t0.Add(3*time.Hour+time.Minute), "172.16.4.4")
		observe(1, t0.Add(3*time.Hour+2*time.Minute), "172.16.4.4")
		return got
	}
	// Alone, each replica learns from its own first event: the new network
	// is raised by replicas 0 and 1 (past their learning), not 2 (just
	// started).
	if got := run(nil); len(got) != 2 {
		t.Errorf("replicas alone: %d alerts (%v), want 2: the same new network raised twice", len(got), got)
	}
	if got := run(&memHabits{seen: map[string]bool{}, since: map[string]time.Time{}}); len(got) != 1 {
		t.Errorf("replicas sharing habits: %d alerts %v, want exactly 1 (the network new to all)", len(got), got)
	}
}

// threeReplicas are three analyzers sharing c and h (each nil: not
// shared), as three replicas on one store.
func threeReplicas(cfg Config, c Counter, h Habits) []*Analyzer {
	var out []*Analyzer
	for range 3 {
		a := New(cfg, nil)
		if c != nil {
			a.WithCounter(c)
		}
		if h != nil {
			a.WithHabits(h)
		}
		out = append(out, a)
	}
	return out
}
