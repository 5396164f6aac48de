package behaviour

import (
	"strings"
	"testing"
	"time"
)

func TestRecon(t *testing.T) {
	tools := Probe{Rule: "recon.tools-enumeration", Kind: "tools"}
	guard := Probe{Rule: "recon.guardrails", Kind: "guardrails"}
	env := Probe{Rule: "recon.environment", Kind: "environment"}
	type step struct {
		after  time.Duration
		user   string
		probes []Probe
		want   bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"one curious question", []step{{0, "u", []Probe{tools}, false}}},
		{"the same kind over and over", []step{{0, "u", []Probe{tools}, false}, {time.Minute, "u", []Probe{tools}, false}, {2 * time.Minute, "u", []Probe{tools}, false}, {3 * time.Minute, "u", []Probe{tools}, false}}},
		{"a sweep", []step{{0, "u", []Probe{tools}, false}, {time.Minute, "u", []Probe{guard}, false}, {2 * time.Minute, "u", []Probe{env}, true}}},
		{"one prompt asking everything", []step{{0, "u", []Probe{tools, guard, env}, true}}},
		{"a sweep too slow for the window", []step{{0, "u", []Probe{tools}, false}, {40 * time.Minute, "u", []Probe{guard}, false}, {90 * time.Minute, "u", []Probe{env}, false}}},
		{"two users, one probe each kind", []step{{0, "u", []Probe{tools}, false}, {time.Minute, "v", []Probe{guard}, false}, {2 * time.Minute, "w", []Probe{env}, false}}},
		{"a long sweep alerts once per window", []step{{0, "u", []Probe{tools, guard, env}, true}, {time.Minute, "u", []Probe{tools}, false}, {30 * time.Minute, "u", []Probe{guard, env}, false},
			{3 * time.Hour, "u", []Probe{tools, guard, env}, true}}},
		{"anonymous callers are counted by address", []step{{0, "", []Probe{tools, guard}, false}, {time.Minute, "", []Probe{env}, true}}},
	}
	for _, tt := range tests {
		a := New(Config{}, nil)
		for i, s := range tt.steps {
			fs := a.Observe(Event{Time: t0.Add(s.after), Subscription: "s", Resource: "r", User: s.user, IP: "203.0.113.9", Probes: s.probes})
			var got []string
			for _, f := range fs {
				if f.Type == "llm_reconnaissance" {
					got = append(got, f.Reason)
				}
			}
			if (len(got) == 1) != s.want || len(got) > 1 {
				t.Errorf("%s, step %d: findings %q, want reconnaissance=%v", tt.name, i, got, s.want)
			}
			if len(got) == 1 && !strings.Contains(got[0], "probes within 1h0m0s") {
				t.Errorf("%s: reason %q, want the count, window, kinds and rules", tt.name, got[0])
			}
		}
	}
}
