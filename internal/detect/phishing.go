package detect

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync/atomic"

	"github.com/wardenhq/warden/internal/scan"
)

// Phishing finds URLs whose host is on a list of known phishing domains, in
// any part of an interaction: sent by a user, planted in data, or produced
// by the model (a poisoned source steering users to a phishing page). A
// listed domain also matches its subdomains. The list comes from a file:
// threat-intelligence feeds plug in here.
type Phishing struct {
	domains atomic.Pointer[map[string]bool]
}

// NewPhishing returns a detector with an empty list, for feeds to fill
// (Replace) while it runs.
func NewPhishing() *Phishing {
	d := &Phishing{}
	d.domains.Store(&map[string]bool{})
	return d
}

// Replace swaps in the list of other atomically: scans in flight finish
// with the old list, new ones use the new.
func (d *Phishing) Replace(other *Phishing) { d.domains.Store(other.domains.Load()) }

// Len returns how many domains are listed.
func (d *Phishing) Len() int { return len(*d.domains.Load()) }

var _ scan.Detector = (*Phishing)(nil)

// LoadPhishing reads a domain list: one domain or URL a line; blank lines
// and lines starting with # are skipped.
func LoadPhishing(path string) (*Phishing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("phishing list: %w", err)
	}
	defer f.Close()
	return ReadPhishing(f)
}

// ReadPhishing reads a domain list from r.
func ReadPhishing(r io.Reader) (*Phishing, error) {
	domains := map[string]bool{}
	d := &Phishing{}
	d.domains.Store(&domains)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		host := line
		if strings.Contains(line, "://") {
			u, err := url.Parse(line)
			if err != nil || u.Hostname() == "" {
				return nil, fmt.Errorf("phishing list line %d: not a domain or URL", n)
			}
			host = u.Hostname()
		}
		if strings.ContainsAny(host, " \t/") || !strings.Contains(host, ".") {
			return nil, fmt.Errorf("phishing list line %d: not a domain or URL", n)
		}
		domains[strings.ToLower(strings.TrimSuffix(host, "."))] = true
	}
	return d, sc.Err()
}

// Name implements scan.Detector.
func (*Phishing) Name() string { return "phishing" }

// Detect implements scan.Detector.
func (d *Phishing) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	for i, p := range in.Parts {
		if p.Role == scan.RoleSystem {
			continue
		}
		for _, loc := range urlSpans(p.Text) {
			host := hostOf(p.Text[loc[0]:loc[1]])
			if !d.listed(host) {
				continue
			}
			typ := "phishing_url_prompt"
			switch p.Role {
			case scan.RoleAssistant, scan.RoleToolCall:
				typ = "phishing_url_response"
			case scan.RoleDocument, scan.RoleTool:
				typ = "phishing_url_data"
			}
			out = append(out, scan.Finding{Category: scan.CategoryThreatIntel, Type: typ, Confidence: 0.95,
				Severity: scan.SeverityHigh, Detector: "phishing", Part: i, Spans: []scan.Span{{loc[0], loc[1]}},
				Reason: "known phishing domain " + host})
		}
	}
	return out, nil
}

// listed reports whether host or one of its parent domains is listed.
func (d *Phishing) listed(host string) bool {
	domains := *d.domains.Load()
	for host != "" {
		if domains[host] {
			return true
		}
		i := strings.IndexByte(host, '.')
		if i < 0 {
			return false
		}
		host = host[i+1:]
	}
	return false
}

// urlSpans finds http(s) URLs and bare www. hosts in text.
func urlSpans(text string) [][2]int {
	var out [][2]int
	lower := strings.ToLower(text)
	for i := 0; i < len(lower); {
		j := -1
		for _, p := range []string{"http://", "https://", "www."} {
			if k := strings.Index(lower[i:], p); k >= 0 && (j < 0 || k < j) {
				j = k
			}
		}
		if j < 0 {
			break
		}
		start := i + j
		end := start
		for end < len(text) && !strings.ContainsRune(" \t\r\n\"'<>()[]{}`", rune(text[end])) {
			end++
		}
		out = append(out, [2]int{start, end})
		i = end + 1
	}
	return out
}

func hostOf(u string) string {
	if !strings.Contains(u, "://") {
		u = "http://" + u
	}
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(p.Hostname(), "."))
}
