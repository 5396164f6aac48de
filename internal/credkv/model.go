package credkv

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Model is the validator: a logistic regression over Features, and the
// probability from which a candidate is a credential.
type Model struct {
	Weights   map[string]float64 `json:"weights"`
	Threshold float64            `json:"threshold"`
	// Veto is the score below which a generic rule's match of the same
	// value is taken for a look-alike.
	Veto float64 `json:"veto"`
	// Trained says on what, for the model card.
	Trained string `json:"trained"`
}

//go:embed validator.json
var validatorJSON []byte

// Default returns the shipped validator.
func Default() (*Model, error) {
	var m Model
	if err := json.Unmarshal(validatorJSON, &m); err != nil {
		return nil, fmt.Errorf("credkv: validator.json: %w", err)
	}
	return &m, nil
}

// Score returns the probability that c, found in line, is a credential.
func (m *Model) Score(c Candidate, line string) float64 {
	z := 0.0
	for _, f := range Features(c, line) {
		z += m.Weights[f]
	}
	return 1 / (1 + math.Exp(-z))
}

// Why returns the features of c that weighed most, strongest first, for a
// finding's reason.
func (m *Model) Why(c Candidate, line string, n int) []string {
	fs := Features(c, line)
	sort.SliceStable(fs, func(i, j int) bool { return math.Abs(m.Weights[fs[i]]) > math.Abs(m.Weights[fs[j]]) })
	var out []string
	for _, f := range fs {
		if f != "bias" && m.Weights[f] != 0 && len(out) < n {
			out = append(out, f)
		}
	}
	return out
}
