package insider

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/interaction"
)

var now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// rec is a verified user's interaction d days and h hours before now.
func rec(user, app string, d, h int, types ...string) interaction.Record {
	r := interaction.Record{Subscription: "s", User: user, UserContext: true, Application: app,
		At: now.Add(-time.Duration(d)*24*time.Hour - time.Duration(h)*time.Hour)}
	for _, t := range types {
		if t == "jailbreak" {
			r.FindingTypes = append(r.FindingTypes, t)
		} else {
			r.SensitiveTypes = map[string]int{t: 1}
		}
	}
	return r
}

// history is a steady baseline: one interaction a day through chat, in
// working hours, for the 30 days before the week.
func history(user string) []interaction.Record {
	var rs []interaction.Record
	for d := 8; d < 37; d++ {
		rs = append(rs, rec(user, "chat", d, 0))
	}
	return rs
}

// TestAssess: each indicator, their combination into a level, and the
// user-context rule (unverified interactions count for nothing).
func TestAssess(t *testing.T) {
	var rs []interaction.Record
	// quiet: the same as ever.
	rs = append(rs, history("quiet")...)
	rs = append(rs, rec("quiet", "chat", 1, 0))
	// leaky: cards in 4 interactions this week.
	rs = append(rs, history("leaky")...)
	for i := range 4 {
		rs = append(rs, rec("leaky", "chat", i, 1, "credit_card"))
	}
	// mallory: 3 jailbreak attempts, at night, through a new app, and a
	// spike of 30 interactions against a baseline of one a day.
	rs = append(rs, history("mallory")...)
	for i := range 30 {
		types := []string{}
		if i < 3 {
			types = append(types, "jailbreak")
		}
		rs = append(rs, rec("mallory", "scraper", i%6, 10, types...)) // 02:00 UTC
	}
	// ghost: the same as mallory, but never verified.
	for i := range 30 {
		r := rec("ghost", "scraper", i%6, 10, "jailbreak")
		r.UserContext = false
		rs = append(rs, r)
	}
	got := map[string]Assessment{}
	for _, a := range Assess(rs, now, Config{}) {
		got[a.User] = a
	}
	if _, ok := got["ghost"]; ok {
		t.Errorf("ghost was assessed from unverified interactions: %+v", got["ghost"])
	}
	if a := got["quiet"]; a.Level != LevelNone || a.Score != 0 {
		t.Errorf("quiet: %+v, want none", a)
	}
	if a := got["leaky"]; a.Level != LevelLow || !strings.Contains(strings.Join(a.Reasons, ";"), "sensitive data in 4") {
		t.Errorf("leaky: %+v, want low for sensitive data", a)
	}
	m := got["mallory"]
	reasons := strings.Join(m.Reasons, ";")
	for _, want := range []string{"3 jailbreak attempts", "a day against a baseline", "outside working hours", "never used before: scraper"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("mallory's reasons %q lack %q", reasons, want)
		}
	}
	if m.Level != LevelHigh || m.Score != 5 {
		t.Errorf("mallory: level %s score %d, want high (5)", m.Level, m.Score)
	}
}

// memStore is the job's store in memory.
type memStore struct {
	rs     []interaction.Record
	levels map[[2]string]Assessment
	alerts []alert.Alert
}

func (m *memStore) Interactions(_ context.Context, f interaction.Filter) ([]interaction.Record, string, error) {
	var out []interaction.Record
	for _, r := range m.rs {
		if !r.At.Before(f.From) && r.At.Before(f.To) {
			out = append(out, r)
		}
	}
	return out, "", nil
}
func (m *memStore) RiskLevels(context.Context) (map[[2]string]Assessment, error) {
	return m.levels, nil
}
func (m *memStore) PutRiskLevels(_ context.Context, as []Assessment) error {
	for _, a := range as {
		m.levels[[2]string{a.Subscription, a.User}] = a
	}
	return nil
}
func (m *memStore) RecordAlerts(_ context.Context, as []alert.Alert) error {
	m.alerts = append(m.alerts, as...)
	return nil
}

// TestJob: a rise raises one alert naming the user and the reasons; the
// same level next run raises nothing; a further rise raises again.
func TestJob(t *testing.T) {
	st := &memStore{levels: map[[2]string]Assessment{}}
	st.rs = append(history("leaky"), rec("leaky", "chat", 0, 1, "credit_card"), rec("leaky", "chat", 1, 0, "credit_card"), rec("leaky", "chat", 2, 0, "credit_card"))
	clock := now
	j := &Job{Store: st, Now: func() time.Time { return clock }}
	as, err := j.Once(context.Background())
	if err != nil || len(as) != 1 || as[0].Type != alert.InsiderRiskElevated.Type || !strings.Contains(as[0].Description, "Level low, was none") {
		t.Fatalf("first run: %v %v", as, err)
	}
	if e := as[0].Entities; len(e) != 1 || e[0].ID != "leaky" || e[0].Attrs["risk_level"] != "low" {
		t.Errorf("entities %+v", e)
	}
	if as, _ := j.Once(context.Background()); len(as) != 0 {
		t.Errorf("same level again: %d alerts, want none", len(as))
	}
	for i := range 8 {
		st.rs = append(st.rs, rec("leaky", "chat", i%3, 2, "credit_card"))
	}
	as, _ = j.Once(context.Background())
	if len(as) != 1 || !strings.Contains(as[0].Description, "Level medium, was low") {
		t.Errorf("a further rise: %v", as)
	}
	if !slices.ContainsFunc(st.alerts, func(a alert.Alert) bool { return a.Subscription == "s" }) {
		t.Error("alerts not recorded")
	}
}
