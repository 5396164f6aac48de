package sensitive

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestNamesFakerHeldOut compares the name model trained on presidio-synth
// alone (the shipped one) with one trained on presidio-synth and
// faker-pii's running text in its training locales, on faker-pii's
// held-out locales. An experiment:
// WARDEN_EXPERIMENTS=1 go test -run TestNamesFakerHeldOut -v ./internal/sensitive/
func TestNamesFakerHeldOut(t *testing.T) {
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 to run it")
	}
	pres, err := ReadNameRows(presidioPath)
	if err != nil {
		t.Skip(err)
	}
	faker, err := ReadNameRows(fakerPath)
	if err != nil {
		t.Skip(err)
	}
	var train, test []NameRow
	locales := map[string]bool{}
	for _, r := range faker {
		if r.HeldOut() {
			test = append(test, r)
			_, l, _ := strings.Cut(r.Group, "/")
			locales[l] = true
		} else if runningText(r) {
			train = append(train, r)
		}
	}
	fmt.Println("held-out locales:", locales)
	for _, c := range []struct {
		name string
		rows []NameRow
	}{{"presidio-synth", pres}, {"presidio-synth + faker-pii", append(append([]NameRow{}, pres...), train...)}} {
		m := TrainNames(c.rows)
		s := ScoreNames(m, test)
		fmt.Printf("model trained on %s: held-out faker names found %.1f%% (%d/%d), predictions right %.1f%% (%d/%d)\n",
			c.name, 100*float64(s.Found)/float64(s.Gold), s.Found, s.Gold, 100*float64(s.Correct)/float64(max(s.Pred, 1)), s.Correct, s.Pred)
	}
}
