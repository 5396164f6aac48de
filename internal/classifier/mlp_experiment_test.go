package classifier

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"testing"
)

type mlp struct {
	H  int
	D  int       // input buckets: feature indices are folded into D
	W1 []float32 // [D*H]
	B1 []float32
	W2 []float32
	B2 float32
}

func (m *mlp) forward(fs []feature, inv float64, h []float32) float64 {
	copy(h, m.B1)
	for _, f := range fs {
		j := int(f.idx) % m.D
		row := m.W1[j*m.H : j*m.H+m.H]
		v := f.val * float32(inv)
		for k := range h {
			h[k] += row[k] * v
		}
	}
	z := float64(m.B2)
	for k := range h {
		if h[k] < 0 {
			h[k] = 0
		}
		z += float64(h[k] * m.W2[k])
	}
	return sigmoid(z)
}

func trainMLP(exs []Example, D, H, epochs int, lr float64) *mlp {
	feats, invs := extractAll(exs)
	rng := rand.New(rand.NewPCG(1, 2))
	m := &mlp{H: H, D: D, W1: make([]float32, D*H), B1: make([]float32, H), W2: make([]float32, H)}
	for i := range m.W1 {
		m.W1[i] = float32(rng.NormFloat64() * 0.05)
	}
	for i := range m.W2 {
		m.W2[i] = float32(rng.NormFloat64() * 0.3)
	}
	h := make([]float32, H)
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	for ep := 0; ep < epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := lr / (1 + float64(ep)*0.5)
		for _, i := range order {
			p := m.forward(feats[i], invs[i], h)
			y := 0.0
			if exs[i].Label {
				y = 1
			}
			g := (p - y) * float64(exs[i].Weight)
			dh := make([]float32, H)
			for k := range h {
				if h[k] > 0 {
					dh[k] = float32(g) * m.W2[k]
				}
				m.W2[k] -= float32(rate * g * float64(h[k]))
			}
			m.B2 -= float32(rate * g)
			for k := range dh {
				m.B1[k] -= float32(rate) * dh[k]
			}
			for _, f := range feats[i] {
				j := int(f.idx) % D
				row := m.W1[j*H : j*H+H]
				v := f.val * float32(invs[i])
				for k := range row {
					row[k] -= float32(rate) * dh[k] * v
				}
			}
		}
	}
	return m
}

// The experiment behind the model card's "a second approach": a small
// two-layer network on the same features, against the logistic regression,
// user turns only, same family folds. Slow; run it with
// WARDEN_EXPERIMENTS=1 go test -run TestMLPvsLR -v ./internal/classifier/
const (
	mlpD = 1 << 16
	mlpH = 16
)

func TestMLPvsLR(t *testing.T) {
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 to run it")
	}
	compareWithLR(t, "mlp", func(user []Example) func(string) float64 {
		nn := trainMLP(user, mlpD, mlpH, 8, 0.2)
		var sc scratch
		h := make([]float32, mlpH)
		return func(first string) float64 {
			fs := sc.extract(first)
			return nn.forward(fs, sc.inv, h)
		}
	})
}

// familyFold is a row's fold in the experiments' five-fold cross-validation
// by whole families, as CrossValidate makes them.
func familyFold(r Row) int {
	h := fnv.New32a()
	h.Write([]byte(r.Folder + "/" + r.Family))
	return int(h.Sum32() % 5)
}

// compareWithLR trains the regression and a second model (fit returns its
// scorer of a user turn's first window) on the user turns of the training
// split, by family folds, then on all of it for the test split, and prints
// both models' figures and their mean's.
func compareWithLR(t *testing.T, name string, fit func(user []Example) func(first string) float64) {
	all, err := ReadRows(datasets)
	if err != nil {
		t.Skip(err)
	}
	rows := WithoutHeldOut(all)
	var lrP, otherP []float64
	var labels []bool
	fitScore := func(train []Row, test []Row, keep func(Row) bool) {
		var use []Row
		for _, r := range train {
			if cvTrains(r.Folder) && !r.Doc {
				use = append(use, r)
			}
		}
		user, _ := Examples(use)
		lr := Train(user, DefaultTrainOptions)
		other := fit(user)
		for _, r := range test {
			if r.Doc || !keep(r) {
				continue
			}
			txt := normalize(r.Text)
			lrP = append(lrP, lr.ScoreWindows(txt, Window, Stride).P)
			otherP = append(otherP, other(truncate(txt, Window)))
			labels = append(labels, r.Attack())
		}
	}
	for k := 0; k < 5; k++ {
		var train []Row
		for _, r := range rows {
			if familyFold(r) != k {
				train = append(train, r)
			}
		}
		fitScore(train, rows, func(r Row) bool { return familyFold(r) == k })
	}
	report("grouped cross-validation, training split", name, lrP, otherP, labels)
	lrP, otherP, labels = nil, nil, nil
	fitScore(rows, all, HeldOut)
	report("test split (user turns), trained on the training split", name, lrP, otherP, labels)
}

// report prints AUC and detection at fixed false-positive rates of the
// regression, a second model (named second) and their mean.
func report(what, second string, lrP, mlpP []float64, labels []bool) {
	fmt.Println(what)
	avg := make([]float64, len(lrP))
	for i := range avg {
		avg[i] = (lrP[i] + mlpP[i]) / 2
	}
	for _, name := range []string{"lr", second, "avg"} {
		ps := lrP
		if name == second {
			ps = mlpP
		}
		if name == "avg" {
			ps = avg
		}
		var pos, neg []float64
		for i, p := range ps {
			if labels[i] {
				pos = append(pos, p)
			} else {
				neg = append(neg, p)
			}
		}
		fmt.Printf("%s AUC %.4f", name, AUC(pos, neg))
		// detection at fixed false-positive rates
		for _, fpr := range []float64{0.01, 0.02, 0.05} {
			th := quantile(neg, 1-fpr)
			fmt.Printf("  det@%.0f%%FP %.3f", fpr*100, rate64(pos, th))
		}
		fmt.Println()
	}
}

func quantile(v []float64, q float64) float64 {
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	return c[int(math.Min(float64(len(c)-1), q*float64(len(c))))]
}

func rate64(v []float64, th float64) float64 {
	n := 0
	for _, x := range v {
		if x > th {
			n++
		}
	}
	return float64(n) / float64(len(v))
}
