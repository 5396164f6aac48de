package classifier

import (
	"errors"
	"math"
	"math/rand/v2"
)

// Example is one training text (already normalised) with its label.
type Example struct {
	Text   string
	Label  bool
	Weight float32
}

// TrainOptions control training. The zero value is not useful; use
// DefaultTrainOptions.
type TrainOptions struct {
	Epochs int
	Rate   float64 // AdaGrad base learning rate
	L2     float64
	Seed   uint64
	// MinDF drops hashed features seen in fewer training examples: a
	// phrase met in two rows is memorised, not learned ("what is the
	// capital of France" was an attack because a few injections asked it).
	MinDF int
}

// DefaultTrainOptions are the options the embedded model was trained with.
var DefaultTrainOptions = TrainOptions{Epochs: 12, Rate: 0.5, L2: 1e-6, Seed: 20261126, MinDF: 1}

// Train fits a model with AdaGrad on the weighted logistic loss. It is
// deterministic: same examples, same options, same weights, bit for bit.
func Train(exs []Example, o TrainOptions) *Linear {
	feats, invs := extractAll(exs)
	if o.MinDF > 1 {
		df := make([]uint16, 1<<Bits)
		seen := make([]int32, 1<<Bits)
		for i := range seen {
			seen[i] = -1
		}
		for i, fs := range feats {
			for _, f := range fs {
				if seen[f.idx] != int32(i) {
					seen[f.idx] = int32(i)
					if df[f.idx] < 65535 {
						df[f.idx]++
					}
				}
			}
		}
		for i, fs := range feats {
			kept := fs[:0]
			for _, f := range fs {
				if int(df[f.idx]) >= o.MinDF {
					kept = append(kept, f)
				}
			}
			feats[i] = kept
		}
	}
	m := &Linear{W: make([]float32, 1<<Bits)}
	g2 := make([]float32, 1<<Bits)
	var b, gb float64
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	for epoch := 0; epoch < o.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			fs := feats[i]
			z := m.raw(fs, invs[i]) - float64(m.B) + b
			y := 0.0
			if exs[i].Label {
				y = 1
			}
			g := (sigmoid(z) - y) * float64(exs[i].Weight)
			for _, f := range fs {
				gi := g*float64(f.val)*invs[i] + o.L2*float64(m.W[f.idx])
				g2[f.idx] += float32(gi * gi)
				m.W[f.idx] -= float32(o.Rate * gi / (math.Sqrt(float64(g2[f.idx])) + 1e-8))
			}
			gb += g * g
			b -= o.Rate * g / (math.Sqrt(gb) + 1e-8)
		}
	}
	m.B = float32(b)
	return m
}

// extractAll returns every example's features (of its first window) and
// the scale of each vector.
func extractAll(exs []Example) ([][]feature, []float64) {
	var sc scratch
	feats := make([][]feature, len(exs))
	invs := make([]float64, len(exs))
	for i, e := range exs {
		fs := sc.extract(truncate(e.Text, Window))
		feats[i], invs[i] = append([]feature(nil), fs...), sc.inv
	}
	return feats, invs
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:runeStart(s, n)]
}

// Build trains the shipped model from the lock file's training folders
// under dir (each checked against its pin), less the test split, and
// returns its encoding and the number of examples.
func Build(dir string) ([]byte, int, error) {
	rows, err := DefaultLock().ReadTraining(dir)
	if err != nil {
		return nil, 0, err
	}
	m, n := Fit(WithoutHeldOut(rows), DefaultTrainOptions)
	if n == 0 {
		return nil, 0, errors.New("no training rows")
	}
	return m.Marshal(), n, nil
}

// Fit trains both regressions on rows and returns the model and the number
// of examples used.
func Fit(rows []Row, o TrainOptions) (*Model, int) {
	user, doc := Examples(rows)
	return &Model{User: Train(user, o), Doc: Train(doc, o)}, len(user) + len(doc)
}
