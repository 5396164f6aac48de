package credkv

import (
	"bytes"
	"os"
	"testing"
)

// TestValidatorJudges checks the shipped validator on the cases the issue
// names: a random password is a credential; a variable, a placeholder, a
// word and an example are look-alikes.
func TestValidatorJudges(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string
		want bool
	}{
		{`password = "Zq7!vR2#kLp9xW"`, true},
		{`password = "${PASSWORD}"`, false},
		{`password: changeme`, false},
		{`api_key = os.environ.get("API_KEY")`, false},
		{`password = "your_password_here"`, false},
		{`token: <YOUR_TOKEN>`, false},
	}
	for _, tt := range tests {
		cs := Find(tt.line)
		if len(cs) == 0 {
			if tt.want {
				t.Errorf("%s: no candidate", tt.line)
			}
			continue
		}
		p := m.Score(cs[0], tt.line)
		if got := p >= m.Threshold; got != tt.want {
			t.Errorf("%s: score %.3f (threshold %.3f, %v), want credential %v", tt.line, p, m.Threshold, m.Why(cs[0], tt.line, 4), tt.want)
		}
	}
}

// TestValidatorReproducible retrains the validator from the pinned data
// and checks that it is the shipped one, byte for byte.
func TestValidatorReproducible(t *testing.T) {
	dir := "../../../shared/datasets"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/datasets is absent: the reproducibility test needs it")
	}
	b, _, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, validatorJSON) {
		t.Error("retraining gives a different validator.json: run go run ./cmd/train -cred and review the diff")
	}
}
