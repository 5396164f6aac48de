package sensitive

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

const fakerPath = "../../../shared/datasets/faker-pii/data.jsonl"

// TestFakerNames measures the shipped name model on faker-pii's person
// names, by format family and by locale. An experiment:
// WARDEN_EXPERIMENTS=1 go test -run TestFakerNames -v ./internal/sensitive/
func TestFakerNames(t *testing.T) {
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 to run it")
	}
	rows, err := ReadNameRows(fakerPath)
	if err != nil {
		t.Skip(err)
	}
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	by := map[string][]NameRow{}
	loc := map[string][]NameRow{}
	for _, r := range rows {
		fam, l, _ := strings.Cut(r.Group, "/")
		by[fam] = append(by[fam], r)
		loc[l] = append(loc[l], r)
	}
	report := func(name string, rs []NameRow) {
		s := scoreClassifierNames(c, rs)
		fmt.Printf("  %-28s names %4d found %5.1f%%  predictions %4d right %5.1f%%\n", name, s.Gold, 100*float64(s.Found)/float64(max(s.Gold, 1)), s.Pred, 100*float64(s.Correct)/float64(max(s.Pred, 1)))
	}
	report("all", rows)
	var held []NameRow
	for _, r := range rows {
		if r.HeldOut() {
			held = append(held, r)
		}
	}
	report("held-out locales", held)
	for _, set := range []map[string][]NameRow{by, loc} {
		var ks []string
		for k := range set {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			report(k, set[k])
		}
	}
}

// scoreClassifierNames is ScoreNames for everything the classifier calls
// a person name (the model, the naming phrases, the fields).
func scoreClassifierNames(c *Classifier, rows []NameRow) NameScore {
	var s NameScore
	for _, r := range rows {
		var ps [][2]int
		for _, m := range c.Find(r.Text) {
			if m.Type == "person_name" {
				ps = append(ps, m.Span)
			}
		}
		s.Pred += len(ps)
		s.Gold += len(r.Names)
		for _, p := range ps {
			for _, g := range r.Names {
				if iouSpan(p, g) >= 0.5 {
					s.Correct++
					break
				}
			}
		}
		for _, g := range r.Names {
			for _, p := range ps {
				if iouSpan(p, g) >= 0.5 {
					s.Found++
					break
				}
			}
		}
	}
	return s
}
