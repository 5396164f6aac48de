package sensitive

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

const presidioPath = "../../../shared/datasets/presidio-synth/data.jsonl"

// presidioTypes maps each Presidio entity type to the Warden types that
// stand for it. Types with no Warden counterpart (ORGANIZATION, GPE, TITLE,
// AGE, NRP, ...) are not personal data on their own and are not scored
// for recall; a Warden match on them still counts as correct (it overlaps
// labelled text) as in Presidio's own binary PII-or-not scoring.
var presidioTypes = map[string][]string{
	"CREDIT_CARD":       {"credit_card"},
	"IBAN_CODE":         {"iban"},
	"US_SSN":            {"us_ssn"},
	"US_DRIVER_LICENSE": {"us_drivers_license"},
	"EMAIL_ADDRESS":     {"email_address"},
	"PHONE_NUMBER":      {"phone_number"},
	"IP_ADDRESS":        {"ip_address"},
	"PERSON":            {"person_name"},
	"STREET_ADDRESS":    {"us_street_address"},
	"ADDRESS":           {"us_street_address", "us_zip_code", "uk_postcode"},
	"ZIP_CODE":          {"us_zip_code", "uk_postcode"},
	"DATE_TIME":         {"date_of_birth"},
}

// structured are the identifier types a pattern and validator can find;
// the headline figure is over these. Names and free-form addresses need a
// model of language and are reported apart.
var structured = map[string]bool{"CREDIT_CARD": true, "IBAN_CODE": true, "US_SSN": true, "US_DRIVER_LICENSE": true,
	"EMAIL_ADDRESS": true, "PHONE_NUMBER": true, "IP_ADDRESS": true}

type span struct {
	Type       string
	Start, End int
}

func iou(a, b [2]int) float64 {
	inter := min(a[1], b[1]) - max(a[0], b[0])
	if inter <= 0 {
		return 0
	}
	return float64(inter) / float64(max(a[1], b[1])-min(a[0], b[0]))
}

// TestPresidioSynth scores the built-in types entity by entity on
// presidio-research's synthetic PII sentences: a prediction is correct when
// it covers a labelled span with intersection over union of at least 0.5;
// a labelled span is found when a prediction of a matching type does.
// Spans are in characters there and bytes here; both are converted to bytes.
func TestPresidioSynth(t *testing.T) {
	f, err := os.Open(presidioPath)
	if err != nil {
		t.Skipf("presidio-synth not available (%v): run with ../shared beside the repository", err)
	}
	defer f.Close()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	type count struct{ gold, found, pred, correct int }
	byType := map[string]*count{}
	get := func(k string) *count {
		if byType[k] == nil {
			byType[k] = &count{}
		}
		return byType[k]
	}
	var sPred, sCorrect int // predictions of the structured types' Warden counterparts
	wardenStructured := map[string]bool{}
	for k := range structured {
		for _, w := range presidioTypes[k] {
			wardenStructured[w] = true
		}
	}
	var fps, misses []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var row struct {
			Text string
			Meta struct{ Spans []span }
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		off := runeOffsets(row.Text)
		var gold []span
		for _, s := range row.Meta.Spans {
			if s.Start < 0 || s.End >= len(off) || s.Start > s.End {
				continue
			}
			gold = append(gold, span{s.Type, off[s.Start], off[s.End]})
		}
		ms := c.Find(row.Text)
		for _, g := range gold {
			if presidioTypes[g.Type] == nil {
				continue
			}
			get(g.Type).gold++
			hit := false
			for _, m := range ms {
				if contains(presidioTypes[g.Type], m.Type) && iou(m.Span, [2]int{g.Start, g.End}) >= 0.5 {
					get(g.Type).found++
					hit = true
					break
				}
			}
			if !hit && structured[g.Type] {
				misses = append(misses, fmt.Sprintf("%s %q in %q", g.Type, row.Text[g.Start:g.End], row.Text[max(0, g.Start-40):g.Start]))
			}
		}
		for _, m := range ms {
			ok := false
			for _, g := range gold {
				if iou(m.Span, [2]int{g.Start, g.End}) >= 0.5 {
					ok = true
				}
			}
			cm := get("warden:" + m.Type)
			cm.pred++
			if ok {
				cm.correct++
			} else {
				fps = append(fps, fmt.Sprintf("%s %q", m.Type, row.Text[m.Span[0]:m.Span[1]]))
			}
			if wardenStructured[m.Type] {
				sPred++
				if ok {
					sCorrect++
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range byType {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sGold, sFound int
	for _, k := range keys {
		v := byType[k]
		if strings.HasPrefix(k, "warden:") {
			t.Logf("%-32s predictions %4d  precision %.3f", k, v.pred, float64(v.correct)/float64(v.pred))
			continue
		}
		t.Logf("%-32s labelled %4d  recall %.3f", k, v.gold, float64(v.found)/float64(v.gold))
		if structured[k] {
			sGold += v.gold
			sFound += v.found
		}
	}
	p, r := float64(sCorrect)/float64(sPred), float64(sFound)/float64(sGold)
	t.Logf("structured identifiers: precision %.3f (%d/%d), recall %.3f (%d/%d)", p, sCorrect, sPred, r, sFound, sGold)
	if testing.Verbose() {
		for _, s := range fps {
			t.Logf("unmatched prediction: %s", s)
		}
		for _, s := range misses {
			t.Logf("missed: %s", s)
		}
	}
	if p < 0.95 || r < 0.92 {
		t.Errorf("structured identifiers: precision %.3f recall %.3f, want at least 0.95 and 0.92", p, r)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// runeOffsets maps character offsets to byte offsets (one past the end
// included).
func runeOffsets(s string) []int {
	var off []int
	for i := range s {
		off = append(off, i)
	}
	return append(off, len(s))
}
