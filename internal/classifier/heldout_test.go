package classifier

import (
	"fmt"
	"strings"
	"testing"
)

// TestHeldOutSplitIsBalanced checks the project's test split on the shared
// data: every label has a fifth to a third of its trainable rows held out,
// in families of several languages, and the split is what PickHeldOut
// gives (the list in heldout.txt is current).
func TestHeldOutSplitIsBalanced(t *testing.T) {
	needDatasets(t)
	rows, err := ReadRows(datasets)
	if err != nil {
		t.Fatal(err)
	}
	held, all := map[string]int{}, map[string]int{}
	langs := map[string]bool{}
	var usable []Row
	for _, r := range rows {
		if EvalOnly(r.Folder) {
			continue
		}
		usable = append(usable, r)
		all[r.Label]++
		if HeldOut(r) {
			held[r.Label]++
			if i := strings.LastIndexByte(r.Family, '_'); i > 0 && len(r.Family)-i == 3 {
				langs[r.Family[i+1:]] = true
			}
		}
	}
	for _, l := range []string{"jailbreak", "injection", "benign", "harmful"} {
		share := float64(held[l]) / float64(all[l])
		if share < 0.15 || share > heldOutCap {
			t.Errorf("%s: %d of %d rows held out (%.2f), want 0.15-%.2f", l, held[l], all[l], share, heldOutCap)
		}
	}
	if len(langs) < 5 {
		t.Errorf("held-out families cover languages %v, want at least 5", langs)
	}
	if got, want := fmt.Sprint(PickHeldOut(usable, heldOut)), fmt.Sprint(PickHeldOut(usable, heldOut)); got != want {
		t.Errorf("PickHeldOut is not deterministic")
	}
	if got := len(PickHeldOut(usable, heldOut)); got != len(heldOut) {
		t.Errorf("PickHeldOut over the shared data gives %d families, heldout.txt lists %d: run go run ./cmd/train -split", got, len(heldOut))
	}
}

// TestPickHeldOut: families are taken whole until each label has its
// share, never past the cap, and listed families are kept.
func TestPickHeldOut(t *testing.T) {
	var rows []Row
	for f := 0; f < 20; f++ {
		for i := 0; i < 10; i++ {
			rows = append(rows, Row{Folder: "a", Family: fmt.Sprintf("atk%d", f), Label: "injection"})
			rows = append(rows, Row{Folder: "a", Family: fmt.Sprintf("ben%d", f), Label: "benign"})
		}
	}
	rows = append(rows, Row{Folder: "b", Family: "huge", Label: "benign"})
	for i := 0; i < 500; i++ {
		rows = append(rows, Row{Folder: "b", Family: "huge", Label: "benign"})
	}
	got := PickHeldOut(rows, map[string]bool{"a/atk7": true})
	has := map[string]bool{}
	byLabel := map[string]int{}
	for _, k := range got {
		has[k] = true
	}
	for _, r := range rows {
		if has[FamilyKey(r)] {
			byLabel[r.Label]++
		}
	}
	if !has["a/atk7"] || has["b/huge"] {
		t.Errorf("picked %v: want a/atk7 kept and b/huge (over the cap) left out", got)
	}
	if byLabel["injection"] < 40 || byLabel["injection"] > 70 {
		t.Errorf("%d of 200 injection rows held out, want 40-70", byLabel["injection"])
	}
}
