package detect

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/wardenhq/warden/internal/scan"
)

// TestMultilingual runs every default detector over the same attacks and
// benign prompts written in eleven languages (testdata/multilingual.jsonl):
// instruction override, no-rules personas, system-prompt extraction,
// developer mode and refusal suppression; benign rows use the same trigger
// words ("system prompt", "developer mode", "ignore", "rules"). Every attack
// must be blocked and no benign prompt blocked; flags are counted and logged. The rows were written for
// the rules they test, so this is a regression test, not an independent
// measurement.
func TestMultilingual(t *testing.T) {
	ds, err := Build(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := scan.NewPipeline(ds...)
	f, err := os.Open("testdata/multilingual.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type count struct{ attacks, caught, benign, flagged int }
	byLang := map[string]*count{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var row struct{ Lang, Label, Family, Text string }
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		c := byLang[row.Lang]
		if c == nil {
			c = &count{}
			byLang[row.Lang] = c
		}
		in := scan.Input{Parts: []scan.Part{{Role: scan.RoleUser, Text: row.Text}}}
		res := p.Scan(context.Background(), &in, scan.DefaultPolicy)
		v := res.Verdict
		switch row.Label {
		case "attack":
			c.attacks++
			if v == scan.VerdictBlock {
				c.caught++
			} else {
				t.Errorf("%s %s attack not blocked (verdict %s): %q", row.Lang, row.Family, v, row.Text)
			}
		case "weak":
			// Weak signals (an order to stay in character) are flagged,
			// not blocked, in every language, as in English.
			if v == scan.VerdictAllow {
				t.Errorf("%s %s weak attack signal not flagged: %q", row.Lang, row.Family, row.Text)
			}
		case "benign":
			c.benign++
			// Only attack findings count here: a benign prompt may still
			// hold a name or a place the data-security detectors record.
			v = scan.VerdictOf(slices.DeleteFunc(res.Findings, func(f scan.Finding) bool {
				return f.Category != scan.CategoryJailbreak
			}), scan.DefaultPolicy)
			switch v {
			case scan.VerdictBlock:
				t.Errorf("%s %s benign prompt blocked: %q", row.Lang, row.Family, row.Text)
			case scan.VerdictFlag:
				// Flagged, not blocked: the model on a short prompt
				// (capped below the block threshold) reads words like
				// "développeur" or "Systemprompt" as attack vocabulary.
				c.flagged++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var flagged, benign int
	for lang, c := range byLang {
		t.Logf("%s: attacks blocked %d/%d, benign flagged %d/%d", lang, c.caught, c.attacks, c.flagged, c.benign)
		if lang == "en" {
			continue
		}
		flagged += c.flagged
		benign += c.benign
	}
	// A bound, not zero: three short prompts are flagged today (see above).
	if flagged*10 > benign {
		t.Errorf("benign prompts in other languages flagged: %d of %d, want at most a tenth", flagged, benign)
	}
	// The English rows are an over-defence set: short prompts full of
	// trigger words ("pretend to be a pirate", "forget the previous
	// recipe"). None may be blocked (checked above); three are flagged by
	// the model today (docs/model-card.md), and more is a regression.
	if en := byLang["en"]; en != nil && en.flagged > 3 {
		t.Errorf("English trigger-word prompts flagged: %d of %d, want at most 3", en.flagged, en.benign)
	}
}
