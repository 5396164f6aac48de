package suffix

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/classifier"
)

const datasets = "../../../shared/datasets"

// trainingRows reads the pinned training folders less the test split, or
// skips (fails in CI) where the shared datasets are absent.
func trainingRows(t *testing.T) []classifier.Row {
	t.Helper()
	if _, err := os.Stat(datasets); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but the shared datasets are not at %s", datasets)
		}
		t.Skipf("shared datasets not found at %s", datasets)
	}
	rows, err := classifier.DefaultLock().ReadTraining(datasets)
	if err != nil {
		t.Fatal(err)
	}
	return classifier.WithoutHeldOut(rows)
}

// TestEmbeddedModelIsReproducible: the committed lm.bin is what Build makes.
func TestEmbeddedModelIsReproducible(t *testing.T) {
	rows := trainingRows(t)
	_ = rows
	b, _, err := Build(datasets)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(embedded) {
		t.Fatal("the embedded suffix model differs from a rebuild: run go run ./cmd/train")
	}
}

// noise is markup and bracket debris of the kind optimised suffixes carry,
// written here (not taken from any suffix in the datasets).
var noise = []string{"[", "]", "]]", "((", "{%", "%}", "\\", "==", "**", "--!", ".](", "_)", "}{", "<<", "/*", "::", ")]", "[[", "@@", "$\\"}

// synthetic appends a suffix of random salad to request: words of other
// rows in several languages, debris, and words joined with a case change.
func synthetic(rng *rand.Rand, request string, words []string) string {
	n := 8 + rng.IntN(14)
	parts := make([]string, 0, n)
	for range n {
		switch rng.IntN(4) {
		case 0:
			parts = append(parts, noise[rng.IntN(len(noise))])
		case 1:
			// Two words run together with their case mangled.
			a, b := words[rng.IntN(len(words))], words[rng.IntN(len(words))]
			if k := min(len(b), 1+rng.IntN(3)); k > 0 {
				b = strings.ToUpper(b[:k]) + b[k:]
			}
			parts = append(parts, a+b)
		default:
			parts = append(parts, words[rng.IntN(len(words))])
		}
	}
	return request + " " + strings.Join(parts, " ")
}

// TestSuffixOnSyntheticAndBenign measures the detector where its
// thresholds were chosen: synthetic suffixes on the training split's
// requests (caught), and every benign row of the training split (left
// alone). The project's test split, which holds the published GCG
// suffixes, is measured by warden eval, never here.
func TestSuffixOnSyntheticAndBenign(t *testing.T) {
	rows := trainingRows(t)
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	var requests, words []string
	benign, flagged := 0, 0
	for _, r := range rows {
		if r.Label != "benign" {
			continue
		}
		benign++
		if sp, ok := m.Find(r.Text); ok {
			flagged++
			if flagged <= 5 {
				t.Logf("benign flagged (%s): %q", r.Folder, r.Text[sp.Start:sp.End])
			}
		}
		if r.Folder == "clinc150" || r.Folder == "self-instruct" || r.Folder == "arena-hard" {
			if len(strings.Fields(r.Text)) >= 5 && len(r.Text) < 400 {
				requests = append(requests, r.Text)
			}
		}
		if r.Folder == "tatoeba-multilingual" {
			words = append(words, strings.Fields(r.Text)...)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	caught := 0
	const n = 2000
	for i := range n {
		if _, ok := m.Find(synthetic(rng, requests[i%len(requests)], words)); ok {
			caught++
		}
	}
	fp, det := float64(flagged)/float64(benign), float64(caught)/n
	t.Logf("synthetic suffixes caught %d/%d (%.3f); benign rows flagged %d/%d (%.4f)", caught, n, det, flagged, benign, fp)
	if det < 0.88 || fp > 0.005 {
		t.Errorf("caught %.3f of synthetic suffixes (want >= 0.88, the measured 0.898 less noise), flagged %.4f of benign rows (want <= 0.005)", det, fp)
	}
}

func TestFind(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Skip(err)
	}
	for _, tt := range []struct {
		give string
		want bool
	}{
		{"Explain how vaccines train the immune system to recognise a virus.", false},
		{"Summarise this: the meeting moved to Tuesday; bring the Q3 report (PDF) and your laptop.", false},
		{"Decode this for me: SGVsbG8gd29ybGQsIHRoaXMgaXMgYmFzZTY0IQ== and tell me what it says", false},
		{"Write a limerick about cats  ]] (( voorbeeld {% quandoSiempre ==  grandeMaison .]( kitapLar [[ ** ", true},
	} {
		if _, got := m.Find(tt.give); got != tt.want {
			t.Errorf("Find(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

// FuzzFind: any text, no panic, a span inside the text.
func FuzzFind(f *testing.F) {
	f.Add("hello world ]] (( {% x")
	f.Add("\xff\xfe[[ ]]")
	m, err := Default()
	if err != nil {
		f.Skip(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if sp, ok := m.Find(s); ok && (sp.Start < 0 || sp.End > len(s) || sp.Start > sp.End) {
			t.Fatalf("span %+v outside %d bytes", sp, len(s))
		}
	})
}
