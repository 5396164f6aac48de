package detect

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/wardenhq/warden/internal/scan"
)

// Leak finds the system prompt of an interaction repeated in the model's
// answer: runs of shingleWords consecutive words shared by a system part and
// an assistant part. It also finds configured canary tokens, strings a team
// plants in its system prompts that should never appear in an answer.
type Leak struct {
	Canaries []string

	// sys caches the shingles of recent system prompts: an application
	// sends the same one with every request, and a stream is checked
	// window by window.
	mu  sync.Mutex
	sys map[string]map[uint64]bool
}

const maxCachedPrompts = 256

// systemShingles returns the shingle set of a system prompt's normalised
// text, from the cache when it can.
func (d *Leak) systemShingles(text string) map[uint64]bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if set, ok := d.sys[text]; ok {
		return set
	}
	set := map[uint64]bool{}
	for _, sh := range shingles(text) {
		set[sh.h] = true
	}
	if d.sys == nil || len(d.sys) >= maxCachedPrompts {
		d.sys = map[string]map[uint64]bool{}
	}
	d.sys[strings.Clone(text)] = set
	return set
}

var _ scan.Detector = (*Leak)(nil)

const (
	shingleWords = 8
	// minShared shared shingles make a leak: one 8-word run can be a
	// common phrase; several cannot.
	minShared = 3
)

// Name implements scan.Detector.
func (*Leak) Name() string { return "leak" }

// Roles implements scan.RoleFilter.
func (*Leak) Roles() []scan.Role { return []scan.Role{scan.RoleAssistant, scan.RoleToolCall} }

// Detect implements scan.Detector.
func (d *Leak) Detect(_ context.Context, in *scan.Input) ([]scan.Finding, error) {
	var out []scan.Finding
	var sys map[uint64]bool
	canaries := d.Canaries
	for i := range in.Parts {
		if in.Parts[i].Role == scan.RoleSystem {
			canaries = append(canaries, planted(in.Parts[i].Text)...)
		}
	}
	for i := range in.Parts {
		if in.Parts[i].Role == scan.RoleSystem {
			set := d.systemShingles(in.Parts[i].Normalized().Text)
			if sys == nil {
				sys = set
				continue
			}
			merged := make(map[uint64]bool, len(sys)+len(set))
			for h := range sys {
				merged[h] = true
			}
			for h := range set {
				merged[h] = true
			}
			sys = merged
		}
	}
	if len(sys) == 0 && len(canaries) == 0 {
		return nil, nil // nothing to compare answers with
	}
	for i := range in.Parts {
		p := &in.Parts[i]
		if p.Role != scan.RoleAssistant && p.Role != scan.RoleToolCall {
			continue
		}
		n := p.Normalized()
		for _, c := range canaries {
			if c == "" {
				continue
			}
			if j := strings.Index(n.Text, strings.ToLower(c)); j >= 0 {
				out = append(out, scan.Finding{Category: scan.CategoryDataLeakage, Type: "system_prompt_leak", Confidence: 0.99,
					Severity: scan.SeverityHigh, Detector: "leak", Part: i, Spans: []scan.Span{n.Original(j, j+len(c))},
					Reason: "a canary token from the system prompt appears in the answer"})
			}
		}
		if len(sys) == 0 {
			continue
		}
		shared, total := 0, 0
		first, last := -1, 0
		for _, sh := range shingles(n.Text) {
			total++
			if sys[sh.h] {
				shared++
				if first < 0 {
					first = sh.start
				}
				last = sh.end
			}
		}
		if shared < minShared {
			continue
		}
		// Confidence grows with how much of the system prompt came back.
		frac := float64(shared) / float64(len(sys))
		conf := min(0.7+frac, 0.99)
		out = append(out, scan.Finding{Category: scan.CategoryDataLeakage, Type: "system_prompt_leak", Confidence: round(conf),
			Severity: scan.SeverityMedium, Detector: "leak", Part: i, Spans: []scan.Span{n.Original(first, last)},
			Reason: fmt.Sprintf("%d runs of %d words shared with the system prompt (%.0f%% of it)", shared, shingleWords, 100*frac)})
	}
	return out, nil
}

type shingle struct {
	h          uint64
	start, end int
}

// shingles hashes every run of shingleWords consecutive words.
func shingles(text string) []shingle {
	var starts, ends []int
	in := false
	for i := 0; i <= len(text); i++ {
		word := i < len(text) && text[i] != ' ' && !strings.ContainsRune(".,;:!?\"'()[]{}", rune(text[i]))
		switch {
		case word && !in:
			starts, in = append(starts, i), true
		case !word && in:
			ends, in = append(ends, i), false
		}
	}
	var out []shingle
	for k := 0; k+shingleWords <= len(starts); k++ {
		h := uint64(14695981039346656037)
		for w := k; w < k+shingleWords; w++ {
			for _, c := range []byte(text[starts[w]:ends[w]]) {
				h = (h ^ uint64(c)) * 1099511628211
			}
			h = (h ^ ' ') * 1099511628211
		}
		out = append(out, shingle{h, starts[k], ends[k+shingleWords-1]})
	}
	return out
}

// planted returns the canary tokens the gateway planted in a system prompt.
func planted(text string) []string {
	var out []string
	for {
		i := strings.Index(text, scan.CanaryPrefix)
		if i < 0 {
			return out
		}
		end := i + len(scan.CanaryPrefix)
		for end < len(text) && end-i < len(scan.CanaryPrefix)+32 && (text[end] >= '0' && text[end] <= '9' || text[end] >= 'a' && text[end] <= 'f') {
			end++
		}
		out = append(out, text[i:end])
		text = text[end:]
	}
}
