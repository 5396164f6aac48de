package classifier

import (
	"bufio"
	"bytes"
	_ "embed"
	"hash/fnv"
	"sort"
	"strings"
)

// The project's own test split: whole families of the shared datasets,
// about a fifth of every label's rows, that no model is trained on and no
// rule, threshold or calibration is tuned on. Grouped cross-validation runs
// on the rest; figures on this split are reported apart from it (warden
// eval --split test).
//
// The families were picked once by PickHeldOut (go run ./cmd/train -split)
// and are listed in heldout.txt; the list only grows (new folders' families
// are added by the same procedure), so a figure measured on it stays
// comparable.
//
//go:embed heldout.txt
var heldOutFile []byte

var heldOut = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(heldOutFile))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}()

// FamilyKey names a row's family across folders ("folder/family"; a row
// without a family is its folder's).
func FamilyKey(r Row) string {
	if r.Family == "" {
		return r.Folder + "/" + r.Folder
	}
	return r.Folder + "/" + r.Family
}

// HeldOut reports whether r belongs to the project's test split.
func HeldOut(r Row) bool { return heldOut[FamilyKey(r)] }

// WithoutHeldOut returns the rows not in the test split.
func WithoutHeldOut(rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		if !HeldOut(r) {
			out = append(out, r)
		}
	}
	return out
}

// heldOutShare is the share of each label's rows the split aims at, and
// heldOutCap the most it lets any label reach.
const (
	heldOutShare = 0.20
	heldOutCap   = 0.35
)

// PickHeldOut extends the listed families (keep) with families of rows
// until every label has about a fifth of its rows held out: families are
// taken in the order of a salted hash of their names (so the choice is
// blind to what they hold), each one only while a label it holds is short
// of its share and none would pass the cap. It returns the whole list,
// sorted.
func PickHeldOut(rows []Row, keep map[string]bool) []string {
	fams := map[string]map[string]int{}
	total := map[string]int{}
	for _, r := range rows {
		k := FamilyKey(r)
		if fams[k] == nil {
			fams[k] = map[string]int{}
		}
		fams[k][r.Label]++
		total[r.Label]++
	}
	held := map[string]int{}
	chosen := map[string]bool{}
	for k := range keep {
		if labels, ok := fams[k]; ok {
			chosen[k] = true
			for l, n := range labels {
				held[l] += n
			}
		}
	}
	order := make([]string, 0, len(fams))
	for k := range fams {
		order = append(order, k)
	}
	hash := func(s string) uint64 {
		h := fnv.New64a()
		h.Write([]byte("warden-heldout-v1/" + s))
		return h.Sum64()
	}
	sort.Slice(order, func(i, j int) bool { return hash(order[i]) < hash(order[j]) })
	for _, k := range order {
		if chosen[k] {
			continue
		}
		short, over := false, false
		for l, n := range fams[k] {
			if float64(held[l]) < heldOutShare*float64(total[l]) {
				short = true
			}
			if float64(held[l]+n) > heldOutCap*float64(total[l]) {
				over = true
			}
		}
		if short && !over {
			chosen[k] = true
			for l, n := range fams[k] {
				held[l] += n
			}
		}
	}
	out := make([]string, 0, len(chosen))
	for k := range chosen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
