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

// TestFakerAddresses counts the addresses of faker-pii (19 locales; rows
// no street-address pattern was written from) that the street-address
// type overlaps, per locale. An experiment, the figure in
// docs/data-security.md: WARDEN_EXPERIMENTS=1 go test -run TestFakerAddresses -v ./internal/sensitive/
func TestFakerAddresses(t *testing.T) {
	if os.Getenv("WARDEN_EXPERIMENTS") == "" {
		t.Skip("an experiment: set WARDEN_EXPERIMENTS=1 to run it")
	}
	f, err := os.Open("../../../shared/datasets/faker-pii/data.jsonl")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	c, _ := Default()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	gold, found := map[string]int{}, map[string]int{}
	for sc.Scan() {
		var r struct {
			Text string
			Meta struct {
				Locale string
				Spans  []struct {
					Type       string
					Start, End int
				}
			}
		}
		json.Unmarshal(sc.Bytes(), &r)
		ms := c.Find(r.Text)
		for _, s := range r.Meta.Spans {
			if !strings.Contains(s.Type, "ADDRESS") || s.Type == "EMAIL_ADDRESS" || s.Type == "IP_ADDRESS" {
				continue
			}
			gold[r.Meta.Locale]++
			for _, m := range ms {
				if m.Type == "us_street_address" && m.Span[0] < s.End && s.Start < m.Span[1] {
					found[r.Meta.Locale]++
					break
				}
			}
		}
	}
	var locales []string
	for k := range gold {
		locales = append(locales, k)
	}
	sort.Strings(locales)
	tg, tf := 0, 0
	for _, k := range locales {
		tg += gold[k]
		tf += found[k]
		fmt.Printf("%s %d of %d\n", k, found[k], gold[k])
	}
	fmt.Printf("addresses found: %d of %d\n", tf, tg)
}
