package credkv

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"

	"github.com/wardenhq/warden/internal/classifier"
)

// Folders are the shared data's credential folders the validator learns
// from; each must be pinned in the training lock file (classifier's
// datasets.lock) for a credential model.
var Folders = []string{"credsweeper", "gitleaks-rules", "noseyparker-rules"}

// Row is one labelled line of a credential folder.
type Row struct {
	Folder string
	Text   string
	Secret bool
	// Family is what the held-out split is made of: the sample file group
	// (CredSweeper) or the rule (gitleaks, Nosey Parker) the line is
	// about, so that held-out lines are of kinds never trained on.
	Family string
}

// HeldOut reports whether r is in the fixed family-held-out test split:
// about a fifth of the families, chosen by a salted hash of their names
// (blind to what they hold). No weight, threshold or rule is tuned on it.
func (r Row) HeldOut() bool {
	h := fnv.New32a()
	h.Write([]byte("credkv split v1\x00" + r.Family))
	return h.Sum32()%5 == 0
}

// ReadRows reads the credential folders under dir after checking each
// against its pin.
func ReadRows(dir string) ([]Row, error) {
	l := classifier.DefaultLock()
	var out []Row
	for _, f := range Folders {
		p, ok := l.Learns(f)
		if !ok {
			return nil, fmt.Errorf("credkv: %s is not pinned for training in datasets.lock", f)
		}
		if err := p.Verify(dir); err != nil {
			return nil, err
		}
		rows, err := readFolder(filepath.Join(dir, f, "data.jsonl"), f)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

func readFolder(path, folder string) ([]Row, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []Row
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		var r struct {
			Text  string
			Label string
			Meta  struct {
				Group        string
				Family       string
				Rules        []string
				RuleID       string   `json:"rule_id"`
				RulesNearMis []string `json:"rules_near_miss"`
				Syntax       string
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		fam := r.Meta.Group
		switch {
		case r.Meta.RuleID != "":
			fam = r.Meta.RuleID
		case len(r.Meta.Rules) > 0 && fam == "":
			fam = r.Meta.Rules[0]
		case len(r.Meta.RulesNearMis) > 0 && fam == "":
			fam = r.Meta.RulesNearMis[0]
		case fam == "":
			fam = r.Meta.Family + ":" + r.Meta.Syntax
		}
		out = append(out, Row{Folder: folder, Text: r.Text, Secret: r.Label == "secret", Family: folder + "/" + fam})
	}
	return out, sc.Err()
}
