package detect

import (
	"bufio"
	"context"
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/scan"
)

// TestEverydayPrompts runs the default pipeline over testdata/everyday.txt:
// 501 ordinary prompts written for this test (questions, writing, coding,
// maths, role-play, security work, prompt engineering, requests in 28
// languages, and the prompts new users tried first). None may be blocked,
// and at most 1% flagged as an attack at any level.
func TestEverydayPrompts(t *testing.T) {
	f, err := os.Open("testdata/everyday.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := Build(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := scan.NewPipeline(ds...)
	n, flagged := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		in := scan.Input{Parts: []scan.Part{{Role: scan.RoleUser, Text: sc.Text()}}}
		res := p.Scan(context.Background(), &in, scan.DefaultPolicy)
		top := 0.0
		for _, f := range res.Findings {
			if f.Category == scan.CategoryJailbreak || f.Category == scan.CategoryDataPoisoning {
				top = max(top, f.Confidence)
			}
		}
		if top >= scan.DefaultPolicy.BlockAt {
			t.Errorf("blocked: %q (%+v)", sc.Text(), res.Findings)
		}
		if top >= scan.DefaultPolicy.FlagAt {
			flagged++
			t.Logf("flagged %.2f: %q", top, sc.Text())
		}
	}
	if n < 500 {
		t.Fatalf("%d prompts in the file, want at least 500", n)
	}
	if float64(flagged) > 0.01*float64(n) {
		t.Errorf("%d of %d everyday prompts flagged as attacks, want at most 1%%", flagged, n)
	}
}
