package report

import (
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

func TestPosture(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	rec := func(app, user string, verified bool, day int, types map[string]int) interaction.Record {
		return interaction.Record{Subscription: map[string]string{"helpdesk": "prod", "notes": "lab"}[app], Application: app,
			User: user, UserContext: verified, At: t0.Add(time.Duration(day) * 24 * time.Hour), SensitiveTypes: types}
	}
	card := map[string]int{"credit_card": 1}
	rs := []interaction.Record{
		rec("helpdesk", "alice", true, 0, card), rec("helpdesk", "bob", true, 0, card), rec("helpdesk", "carol", true, 1, card),
		rec("helpdesk", "dave", false, 1, card), // no user context: not a user of oversharing
		rec("helpdesk", "alice", true, 1, nil),
		rec("notes", "erin", true, 1, map[string]int{"email_address": 2}),
		rec("notes", "", false, 2, nil),
	}
	p := BuildPosture(rs, map[string]string{"prod": "block", "lab": "detect"}, t0, t0.Add(72*time.Hour))
	if p.Interactions != 7 || p.Sensitive != 5 || p.WithoutUserContext != 2 {
		t.Errorf("totals %d/%d/%d, want 7 interactions, 5 sensitive, 2 without user context", p.Interactions, p.Sensitive, p.WithoutUserContext)
	}
	if len(p.ByApp) != 2 || p.ByApp[0].Application != "helpdesk" || p.ByApp[0].Sensitive != 4 || p.ByApp[0].Interactions != 5 {
		t.Errorf("by app %+v, want helpdesk first with 4 of 5 sensitive", p.ByApp)
	}
	if len(p.TopTypes) != 2 || p.TopTypes[0] != (Row{"credit_card", 4}) || p.TopTypes[1] != (Row{"email_address", 2}) {
		t.Errorf("top types %+v", p.TopTypes)
	}
	if len(p.ByUser) != 4 || p.ByUser[0].Count != 1 {
		t.Errorf("by user %+v, want alice, bob, carol, erin once each (dave has no user context)", p.ByUser)
	}
	if len(p.Unprotected) != 1 || p.Unprotected[0].Application != "notes" || p.Unprotected[0].Mode != "detect" {
		t.Errorf("unprotected %+v, want notes (detect mode, sensitive data seen)", p.Unprotected)
	}
	if len(p.Oversharing) != 1 || p.Oversharing[0] != (Oversharing{"helpdesk", "credit_card", 3}) {
		t.Errorf("oversharing %+v, want cards sent to helpdesk by 3 users", p.Oversharing)
	}
	if len(p.ByDay) != 3 || p.ByDay[1] != (DayRow{"2026-12-06", 4, 3}) {
		t.Errorf("by day %+v", p.ByDay)
	}
	csv := p.CSV()
	if len(csv) < 10 || csv[0][0] != "section" || csv[1][3] != "7" {
		t.Errorf("csv starts %v", csv[:2])
	}
}
