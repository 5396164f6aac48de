package credkv

import (
	"fmt"
	"os"
	"testing"
)

func TestExperimentValidator(t *testing.T) {
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("experiment")
	}
	rows, err := ReadRows("../../../shared/datasets")
	if err != nil {
		t.Skip(err)
	}
	var train, test []Row
	for _, r := range rows {
		if r.HeldOut() {
			test = append(test, r)
		} else {
			train = append(train, r)
		}
	}
	cv := CrossScores(train, 5, DefaultTrain)
	for _, fp := range []float64{0.02, 0.05, 0.1} {
		th := PickThreshold(train, cv, fp)
		var tp, p, fpn, n int
		for i, r := range train {
			if r.Secret {
				p++
				if cv[i] >= th {
					tp++
				}
			} else {
				n++
				if cv[i] >= th {
					fpn++
				}
			}
		}
		fmt.Printf("cv maxFP %.2f: threshold %.3f recall %d/%d, look-alikes %d/%d\n", fp, th, tp, p, fpn, n)
	}
	exs := Examples(append(train, Augment(train)...))
	w := Train(exs, DefaultTrain)
	th := PickThreshold(train, cv, AcceptFP)
	sc := RowScores(test, Examples(test), w)
	var tp, p, fpn, n int
	for i, r := range test {
		if r.Secret {
			p++
			if sc[i] >= th {
				tp++
			}
		} else {
			n++
			if sc[i] >= th {
				fpn++
			}
		}
	}
	fmt.Printf("held out: recall %d/%d, look-alikes %d/%d (%d features)\n", tp, p, fpn, n, len(w))
}
