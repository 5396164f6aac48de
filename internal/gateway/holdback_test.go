package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/detect"
	"github.com/wardenhq/warden/internal/llmapi"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/sensitive"
	"github.com/wardenhq/warden/internal/subscription"
)

// blockingValue is a text a model could answer with that block mode must
// stop, and where the value that makes it block starts.
type blockingValue struct {
	name  string
	text  string
	start int
}

// blockingValues returns, for every credential rule and sensitive type
// whose examples block in a response, the example inside a sentence and
// the start of the earliest blocking finding. Examples that do not block
// (advisory types, low confidence) are left out: nothing is held for them.
func blockingValues(t *testing.T, p *scan.Pipeline, examples map[string][]string) []blockingValue {
	t.Helper()
	var out []blockingValue
	for name, exs := range examples {
		for i, ex := range exs {
			text := "Sure, here is what you asked for: " + ex + " Let me know if there is anything else."
			in := scan.Input{Parts: []scan.Part{{Role: scan.RoleAssistant, Text: text}}}
			res := p.Scan(context.Background(), &in, scan.DefaultPolicy)
			if res.Verdict != scan.VerdictBlock {
				continue
			}
			start := len(text)
			for _, f := range res.Findings {
				if f.Confidence >= scan.DefaultPolicy.BlockAt && !f.Advisory {
					for _, sp := range f.Spans {
						start = min(start, sp[0])
					}
				}
			}
			out = append(out, blockingValue{name: fmt.Sprintf("%s/%d", name, i), text: text, start: start})
		}
	}
	return out
}

