package sensitive

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NameRow is one labelled sentence: its text and the byte spans of the
// person names in it. Group says which template it came from, for grouped
// cross-validation.
type NameRow struct {
	Text  string
	Names [][2]int
	Group string
	// Folder is the shared folder the row came from.
	Folder string
}

// NameFolders are the folders the name model learns from; each must be
// pinned for a data-security model in the training lock file. faker-pii
// is not one of them: trained on (all its rows, or its running text only)
// the model found more names in faker-pii's held-out locales and took
// German nouns and list items for names in ordinary text
// (TestNamesFakerHeldOut, docs/data-security.md); its names are found by
// the field patterns instead.
var NameFolders = []string{"presidio-synth"}

// HeldOut reports whether r is in the name model's fixed test split:
// faker-pii's rows of the four locales (of 19) whose salted hash is
// lowest, chosen blind to what they hold. They are never trained on.
func (r NameRow) HeldOut() bool {
	if r.Folder != "faker-pii" {
		return false
	}
	_, locale, _ := strings.Cut(r.Group, "/")
	return heldOutLocales[locale]
}

// runningText reports whether r is prose, what the model reads names in:
// faker-pii's structured rows (CSV, JSON, SQL, XML, vCard, labels,
// signatures) are left to the field patterns, and taught the model to take
// any capitalised word in a list for a name.
func runningText(r NameRow) bool {
	if r.Folder != "faker-pii" {
		return true
	}
	fam, _, _ := strings.Cut(r.Group, "/")
	return fam == "faker_pii_freetext"
}

var heldOutLocales = func() map[string]bool {
	all := strings.Fields("cs_CZ de_DE el_GR en_GB en_US es_ES fi_FI fr_FR hi_IN it_IT ja_JP ko_KR nl_NL pl_PL pt_BR ru_RU sv_SE uk_UA zh_CN")
	hash := func(l string) uint32 {
		h := fnv.New32a()
		h.Write([]byte("names split v1\x00" + l))
		return h.Sum32()
	}
	sort.Slice(all, func(i, j int) bool { return hash(all[i]) < hash(all[j]) })
	m := map[string]bool{}
	for _, l := range all[:4] {
		m[l] = true
	}
	return m
}()

