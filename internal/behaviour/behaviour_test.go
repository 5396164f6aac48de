package behaviour

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func types(fs []string) string { return fmt.Sprint(fs) }

// TestWalletBurst: a burst of identical requests raises one finding, not
// hundreds.
func TestWalletBurst(t *testing.T) {
	a := New(Config{DuplicateThreshold: 50, DuplicateWindow: time.Minute}, nil)
	n := 0
	for i := range 500 {
		fs := a.Observe(Event{Time: t0.Add(time.Duration(i) * 100 * time.Millisecond), Subscription: "s", Resource: "r", RequestHash: 42})
		for _, f := range fs {
			if f.Type == "wallet_duplicates" {
				n++
			}
		}
	}
	if n != 1 {
		t.Errorf("500 identical requests in 50 s: %d findings, want 1", n)
	}
	// Different requests do not add up.
	a = New(Config{DuplicateThreshold: 50}, nil)
	for i := range 500 {
		if fs := a.Observe(Event{Time: t0, Subscription: "s", Resource: "r", RequestHash: uint64(i + 1)}); len(fs) > 0 {
			t.Fatalf("distinct requests: %v", fs)
		}
	}
}

// TestVolumeAnomaly: a resource at a steady rate for the warm-up, then ten
// times more in one minute.
func TestVolumeAnomaly(t *testing.T) {
	a := New(Config{Bucket: time.Minute, WarmUp: 30, VolumeFactor: 10, MinVolume: 20}, nil)
	at := t0
	count := 0
	for m := range 60 {
		for i := range 5 {
			fs := a.Observe(Event{Time: at.Add(time.Duration(m)*time.Minute + time.Duration(i)*time.Second), Subscription: "s", Resource: "r", RequestHash: uint64(m*10 + i + 1)})
			count += len(fs)
		}
	}
	if count != 0 {
		t.Fatalf("steady traffic: %d findings", count)
	}
	spike := at.Add(61 * time.Minute)
	var got int
	for i := range 200 {
		for _, f := range a.Observe(Event{Time: spike.Add(time.Duration(i) * 100 * time.Millisecond), Subscription: "s", Resource: "r", RequestHash: uint64(10000 + i)}) {
			if f.Type == "wallet_volume" {
				got++
			}
		}
	}
	if got != 1 {
		t.Errorf("a spike of 200 in a minute against a baseline of 5: %d findings, want 1", got)
	}
}

// TestTokenVolume: the same number of requests, each far longer: the token
// volume is the anomaly (a wallet attack with huge prompts), the request
// count is not.
func TestTokenVolume(t *testing.T) {
	a := New(Config{Bucket: time.Minute, WarmUp: 30, VolumeFactor: 10, MinVolume: 20, MinTokens: 10_000}, nil)
	var reasons []string
	for m := range 62 {
		tokens := 500
		if m == 61 {
			tokens = 30_000
		}
		for i := range 5 {
			for _, f := range a.Observe(Event{Time: t0.Add(time.Duration(m)*time.Minute + time.Duration(i)*time.Second), Subscription: "s", Resource: "r",
				RequestHash: uint64(m*10 + i + 1), Tokens: tokens}) {
				if f.Type == "wallet_volume" {
					reasons = append(reasons, f.Reason)
				}
			}
		}
	}
	if len(reasons) != 1 || !strings.Contains(reasons[0], "tokens this 1m0s against a baseline of 2500.0") {
		t.Errorf("findings %q, want one about the resource's tokens against its baseline", reasons)
	}
}

// TestAccessAndTools: after the learning period, a new network, user
// agent, tool or argument shape is an anomaly; during it, nothing is.
func TestAccessAndTools(t *testing.T) {
	a := New(Config{Learning: time.Hour}, nil)
	ev := Event{Time: t0, Subscription: "s", Resource: "r", Application: "app", User: "alice", IP: "203.0.113.7",
		UserAgent: "app/1.0", AuthMethod: "jwt", Tools: []Tool{{Name: "search", Keys: []string{"query"}}}}
	if fs := a.Observe(ev); len(fs) != 0 {
		t.Fatalf("first sight during learning: %v", fs)
	}
	ev.Time = t0.Add(2 * time.Hour)
	ev.IP = "203.0.113.99" // same /24
	if fs := a.Observe(ev); len(fs) != 0 {
		t.Fatalf("known habits: %v", fs)
	}
	ev.IP = "198.51.100.1"
	ev.Tools = []Tool{{Name: "send_email", Keys: []string{"to", "body"}}, {Name: "search", Keys: []string{"query", "exfil_url"}}}
	var got []string
	for _, f := range a.Observe(ev) {
		got = append(got, f.Type+": "+f.Reason)
	}
	// A new network, a new tool (whose argument shapes start being
	// learnt now), and a new argument shape for a known tool.
	if len(got) != 3 {
		t.Errorf("findings %q, want a new network, a new tool and a new argument shape", got)
	}
}

func TestMemoryBounded(t *testing.T) {
	m := NewMemory(100, time.Hour)
	for i := range 1000 {
		m.Update(fmt.Sprint(i), t0, func(any) any { return i })
	}
	if m.Len() != 100 {
		t.Errorf("%d keys held, want 100", m.Len())
	}
	var old any = "unset"
	m.Update("999", t0.Add(2*time.Hour), func(o any) any { old = o; return 1 })
	if old != nil {
		t.Errorf("an entry past its ttl came back: %v", old)
	}
}
