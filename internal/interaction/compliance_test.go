package interaction

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"
)

func TestPolicyValidate(t *testing.T) {
	cases := []struct {
		name string
		p    Policy
		ok   bool
	}{
		{"keywords", Policy{Name: "merger", Keywords: []string{"Project Falcon"}}, true},
		{"types", Policy{Name: "cards", SensitiveTypes: []string{"credit_card"}}, true},
		{"no name", Policy{Keywords: []string{"x"}}, false},
		{"no condition", Policy{Name: "empty", Applications: []string{"helpdesk"}}, false},
		{"punctuation keyword", Policy{Name: "p", Keywords: []string{"!!!"}}, false},
		{"bad rule", Policy{Name: "p", Rules: []PatternRule{{Name: "r", Pattern: "(unclosed"}}}, false},
		{"unnamed rule", Policy{Name: "p", Rules: []PatternRule{{Pattern: "x"}}}, false},
	}
	for _, c := range cases {
		if err := c.p.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", c.name, err, c.ok)
		}
	}
	ps, err := Compile([]Policy{{ID: "good", Name: "g", Keywords: []string{"x"}}, {ID: "bad", Name: "b"}})
	if err == nil || len(ps.list) != 1 {
		t.Errorf("Compile with one bad policy: %d compiled, err %v; want the good one and an error naming the bad", len(ps.list), err)
	}
}

// TestPolicyMatch: scope by subscription, app and group; conditions by
// sensitive type, category, keyword (whole words, any case, phrases) and
// rule; nothing for an interaction without user context.
func TestPolicyMatch(t *testing.T) {
	ps, err := Compile([]Policy{
		{ID: "merger", Name: "merger", Keywords: []string{"project falcon", "acquisition"}},
		{ID: "cards", Name: "cards", SensitiveTypes: []string{"credit_card"}, Applications: []string{"helpdesk"}},
		{ID: "jail", Name: "jailbreaks", Categories: []string{"jailbreak"}, Subscriptions: []string{"prod"}},
		{ID: "finance", Name: "finance", Groups: []string{"finance"}, Rules: []PatternRule{{Name: "iban-like", Pattern: `\bGB\d{2}[A-Z]{4}`}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := func(s string) *Content { return &Content{Prompt: []Turn{{Role: "user", Text: s}}} }
	base := Record{Subscription: "prod", Application: "helpdesk", User: "alice", UserContext: true}
	with := func(f func(*Record)) Record { r := base; f(&r); return r }
	cases := []struct {
		name string
		r    Record
		c    *Content
		want map[string][]string
	}{
		{"phrase any case", base, text("Status of PROJECT Falcon?"), map[string][]string{"merger": {"keyword project falcon"}}},
		{"not a part word", base, text("falconry and acquisitions"), nil},
		{"phrase across turns is one text", base, &Content{Prompt: []Turn{{Text: "project"}}, Response: []Turn{{Text: "falcon"}}},
			map[string][]string{"merger": {"keyword project falcon"}}},
		{"sensitive type in scope", with(func(r *Record) { r.SensitiveTypes = map[string]int{"credit_card": 2} }), nil,
			map[string][]string{"cards": {"sensitive type credit_card"}}},
		{"sensitive type out of app scope", with(func(r *Record) { r.Application = "wiki"; r.SensitiveTypes = map[string]int{"credit_card": 1} }), nil, nil},
		{"category", with(func(r *Record) { r.Categories = []string{"jailbreak"} }), nil, map[string][]string{"jail": {"category jailbreak"}}},
		{"category other subscription", with(func(r *Record) { r.Subscription = "dev"; r.Categories = []string{"jailbreak"} }), nil, nil},
		{"rule in group", with(func(r *Record) { r.Groups = []string{"finance", "staff"} }), text("pay GB29NWBK60161331926819"),
			map[string][]string{"finance": {"rule iban-like"}}},
		{"rule out of group", base, text("pay GB29NWBK60161331926819"), nil},
		{"no user context", with(func(r *Record) { r.UserContext = false; r.SensitiveTypes = map[string]int{"credit_card": 1} }),
			text("project falcon"), nil},
		{"keyword without text", base, nil, nil},
	}
	for _, c := range cases {
		got := map[string][]string{}
		for _, h := range ps.Match(c.r, c.c) {
			got[h.Policy] = h.Reasons
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: hits %v, want %v", c.name, got, c.want)
			continue
		}
		for p, why := range c.want {
			if !slices.Equal(got[p], why) {
				t.Errorf("%s: policy %s reasons %v, want %v", c.name, p, got[p], why)
			}
		}
	}
	if !ps.WantsText("prod") || (&Policies{}).WantsText("prod") {
		t.Error("WantsText: want true with keyword policies, false with none")
	}
}

type memPolicies []Policy

func (m memPolicies) CompliancePolicies(context.Context) ([]Policy, error) { return m, nil }

// TestWriterReview: the writer matches policies, keeps text only where
// the capture setting says (a policy met counts as a finding), and never
// stores text unsealed.
func TestWriterReview(t *testing.T) {
	key, _ := ParseKey("k1", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	sealer, _ := NewSealer([]Key{key})
	st := &memStore{}
	w := NewWriter(st, 100, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Sealer = sealer
	w.Policies = memPolicies{{ID: "merger", Name: "merger", Keywords: []string{"falcon"}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for !w.WantsText("sub") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !w.WantsText("sub") {
		t.Fatal("the writer did not load its policies")
	}
	c := func(s string) *Content { return &Content{Prompt: []Turn{{Text: s}}} }
	w.Record(Record{ID: "hit-findings", UserContext: true, Capture: "findings", Content: c("falcon")})
	w.Record(Record{ID: "miss-findings", UserContext: true, Capture: "findings", Content: c("hello")})
	w.Record(Record{ID: "hit-off", UserContext: true, Capture: "off", Content: c("falcon")})
	w.Record(Record{ID: "no-user", Capture: "findings", Content: c("falcon")})
	cancel()
	<-done
	want := map[string]struct {
		kept   bool
		review bool
	}{"hit-findings": {true, true}, "miss-findings": {false, false}, "hit-off": {false, true}, "no-user": {false, false}}
	for _, r := range st.rs {
		w := want[r.ID]
		if r.Content != nil {
			t.Errorf("%s: text reached the store unsealed", r.ID)
		}
		if got := len(r.Sealed) > 0; got != w.kept || r.HasContent != w.kept {
			t.Errorf("%s: content kept %v, want %v", r.ID, got, w.kept)
		}
		if got := len(r.Reviews) == 1 && slices.Equal(r.Policies, []string{"merger"}); got != w.review {
			t.Errorf("%s: reviews %v policies %v, want in review %v", r.ID, r.Reviews, r.Policies, w.review)
		}
	}
	if len(st.rs) != 4 {
		t.Errorf("%d records stored, want 4", len(st.rs))
	}
}
