package detect

import (
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/wardenhq/warden/internal/classifier"
)

// TestCredentialFolders measures the secrets detector on the shared
// data's credential folders, line by line: recall on secret lines, the
// share of look-alikes flagged, per folder and family. The baseline of
// issue 13's credential figures (docs/data-security.md). An experiment:
// WARDEN_EXPERIMENTS=1 go test -run TestCredentialFolders -v ./internal/detect/
func TestCredentialFolders(t *testing.T) {
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 to run it")
	}
	d, err := DefaultSecrets()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"credsweeper", "gitleaks-rules", "noseyparker-rules"} {
		rows, err := classifier.ReadFile("../../../shared/datasets/" + f + "/data.jsonl")
		if err != nil {
			t.Skip(err)
		}
		var tp, fn, fp, tn int
		fams := map[string][2]int{}
		for _, r := range rows {
			found, secret := len(d.Find(r.Text)) > 0, r.Label == "secret"
			c := fams[r.Family]
			if found {
				c[0]++
			}
			c[1]++
			fams[r.Family] = c
			switch {
			case secret && found:
				tp++
			case secret:
				fn++
			case found:
				fp++
			default:
				tn++
			}
		}
		fmt.Printf("%s: secret lines found %.1f%% (%d/%d), look-alikes flagged %.1f%% (%d/%d)\n",
			f, 100*float64(tp)/float64(max(tp+fn, 1)), tp, tp+fn, 100*float64(fp)/float64(max(fp+tn, 1)), fp, fp+tn)
		var names []string
		for k := range fams {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Printf("   %-40s %d of %d flagged\n", k, fams[k][0], fams[k][1])
		}
	}
	// Ordinary text: the benign rows of every other folder.
	rows, err := classifier.ReadRows("../../../shared/datasets")
	if err != nil {
		t.Skip(err)
	}
	n, hit := 0, 0
	for _, r := range rows {
		if r.Label != "benign" || r.Folder == "credsweeper" || r.Folder == "gitleaks-rules" || r.Folder == "noseyparker-rules" {
			continue
		}
		n++
		if len(d.Find(r.Text)) > 0 {
			hit++
		}
	}
	fmt.Printf("benign rows of the other folders: a credential found in %d of %d\n", hit, n)
}
