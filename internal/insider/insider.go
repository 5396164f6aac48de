// Package insider assesses insider risk from interaction records: per
// user and subscription, indicators over the last week against the user's
// own baseline (sensitive data sent, jailbreak attempts, a volume spike,
// off-hours use, apps never used before), combined into a level with its
// reasons. Only interactions with a verified user identity count (the
// plan's user-context rule). A level that rises raises an alert.
package insider

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

// Levels, in rising order.
const (
	LevelNone   = "none"
	LevelLow    = "low"
	LevelMedium = "medium"
	LevelHigh   = "high"
)

// Rank orders levels.
func Rank(level string) int {
	return slices.Index([]string{LevelNone, LevelLow, LevelMedium, LevelHigh}, level)
}

// Config tunes the assessment; zero fields take the defaults.
type Config struct {
	Window   time.Duration // default 7 days
	Baseline time.Duration // before the window, default 30 days
	// WorkStart and WorkEnd are the working hours, UTC (default 7 and
	// 20): interactions outside them are off-hours.
	WorkStart, WorkEnd int
}

func (c Config) defaults() Config {
	if c.Window <= 0 {
		c.Window = 7 * 24 * time.Hour
	}
	if c.Baseline <= 0 {
		c.Baseline = 30 * 24 * time.Hour
	}
	if c.WorkStart == 0 && c.WorkEnd == 0 {
		c.WorkStart, c.WorkEnd = 7, 20
	}
	return c
}

// Span is how far back records must go for an assessment.
func (c Config) Span() time.Duration { c = c.defaults(); return c.Window + c.Baseline }

// Assessment is one user's insider-risk level in one subscription, with
// the reasons for it.
type Assessment struct {
	Subscription string    `json:"subscription"`
	User         string    `json:"user"`
	Level        string    `json:"level"`
	Score        int       `json:"score"`
	Reasons      []string  `json:"reasons"`
	At           time.Time `json:"at"`
}

type userStats struct {
	window, baseline      int
	sensitive, jailbreaks int
	offHours              int
	apps, baselineApps    map[string]bool
}

// Assess computes every user's assessment as of now from rs (records of
// at least Span back; others are ignored).
func Assess(rs []interaction.Record, now time.Time, cfg Config) []Assessment {
	cfg = cfg.defaults()
	start := now.Add(-cfg.Window)
	base := start.Add(-cfg.Baseline)
	stats := map[[2]string]*userStats{}
	for _, r := range rs {
		if !r.UserContext || r.User == "" || r.At.Before(base) || !r.At.Before(now) {
			continue
		}
		k := [2]string{r.Subscription, r.User}
		s := stats[k]
		if s == nil {
			s = &userStats{apps: map[string]bool{}, baselineApps: map[string]bool{}}
			stats[k] = s
		}
		if r.At.Before(start) {
			s.baseline++
			s.baselineApps[r.Application] = true
			continue
		}
		s.window++
		s.apps[r.Application] = true
		if len(r.SensitiveTypes) > 0 {
			s.sensitive++
		}
		if slices.Contains(r.Categories, "jailbreak") || slices.Contains(r.FindingTypes, "jailbreak") {
			s.jailbreaks++
		}
		if h := r.At.UTC().Hour(); h < cfg.WorkStart || h >= cfg.WorkEnd {
			s.offHours++
		}
	}
	var out []Assessment
	for k, s := range stats {
		if s.window == 0 {
			continue
		}
		a := Assessment{Subscription: k[0], User: k[1], At: now}
		add := func(points int, format string, args ...any) {
			a.Score += points
			a.Reasons = append(a.Reasons, fmt.Sprintf(format, args...))
		}
		switch {
		case s.sensitive >= 10:
			add(2, "sent sensitive data in %d interactions this week", s.sensitive)
		case s.sensitive >= 3:
			add(1, "sent sensitive data in %d interactions this week", s.sensitive)
		}
		switch {
		case s.jailbreaks >= 3:
			add(2, "%d jailbreak attempts this week", s.jailbreaks)
		case s.jailbreaks >= 1:
			add(1, "%d jailbreak attempt(s) this week", s.jailbreaks)
		}
		perDay := float64(s.window) / cfg.Window.Hours() * 24
		basePerDay := float64(s.baseline) / cfg.Baseline.Hours() * 24
		if s.window >= 20 && s.baseline > 0 && perDay > 3*basePerDay {
			add(1, "%.1f interactions a day against a baseline of %.1f", perDay, basePerDay)
		}
		if s.offHours >= 5 && s.offHours*10 >= s.window*3 {
			add(1, "%d of %d interactions outside working hours", s.offHours, s.window)
		}
		if s.baseline > 0 {
			var fresh []string
			for app := range s.apps {
				if !s.baselineApps[app] {
					fresh = append(fresh, dashIfEmpty(app))
				}
			}
			if len(fresh) > 0 {
				slices.Sort(fresh)
				add(1, "used apps never used before: %s", strings.Join(fresh, ", "))
			}
		}
		a.Level = levelOf(a.Score)
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y Assessment) int {
		if x.Score != y.Score {
			return y.Score - x.Score
		}
		return strings.Compare(x.Subscription+"\x00"+x.User, y.Subscription+"\x00"+y.User)
	})
	return out
}

func levelOf(score int) string {
	switch {
	case score >= 4:
		return LevelHigh
	case score >= 2:
		return LevelMedium
	case score == 1:
		return LevelLow
	}
	return LevelNone
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
