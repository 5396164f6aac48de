package classifier

import (
	"hash/fnv"
	"sort"
)

// Scored is one row with the score a model gave it.
type Scored struct {
	Row
	P     float64
	Words int
	// Segment is the window or sentence that scored P.
	Segment string
}

// CrossValidate scores every row with a model trained on the other folds,
// where folds are made of whole families (so a family is never both
// trained and tested on): the figures say how the model does on attack
// families it has not seen. Rows of folders the shipped model does not train on
// (datasets.lock) are scored but never trained on.
//
// rank, when set, picks a document's sentence as the detector does (see
// Model.ScoreDocBy).
func CrossValidate(rows []Row, folds int, o TrainOptions, rank func(p float64, sentence string) float64) []Scored {
	fold := func(r Row) int {
		h := fnv.New32a()
		h.Write([]byte(r.Folder + "/" + r.Family))
		return int(h.Sum32() % uint32(folds))
	}
	out := make([]Scored, len(rows))
	for k := 0; k < folds; k++ {
		var train []Row
		for _, r := range rows {
			if fold(r) != k && cvTrains(r.Folder) {
				train = append(train, r)
			}
		}
		m, _ := Fit(train, o)
		for i, r := range rows {
			if fold(r) == k {
				t := normalize(r.Text)
				res := m.Score(t)
				if r.Doc {
					res = m.ScoreDocBy(t, rank)
				}
				out[i] = Scored{Row: r, P: res.P, Words: res.Words, Segment: t[res.Start:res.End]}
			}
		}
	}
	return out
}

// AUC is the area under the ROC curve of scores for positives vs negatives.
func AUC(pos, neg []float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return 0
	}
	type pt struct {
		p   float64
		pos bool
	}
	var all []pt
	for _, p := range pos {
		all = append(all, pt{p, true})
	}
	for _, p := range neg {
		all = append(all, pt{p, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].p < all[j].p })
	// Mann-Whitney U with average ranks for ties.
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].p == all[i].p {
			j++
		}
		avg := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += avg
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}
