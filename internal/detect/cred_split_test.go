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
	d, train, test := credSplit(t)
	kv := d.kv
	for _, withKV := range []bool{false, true} {
		d.kv = nil
		if withKV {
			d.kv = kv
		}
		for _, held := range []bool{true, false} {
			rows := train
			if held {
				rows = test
			}
			var p, tp, n, fp int
			for _, r := range rows {
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

// credSplit returns the secrets detector and the credential folders'
// rows split as the validator's training was; it skips unless
// experiments are asked for and the shared data is there.
func credSplit(t *testing.T) (d *Secrets, train, test []credkv.Row) {
	t.Helper()
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 to run it")
	}
	rows, err := credkv.ReadRows("../../../shared/datasets")
	if err != nil {
		t.Skip(err)
	}
	if d, err = DefaultSecrets(); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.HeldOut() {
			test = append(test, r)
		} else {
			train = append(train, r)
		}
	}
	return d, train, test
}
