package credkv

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
)

// Example is one candidate of a labelled row, as the validator sees it.
type Example struct {
	Features []string
	Secret   bool
	Row      int // index of its row
}

// Examples returns the candidates of rows: each candidate of a
// look-alike line is a look-alike; of a secret line's candidates, the one
// whose value is most random is taken for the credential and the others
// are left out (a line labelled secret says one of its values is, not
// which: "user=admin password=Zq7...").
func Examples(rows []Row) []Example {
	var out []Example
	for i, r := range rows {
		cs := Find(r.Text)
		if r.Secret && len(cs) > 1 {
			best := 0
			for j, c := range cs {
				if entropy(c.Value)*float64(len(c.Value)) > entropy(cs[best].Value)*float64(len(cs[best].Value)) {
					best = j
				}
			}
			cs = cs[best : best+1]
		}
		for _, c := range cs {
			out = append(out, Example{Features: Features(c, r.Text), Secret: r.Secret, Row: i})
		}
	}
	return out
}

// TrainOptions set the regularisation and the passes of training.
type TrainOptions struct {
	L2     float64
	Epochs int
}

// DefaultTrain are the options the shipped validator was trained with.
var DefaultTrain = TrainOptions{L2: 1e-3, Epochs: 400}

// Train fits the logistic regression by full-batch gradient descent with
// AdaGrad steps, the two classes weighted equally. It is deterministic:
// the same examples give the same weights.
func Train(exs []Example, o TrainOptions) map[string]float64 {
	index := map[string]int{}
	var names []string
	xs := make([][]int, len(exs))
	pos := 0
	for i, e := range exs {
		for _, f := range e.Features {
			j, ok := index[f]
			if !ok {
				j = len(names)
				index[f] = j
				names = append(names, f)
			}
			xs[i] = append(xs[i], j)
		}
		if e.Secret {
			pos++
		}
	}
	neg := len(exs) - pos
	if pos == 0 || neg == 0 {
		return map[string]float64{}
	}
	wPos, wNeg := float64(len(exs))/(2*float64(pos)), float64(len(exs))/(2*float64(neg))
	w := make([]float64, len(names))
	g2 := make([]float64, len(names))
	grad := make([]float64, len(names))
	for epoch := 0; epoch < o.Epochs; epoch++ {
		for j := range grad {
			grad[j] = o.L2 * w[j]
		}
		for i, e := range exs {
			z := 0.0
			for _, j := range xs[i] {
				z += w[j]
			}
			p := 1 / (1 + math.Exp(-z))
			y, cw := 0.0, wNeg
			if e.Secret {
				y, cw = 1, wPos
			}
			d := cw * (p - y) / float64(len(exs))
			for _, j := range xs[i] {
				grad[j] += d
			}
		}
		for j := range w {
			g2[j] += grad[j] * grad[j]
			w[j] -= 0.5 * grad[j] / (math.Sqrt(g2[j]) + 1e-8)
		}
	}
	out := make(map[string]float64, len(names))
	for j, n := range names {
		if w[j] != 0 {
			out[n] = math.Round(w[j]*1e6) / 1e6
		}
	}
	return out
}

// RowScores returns, for each row, the highest score of its candidates
// under weights (0 for a row with none).
func RowScores(rows []Row, exs []Example, weights map[string]float64) []float64 {
	out := make([]float64, len(rows))
	m := &Model{Weights: weights}
	for _, e := range exs {
		z := 0.0
		for _, f := range e.Features {
			z += m.Weights[f]
		}
		out[e.Row] = max(out[e.Row], 1/(1+math.Exp(-z)))
	}
	return out
}

// CrossScores scores every row with a model trained without its family's
// fold (folds by a hash of the family), for choosing a threshold on data
// the weights did not see.
func CrossScores(rows []Row, folds int, o TrainOptions) []float64 {
	fold := func(r Row) int {
		h := fnv.New32a()
		h.Write([]byte("credkv folds\x00" + r.Family))
		return int(h.Sum32() % uint32(folds))
	}
	out := make([]float64, len(rows))
	for k := 0; k < folds; k++ {
		var train, test []Row
		var testIdx []int
		for i, r := range rows {
			if fold(r) == k {
				test, testIdx = append(test, r), append(testIdx, i)
			} else {
				train = append(train, r)
			}
		}
		w := Train(Examples(append(train, Augment(train)...)), o)
		scores := RowScores(test, Examples(test), w)
		for j, i := range testIdx {
			out[i] = scores[j]
		}
	}
	return out
}

// PickThreshold returns the threshold, at least 0.5, that maximises the
// share of secret rows scored above it minus that of look-alike rows,
// with the look-alike share at most maxFP.
func PickThreshold(rows []Row, scores []float64, maxFP float64) float64 {
	var pos, neg []float64
	for i, r := range rows {
		if r.Secret {
			pos = append(pos, scores[i])
		} else {
			neg = append(neg, scores[i])
		}
	}
	share := func(xs []float64, t float64) float64 {
		n := 0
		for _, x := range xs {
			if x >= t {
				n++
			}
		}
		return float64(n) / float64(max(len(xs), 1))
	}
	cands := append(append([]float64{}, pos...), neg...)
	sort.Float64s(cands)
	best, bestJ := 0.99, math.Inf(-1)
	for _, t := range cands {
		if t < 0.5 {
			continue
		}
		fp := share(neg, t)
		if j := share(pos, t) - fp; fp <= maxFP && j > bestJ {
			best, bestJ = t, j
		}
	}
	return best
}

// Summary describes a training run for the model file.
func Summary(rows []Row, exs []Example) string {
	var sec, look int
	for _, r := range rows {
		if r.Secret {
			sec++
		} else {
			look++
		}
	}
	return fmt.Sprintf("%d rows (%d secret, %d look-alike) of %v outside the held-out split, %d candidates", len(rows), sec, look, Folders, len(exs))
}

// Thresholds of the shipped validator, chosen on the training part by
// cross-validation (TestCredkvCombined): a candidate the rules missed is
// taken from AcceptFP's threshold (at most 2% of the look-alike lines
// flagged by the validator alone); a generic rule's match whose value the
// validator scores below Veto is dropped.
const (
	AcceptFP = 0.05
	Veto     = 0.3
)

// Build trains the validator on the pinned credential folders under dir,
// without the held-out split, and returns it encoded as validator.json.
func Build(dir string) ([]byte, *Model, error) {
	rows, err := ReadRows(dir)
	if err != nil {
		return nil, nil, err
	}
	var train []Row
	for _, r := range rows {
		if !r.HeldOut() {
			train = append(train, r)
		}
	}
	exs := Examples(append(train, Augment(train)...))
	m := &Model{Weights: Train(exs, DefaultTrain)}
	m.Threshold = math.Round(PickThreshold(train, CrossScores(train, 5, DefaultTrain), AcceptFP)*1e6) / 1e6
	m.Veto = Veto
	m.Trained = Summary(train, exs)
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, nil, err
	}
	return append(b, '\n'), m, nil
}