// chunks splits s into pieces of n runes.
func chunks(s string, n int) []string {
	var out []string
	for len(s) > 0 {
		i, k := 0, 0
		for k < n && i < len(s) {
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
			k++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// streamThrough sends deltas as an OpenAI chat stream through a block-mode
// stream body and returns the text the client received and whether the
// stream was cut.
func streamThrough(t *testing.T, g *Gateway, deltas []string) (string, bool) {
	t.Helper()
	var sse strings.Builder
	for _, d := range deltas {
		sse.WriteString(`data: {"choices":[{"index":0,"delta":{"content":` + jsonString(d) + `}}]}` + "\n\n")
	}
	sse.WriteString("data: [DONE]\n\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ex := &exchange{ep: endpoint{style: config.StyleOpenAI, api: llmapi.OpenAIChat}, scan: true, block: true,
		policy: scan.DefaultPolicy, clientCtx: ctx, cancel: cancel}
	sb := newStreamBody(g, ex, io.NopCloser(strings.NewReader(sse.String())))
	out, err := io.ReadAll(sb)
	sb.Close()
	if err != nil {
		t.Fatal(err)
	}
	var dec llmapi.Decoder
	dec.Write(out)
	asm := llmapi.NewStream(llmapi.OpenAIChat)
	cut := false
	for {
		_, ev, ok, err := dec.Next()
		if err != nil || !ok {
			break
		}
		cut = cut || strings.Contains(string(ev.Data), "content_filter")
		asm.Event(ev) //nolint:errcheck // the client's view: what parses
	}
	var got strings.Builder
	for _, p := range asm.Parts() {
		got.WriteString(p.Text)
	}
	return got.String(), cut
}

// TestStreamHoldsBackBlockedValues drives every credential rule and
// sensitive type that blocks through a block-mode stream in deltas of 1 to
// 8 characters, and checks that the stream is cut before a single
// character of the value reaches the client. Gitleaks' rules are driven
// with one fabricated secret each from the shared datasets, where present.
func TestStreamHoldsBackBlockedValues(t *testing.T) {
	h := newHarness(t, withMode(subscription.ModeBlock), func(c *config.Config, _ memSettings) {
		c.Scan.Detectors = []string{"secrets", "sensitive"}
	})
	secrets, err := detect.DefaultSecrets()
	if err != nil {
		t.Fatal(err)
	}
	examples := map[string][]string{}
	for _, r := range secrets.Rules() {
		examples["secret/"+r.ID] = r.Match
	}
	types, err := sensitive.BuiltinTypes()
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range types {
		examples["sensitive/"+ty.ID] = ty.Match
	}
	for id, ex := range gitleaksExamples(t) {
		examples["gitleaks/"+id] = []string{ex}
	}
	values := blockingValues(t, h.gw.pipeline, examples)
	if len(values) < 60 {
		t.Fatalf("only %d blocking examples: the test would prove little", len(values))
	}
	kinds := map[string]bool{}
	for _, v := range values {
		kinds[v.name[:strings.LastIndex(v.name, "/")]] = true
	}
	t.Logf("%d blocking examples of %d kinds, each in deltas of 1-8 characters", len(values), len(kinds))
	for n := 1; n <= 8; n++ {
		t.Run(fmt.Sprintf("deltas of %d", n), func(t *testing.T) {
			t.Parallel()
			for _, v := range values {
				got, cut := streamThrough(t, h.gw, chunks(v.text, n))
				if !cut {
					t.Errorf("%s: the stream was not cut (client got %q)", v.name, got)
					continue
				}
				if !strings.HasPrefix(v.text, got) || len(got) > v.start {
					t.Errorf("%s: the client got %q, %d characters of the value %q",
						v.name, got, len(got)-v.start, v.text[v.start:])
				}
			}
		})
	}
}

// TestStreamHoldBackReleasesText checks the other side: ordinary text and
// short numbers flow (released once no value can start in them), and a
// stream that completes delivers everything, byte for byte.
func TestStreamHoldBackReleasesText(t *testing.T) {
	h := newHarness(t, withMode(subscription.ModeBlock), func(c *config.Config, _ memSettings) {
		c.Scan.Detectors = []string{"secrets", "sensitive"}
	})
	text := "The meeting moved to room 12 at 3pm. Bring the 2024 report, the order 998877665 and your laptop."
	for n := 1; n <= 8; n++ {
		got, cut := streamThrough(t, h.gw, chunks(text, n))
		if cut || got != text {
			t.Errorf("%d-character deltas: got %q (cut %v), want the whole text", n, got, cut)
		}
	}
	// Mid-stream, before the end: text before the trailing word is out,
	// a number with six or more digits waits for its keyword window.
	g := h.gw
	hold := func(s string) int { return g.pipeline.Hold(scan.RoleAssistant, s, 0) }
	for _, tt := range []struct {
		give string
		want int
	}{
		{"Hello there, how are", len("Hello there, how ")},
		{"Hello there ", len("Hello there ")},
		{"order 998877665 shipped ", len("order ")},
		{"order 998877665 shipped " + strings.Repeat("and so on ", 40), len("order 998877665 shipped " + strings.Repeat("and so on ", 40))},
		{"card 4539 3010 ", len("card ")},
		{"key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAbc ", len("key: ")},
		{"-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY----- done ", len("-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY----- done ")},
	} {
		if got := hold(tt.give); got != tt.want {
			t.Errorf("Hold(%q) = %d (%q held), want %d (%q held)", tt.give, got, tt.give[got:], tt.want, tt.give[tt.want:])
		}
	}
}

// gitleaksExamples reads one fabricated secret per gitleaks rule from the
// shared datasets (gitleaks_tp rows), or none where they are absent.
func gitleaksExamples(t *testing.T) map[string]string {
	const path = "../../../shared/datasets/gitleaks-rules/data.jsonl"
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing: %v", path, err)
		}
		t.Logf("%s not found: gitleaks' rules are not driven (%v)", path, err)
		return nil
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var row struct {
			Text string `json:"text"`
			Meta struct {
				Family string   `json:"family"`
				Rules  []string `json:"rules"`
			} `json:"meta"`
		}
		if json.Unmarshal(sc.Bytes(), &row) != nil || row.Meta.Family != "gitleaks_tp" || len(row.Meta.Rules) != 1 {
			continue
		}
		if _, ok := out[row.Meta.Rules[0]]; !ok && !strings.Contains(row.Text, "\n") {
			out[row.Meta.Rules[0]] = row.Text
		}
	}
	return out
}

// TestStreamHoldBackFailsClosed: a run of text longer than maxHold that
// could still be a value is not released unjudged: block mode cuts the
// stream (having released nothing of the run).
func TestStreamHoldBackFailsClosed(t *testing.T) {
	h := newHarness(t, withMode(subscription.ModeBlock), func(c *config.Config, _ memSettings) {
		c.Scan.Detectors = []string{"secrets"}
	})
	run := strings.Repeat("Ab3", maxHold/3+100)
	got, cut := streamThrough(t, h.gw, append([]string{"Here: "}, chunks(run+" end.", 64)...))
	if !cut || got != "Here: " {
		t.Errorf("a %d-byte run: client got %d bytes (cut %v), want the stream cut after %q", maxHold+300, len(got), cut, "Here: ")
	}
}
