package report

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
)

func TestBuild(t *testing.T) {
	day := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	mk := func(typ string, count int, at time.Time, app, user string, kinds ...string) alert.Alert {
		a := alert.Alert{Type: typ, Count: count, LastSeen: at}
		if app != "" {
			a.Entities = append(a.Entities, alert.Entity{Kind: "application", ID: app})
		}
		if user != "" {
			a.Entities = append(a.Entities, alert.Entity{Kind: "user", ID: user})
		}
		for _, k := range kinds {
			a.Findings = append(a.Findings, scan.Finding{Type: "x", Kind: k})
		}
		return a
	}
	r := Build([]alert.Alert{
		mk(alert.SensitiveDataInPrompt.Type, 3, day, "hr-bot", "alice", "credit_card", "credit_card", "email_address"),
		mk(alert.SensitiveDataLeak.Type, 1, day.Add(24*time.Hour), "hr-bot", "bob", "us_ssn"),
		mk(alert.SecretInPrompt.Type, 2, day, "", "", "github_token"),
	}, day, day.Add(48*time.Hour))
	if r.Interactions != 6 {
		t.Errorf("interactions %d, want 6 (repeats count)", r.Interactions)
	}
	got := map[string]Count{}
	for _, c := range r.ByKind {
		got[c.Key] = c
	}
	// A card seen twice in one prompt counts once per interaction.
	if got["credit_card"] != (Count{"credit_card", 3, 0}) || got["us_ssn"] != (Count{"us_ssn", 0, 1}) || got["github_token"].Prompt != 2 {
		t.Errorf("by kind %+v", r.ByKind)
	}
	if r.ByApp[0] != (Count{"hr-bot", 3, 1}) || r.ByApp[1].Key != "(none)" {
		t.Errorf("by application %+v, want hr-bot first, then calls without an application", r.ByApp)
	}
	if len(r.ByDay) != 2 || r.ByDay[0].Key != "2026-11-02" || r.ByDay[0].Prompt != 5 || r.ByDay[1].Response != 1 {
		t.Errorf("by day %+v", r.ByDay)
	}
	b, _ := json.Marshal(r)
	var back map[string]any
	json.Unmarshal(b, &back)
	if back["since"] == nil || back["until"] == nil || back["by_kind"] == nil {
		t.Errorf("JSON %s: want since, until and the breakdowns", b)
	}
}
