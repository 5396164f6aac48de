package detect

import (
	"fmt"
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/credkv"
)

// TestCredentialSplit measures the secrets detector on the credential
// folders split as the validator's training was: the family-held-out part
// (never trained or tuned on) and the rest, with the validator and with
// the rules alone. The figures of docs/data-security.md. An experiment:
// WARDEN_EXPERIMENTS=1 go test -run TestCredentialSplit -v ./internal/detect/
func TestCredentialSplit(t *testing.T) {
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 to run it")
	}
	rows, err := credkv.ReadRows("../../../shared/datasets")
	if err != nil {
		t.Skip(err)
	}
	d, err := DefaultSecrets()
	if err != nil {
		t.Fatal(err)
	}
	kv := d.kv
	for _, withKV := range []bool{false, true} {
		d.kv = nil
		if withKV {
			d.kv = kv
		}
		for _, held := range []bool{true, false} {
			var p, tp, n, fp int
			for _, r := range rows {
				if r.HeldOut() != held {
					continue
				}
				found := len(d.Find(r.Text)) > 0
				if r.Secret {
					p++
					if found {
						tp++
					}
				} else {
					n++
					if found {
						fp++
					}
				}
			}
			fmt.Printf("validator %-5v held-out %-5v: secret lines found %.1f%% (%d/%d), look-alikes flagged %.1f%% (%d/%d)\n",
				withKV, held, 100*float64(tp)/float64(p), tp, p, 100*float64(fp)/float64(n), fp, n)
		}
	}
}
