package suffix

import (
	"errors"

	"github.com/wardenhq/warden/internal/classifier"
)

// Build trains the model on the benign rows of the pinned training folders
// (the test split left out) under dir, and returns its encoding and the
// number of texts. Only ordinary text teaches it: attacks, harmful
// questions, credentials and personal data are left out.
func Build(dir string) ([]byte, int, error) {
	rows, err := classifier.DefaultLock().ReadTraining(dir)
	if err != nil {
		return nil, 0, err
	}
	var texts []string
	for _, r := range classifier.WithoutHeldOut(rows) {
		if r.Label == "benign" {
			texts = append(texts, r.Text)
		}
	}
	if len(texts) == 0 {
		return nil, 0, errors.New("no benign training rows")
	}
	return Train(texts).Marshal(), len(texts), nil
}
