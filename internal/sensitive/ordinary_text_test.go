package sensitive

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTypeOnOrdinaryText counts the benign rows of every shared folder, and
// faker-pii's look-alike rows, in which one sensitive type is found: the
// look-alike side of a change to that type. An experiment:
// WARDEN_EXPERIMENTS=1 WARDEN_TYPE=person_name go test -run TestTypeOnOrdinaryText -v ./internal/sensitive/
func TestTypeOnOrdinaryText(t *testing.T) {
	typ := os.Getenv("WARDEN_TYPE")
	if os.Getenv("WARDEN_EXPERIMENTS") == "" || typ == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 and WARDEN_TYPE to run it")
	}
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob("../../../shared/datasets/*/data.jsonl")
	if len(paths) == 0 {
		t.Skip("../shared/datasets is absent")
	}
	var n, hit, ln, lhit int
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var r struct {
				Text, Label string
				Meta        struct{ Family string }
			}
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			look := strings.HasPrefix(r.Meta.Family, "faker_lookalike")
			if r.Label != "benign" && !look {
				continue
			}
			found := false
			for _, m := range c.Find(r.Text) {
				found = found || m.Type == typ
			}
			switch {
			case look:
				ln++
				if found {
					lhit++
				}
			default:
				n++
				if found {
					hit++
				}
			}
		}
		f.Close()
	}
	fmt.Printf("%s: benign rows %d of %d; faker-pii look-alikes %d of %d\n", typ, hit, n, lhit, ln)
}
