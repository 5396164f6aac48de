package classifier

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/wordvec"
)

// harmExamples are the user turns of rows labelled harmful (positives) and
// benign (negatives): what a model of harmful goals learns from. Attacks,
// whose words are the attack's and not the goal's, are left out.
func harmExamples(rows []Row) []Example {
	var exs []Example
	for _, r := range rows {
		if r.Doc || (r.Label != "harmful" && r.Label != "benign") {
			continue
		}
		exs = append(exs, Example{Text: normalize(r.Text), Label: r.Label == "harmful"})
	}
	return balance(exs)
}

// TestHarmCV writes out-of-fold harm scores of the training split's user
// turns (never the test split) as JSON lines, to study framing rules:
// WARDEN_EXPERIMENTS=1 WARDEN_HARM_DUMP=/tmp/harm.jsonl go test -run TestHarmCV ./internal/classifier/
func TestHarmCV(t *testing.T) {
	out := os.Getenv("WARDEN_HARM_DUMP")
	if os.Getenv("WARDEN_EXPERIMENTS") == "" || out == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 and WARDEN_HARM_DUMP")
	}
	all, err := ReadRows(datasets)
	if err != nil {
		t.Skip(err)
	}
	rows := WithoutHeldOut(all)
	var b strings.Builder
	for k := 0; k < 5; k++ {
		var train []Row
		for _, r := range rows {
			if familyFold(r) != k && cvTrains(r.Folder) {
				train = append(train, r)
			}
		}
		exs := harmExamples(train)
		m := Train(exs, DefaultTrainOptions)
		var nn *Net
		var vec *wordvec.Table
		if p := os.Getenv("WARDEN_WORDVEC"); p != "" {
			if vec, err = wordvec.Load(p); err != nil {
				t.Fatal(err)
			}
			nn = TrainNet(vec, exs, DefaultNetOptions)
		}
		for _, r := range rows {
			if familyFold(r) != k || r.Doc {
				continue
			}
			txt := normalize(r.Text)
			res := m.ScoreWindows(txt, Window, Stride)
			rec := map[string]any{"folder": r.Folder, "family": r.Family, "label": r.Label, "harm": res.P, "text": r.Text}
			if nn != nil {
				first := truncate(txt, Window)
				x, h := make([]float32, nn.In), make([]float32, nn.H)
				netInput(vec, first, words(first, nil), x)
				rec["net"] = sigmoid(nn.logit(x, h))
			}
			line, _ := json.Marshal(rec)
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Println("wrote", out)
}
