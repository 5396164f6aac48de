package detect

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/classifier"
	"github.com/wardenhq/warden/internal/scan"
)

// TestCredProbe measures the secrets detector on the CredSweeper lines of the
// shared data (role assistant): recall on secrets, false positives on the
// look-alikes. An experiment: WARDEN_EXPERIMENTS=1.
func TestCredProbe(t *testing.T) {
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 to run it")
	}
	rows, err := classifier.ReadFile("../../../shared/datasets/credsweeper/data.jsonl")
	if err != nil {
		t.Skip(err)
	}
	d, _ := DefaultSecrets()
	var tp, fn, fp, tn int
	for _, r := range rows {
		fs, _ := d.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: scan.RoleAssistant, Text: r.Text}}})
		switch {
		case r.Label == "secret" && len(fs) > 0:
			tp++
		case r.Label == "secret":
			fn++
		case len(fs) > 0:
			fp++
		default:
			tn++
		}
	}
	fmt.Printf("recall %.3f (%d/%d), false positives %.3f (%d/%d)\n", float64(tp)/float64(tp+fn), tp, tp+fn, float64(fp)/float64(fp+tn), fp, fp+tn)
}
