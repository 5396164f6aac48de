package sensitive

import (
	"fmt"
	"hash/fnv"
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/classifier"
)

// TestNamesGroupedCV trains the name model on four fifths of the
// presidio-synth templates and scores it on the fifth it never saw, for
// each fifth: the figure that says how it does on sentences of a new shape.
func TestNamesGroupedCV(t *testing.T) {
	rows, err := ReadNameRows(presidioPath)
	if err != nil {
		t.Skipf("presidio-synth not available (%v)", err)
	}
	fold := func(g string) int {
		h := fnv.New32a()
		h.Write([]byte(g))
		return int(h.Sum32() % 5)
	}
	var total NameScore
	for k := range 5 {
		var train, test []NameRow
		for _, r := range rows {
			if fold(r.Group) == k {
				test = append(test, r)
			} else {
				train = append(train, r)
			}
		}
		s := ScoreNames(TrainNames(train), test)
		total.Pred += s.Pred
		total.Correct += s.Correct
		total.Gold += s.Gold
		total.Found += s.Found
	}
	p, r := float64(total.Correct)/float64(total.Pred), float64(total.Found)/float64(total.Gold)
	t.Logf("person names, templates held out: precision %.3f (%d/%d), recall %.3f (%d/%d)", p, total.Correct, total.Pred, r, total.Found, total.Gold)
	// docs/data-security.md cites recall 0.658 and precision 0.941; the
	// training is deterministic, so a drop below these floors is a change
	// of the model or the data, not noise.
	if r < 0.65 || p < 0.93 {
		t.Errorf("templates held out: recall %.3f, precision %.3f; want at least 0.65 and 0.93 (the figures the docs cite)", r, p)
	}
}

// TestEmbeddedNameModelIsReproducible checks that the committed names.bin is
// what go run ./cmd/trainnames builds from the shared data.
func TestEmbeddedNameModelIsReproducible(t *testing.T) {
	const dir = "../../../shared/datasets"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/datasets is absent: the reproducibility test needs it")
	}
	l := classifier.DefaultLock()
	rows, err := ReadNameTraining(dir, func(folder string) error {
		p, ok := l.Learns(folder)
		if !ok {
			return fmt.Errorf("%s is not pinned for a data-security model", folder)
		}
		return p.Verify(dir)
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := TrainNames(rows).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(namesBin) {
		t.Error("internal/sensitive/names.bin differs from what the shared data trains: run go run ./cmd/trainnames")
	}
}

func TestNamesFound(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ give, want string }{
		{"Krisztián Szöllösy listed his top 20 songs for the magazine.", "Krisztián Szöllösy"},
		{"The report was written by Ingrid Halvorsen and reviewed last week.", "Ingrid Halvorsen"},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range c.Find(tt.give) {
			if m.Type == "person_name" {
				got = append(got, tt.give[m.Span[0]:m.Span[1]])
			}
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("names in %q: got %q, want [%q]", tt.give, got, tt.want)
		}
	}
	for _, s := range []string{"The Quarterly Report covers Northern Europe and the Board meets on Tuesday.", "Please Review The Attached Document Before Monday."} {
		for _, m := range c.Find(s) {
			if m.Type == "person_name" {
				t.Errorf("name %q found in %q", s[m.Span[0]:m.Span[1]], s)
			}
		}
	}
}
