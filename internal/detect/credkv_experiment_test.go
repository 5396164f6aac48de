package detect

import (
	"fmt"
	"testing"

	"github.com/wardenhq/warden/internal/credkv"
)

// TestCredkvCombined is an experiment: the secrets detector alone, with
// the key/value validator's accepted candidates added, and with generic
// rule matches the validator rejects dropped, on the validator's
// family-held-out split and its cross-validation.
func TestCredkvCombined(t *testing.T) {
	d, train, test := credSplit(t)
	cv := credkv.CrossScores(train, 5, credkv.DefaultTrain)
	w := credkv.Train(credkv.Examples(append(train, credkv.Augment(train)...)), credkv.DefaultTrain)
	m := &credkv.Model{Weights: w}
	for _, th := range []float64{0.6, 0.75, 0.85, 0.942} {
		maxFP := 0.0
		for _, veto := range []float64{0, 0.3, 0.5} {
			for _, part := range []string{"train-cv", "held-out"} {
				rs := test
				if part == "train-cv" {
					rs = train
				}
				var p, tp, n, fp, tpRules, fpRules int
				for i, r := range rs {
					ms := d.Find(r.Text)
					cands := credkv.Find(r.Text)
					rule := false
					ruleOnly := len(ms) > 0
					for _, mm := range ms {
						if !mm.generic {
							rule = true
							continue
						}
						keep := true
						for _, c := range cands {
							if c.Start < mm.Span[1] && mm.Span[0] < c.End && m.Score(c, r.Text) < veto {
								keep = false
							}
						}
						rule = rule || keep
					}
					kv := false
					if part == "train-cv" {
						kv = cv[i] >= th
					} else {
						for _, c := range cands {
							if m.Score(c, r.Text) >= th {
								kv = true
							}
						}
					}
					flag := rule || kv
					if r.Secret {
						p++
						if flag {
							tp++
						}
						if ruleOnly {
							tpRules++
						}
					} else {
						n++
						if flag {
							fp++
						}
						if ruleOnly {
							fpRules++
						}
					}
				}
				fmt.Printf("maxFP %.2f th %.3f veto %.1f %-8s: rules %.1f%%/%.1f%%  combined recall %.1f%% (%d/%d) look-alikes %.1f%% (%d/%d)\n",
					maxFP, th, veto, part, 100*float64(tpRules)/float64(p), 100*float64(fpRules)/float64(n), 100*float64(tp)/float64(p), tp, p, 100*float64(fp)/float64(n), fp, n)
			}
		}
	}
}