// ReadNameTraining reads the name folders under dir, each checked
// against its pin by verify (classifier's lock; a function, so that this
// package need not import the prompt model's), without the held-out rows.
func ReadNameTraining(dir string, verify func(folder string) error) ([]NameRow, error) {
	var out []NameRow
	for _, f := range NameFolders {
		if err := verify(f); err != nil {
			return nil, err
		}
		rows, err := ReadNameRows(filepath.Join(dir, f, "data.jsonl"))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if !r.HeldOut() && runningText(r) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// ReadNameRows reads presidio-synth's JSONL (meta.spans in characters,
// type PERSON) into rows with byte spans.
func ReadNameRows(path string) ([]NameRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []NameRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var r struct {
			Text string `json:"text"`
			Meta struct {
				Family   string `json:"family"`
				Locale   string `json:"locale"`
				Template *int   `json:"template_id"`
				Spans    []struct {
					Type       string `json:"type"`
					Start, End int
				} `json:"spans"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		var off []int
		for i := range r.Text {
			off = append(off, i)
		}
		off = append(off, len(r.Text))
		// The group a row is held out with: its template (presidio-synth),
		// or its family (the format) and locale (faker-pii).
		group := r.Meta.Family + "/" + r.Meta.Locale
		if r.Meta.Template != nil {
			group = fmt.Sprintf("%s/%d", r.Meta.Family, *r.Meta.Template)
		}
		row := NameRow{Text: r.Text, Group: group, Folder: filepath.Base(filepath.Dir(path))}
		for _, s := range r.Meta.Spans {
			if s.Type == "PERSON" && s.Start >= 0 && s.End < len(off) && s.Start < s.End {
				row.Names = append(row.Names, [2]int{off[s.Start], off[s.End]})
			}
		}
		out = append(out, row)
	}
	return out, sc.Err()
}

// nameExample is one token to learn from: its features, its label and
// its weight.
type nameExample struct {
	fs []uint32
	y  float64
	wt float64
}

// nameExamples returns the examples of rows: every capitalised token,
// positive when it lies inside a labelled name, and every lower-case word
// seen as if capitalised (at the start of a sentence: "Our", "The") as a
// light negative, so that ordinary words do not pass for names. With p1
// set, the second pass's neighbour features are added.
func nameExamples(rows []NameRow, p1 func(NameRow, []token) []float64) []nameExample {
	var exs []nameExample
	for _, r := range rows {
		ts := tokens(r.Text, nil)
		var ps []float64
		if p1 != nil {
			ps = p1(r, ts)
		}
		for i, t := range ts {
			if !capitalised(t.w) {
				if lowerWord(t.w) {
					c := append([]token(nil), ts...)
					c[i].w = capitaliseFirst(t.w)
					fs := nameFeatures(c, i, nil)
					if ps != nil {
						fs = neighbourFeatures(c, r.Text, ps, i, fs)
					}
					exs = append(exs, nameExample{fs, 0, 0.3})
				}
				continue
			}
			if !candidate(r.Text, ts, i) {
				continue
			}
			y := 0.0
			for _, s := range r.Names {
				if t.s >= s[0] && t.e <= s[1] {
					y = 1
				}
			}
			fs := nameFeatures(ts, i, nil)
			if ps != nil {
				fs = neighbourFeatures(ts, r.Text, ps, i, fs)
			}
			exs = append(exs, nameExample{fs, y, 1})
		}
	}
	return exs
}

// fitNames runs AdaGrad on the weighted logistic loss, in a fixed order.
func fitNames(exs []nameExample) []float32 {
	const (
		epochs = 10
		rate   = 0.3
		l2     = 1e-5
	)
	w := make([]float64, 1<<nameBits+1)
	g := make([]float64, len(w))
	bias := len(w) - 1
	for range epochs {
		for _, e := range exs {
			z := w[bias]
			for _, f := range e.fs {
				z += w[f]
			}
			p := 1 / (1 + math.Exp(-z))
			d := (p - e.y) * e.wt
			step := func(i int) {
				gi := d + l2*w[i]
				g[i] += gi * gi
				w[i] -= rate * gi / (math.Sqrt(g[i]) + 1e-8)
			}
			for _, f := range e.fs {
				step(int(f))
			}
			step(bias)
		}
	}
	out := make([]float32, len(w))
	for i, v := range w {
		out[i] = float32(v)
	}
	return out
}

// TrainNames fits the name model on rows, deterministically. The first
// pass is fitted on all rows; the second pass learns from first-pass
// probabilities that were cross-fitted (each half of the templates scored
// by a first pass trained on the other half), so that it learns how far to
// trust the first pass on sentences that pass did not see.
func TrainNames(rows []NameRow) *NameModel {
	m := &NameModel{w1: fitNames(nameExamples(rows, nil))}
	var halves [2][]NameRow
	for _, r := range rows {
		h := fnv.New32a()
		h.Write([]byte(r.Group))
		halves[h.Sum32()%2] = append(halves[h.Sum32()%2], r)
	}
	other := [2]*NameModel{{w1: fitNames(nameExamples(halves[1], nil))}, {w1: fitNames(nameExamples(halves[0], nil))}}
	p1 := func(r NameRow, ts []token) []float64 {
		h := fnv.New32a()
		h.Write([]byte(r.Group))
		w1 := other[h.Sum32()%2].w1
		ps := make([]float64, len(ts))
		var fs []uint32
		for i := range ts {
			if candidate(r.Text, ts, i) {
				fs = nameFeatures(ts, i, fs)
				ps[i] = prob(w1, fs)
			}
		}
		return ps
	}
	m.w2 = fitNames(nameExamples(rows, p1))
	return m
}

// NameScore is entity-level precision and recall of a name model on rows:
// a predicted span is right when it covers a labelled name with
// intersection over union of at least 0.5.
type NameScore struct{ Pred, Correct, Gold, Found int }

// ScoreNames scores m on rows.
func ScoreNames(m *NameModel, rows []NameRow) NameScore {
	var s NameScore
	for _, r := range rows {
		ms := m.find(r.Text)
		s.Pred += len(ms)
		s.Gold += len(r.Names)
		for _, p := range ms {
			for _, g := range r.Names {
				if iouSpan(p.Span, g) >= 0.5 {
					s.Correct++
					break
				}
			}
		}
		for _, g := range r.Names {
			for _, p := range ms {
				if iouSpan(p.Span, g) >= 0.5 {
					s.Found++
					break
				}
			}
		}
	}
	return s
}

func iouSpan(a, b [2]int) float64 {
	inter := min(a[1], b[1]) - max(a[0], b[0])
	if inter <= 0 {
		return 0
	}
	return float64(inter) / float64(max(a[1], b[1])-min(a[0], b[0]))
}

// lowerWord reports a word of lower-case letters only.
func lowerWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLower(r) {
			return false
		}
	}
	return len(w) > 1
}

func capitaliseFirst(w string) string {
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[size:]
}
