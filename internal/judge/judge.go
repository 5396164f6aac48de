// Package judge asks a classifier the team runs itself for a second
// opinion on the prompts Warden's own detectors are unsure of: a guard
// model behind an OpenAI-compatible chat endpoint (Llama Guard and the
// like) or a text-classification endpoint (as TEI and vLLM serve Prompt
// Guard). It is off by default, has a timeout, a budget of calls a
// minute, and a choice of failing open or closed; every verdict it gives
// is a finding that names the endpoint's answer and how long it took.
package judge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/httpjson"
	"github.com/wardenhq/warden/internal/scan"
)

// Kinds of endpoint.
const (
	KindChat     = "chat"     // POST {url} with an OpenAI chat request; "unsafe..." means an attack
	KindClassify = "classify" // POST {url} with {"inputs": text}; labels and scores back
)

// Remote is a judge over HTTP.
type Remote struct {
	Kind    string
	URL     string // the full endpoint URL
	Model   string // sent in chat requests
	Key     string // sent as a bearer token when set
	Timeout time.Duration
	// FailClosed makes an unreachable, failing or over-budget endpoint
	// count as an attack; otherwise the detectors' verdict stands.
	FailClosed bool
	// PerMinute bounds the calls a minute (0: 600).
	PerMinute int
	// AttackLabels are the classify labels that mean an attack (default:
	// INJECTION, JAILBREAK, MALICIOUS, UNSAFE; matched without case).
	AttackLabels []string
	Client       *http.Client
	Now          func() time.Time

	mu     sync.Mutex
	window time.Time
	used   int
}

var _ scan.Judge = (*Remote)(nil)

// Name implements scan.Judge.
func (*Remote) Name() string { return "judge" }

// ErrBudget is returned when the minute's budget of calls is spent.
var ErrBudget = errors.New("the judge's budget for this minute is spent")

// Judge implements scan.Judge.
func (r *Remote) Judge(ctx context.Context, in *scan.Input, i int) (scan.Finding, bool, error) {
	p := in.Parts[i]
	cat, typ := scan.CategoryJailbreak, "jailbreak"
	if p.Role == scan.RoleDocument || p.Role == scan.RoleTool {
		cat, typ = scan.CategoryDataPoisoning, "indirect_prompt_injection"
	}
	f := scan.Finding{Category: cat, Type: typ, Severity: scan.SeverityMedium, Detector: "judge", Part: i,
		Spans: []scan.Span{{0, len(p.Text)}}}
	var verdict string
	var score float64
	start := time.Now()
	err := r.spend()
	if err == nil {
		verdict, score, err = r.ask(ctx, p.Text)
	}
	ms := time.Since(start).Milliseconds()
	if err != nil {
		if !r.FailClosed {
			return scan.Finding{}, false, err
		}
		f.Confidence = 1
		f.Reason = fmt.Sprintf("judge unavailable after %d ms, failing closed: %v", ms, err)
		return f, true, nil
	}
	if score <= 0 {
		return scan.Finding{}, false, nil
	}
	f.Confidence = score
	f.Reason = fmt.Sprintf("judge %s: %s in %d ms", r.name(), verdict, ms)
	return f, true, nil
}

func (r *Remote) name() string {
	if r.Model != "" {
		return r.Model
	}
	return r.Kind
}

// spend takes one call from the minute's budget.
func (r *Remote) spend() error {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	per := r.PerMinute
	if per <= 0 {
		per = 600
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := now(); t.Sub(r.window) >= time.Minute {
		r.window, r.used = t, 0
	}
	if r.used >= per {
		return ErrBudget
	}
	r.used++
	return nil
}

// ask calls the endpoint and returns its verdict in words and the attack
// score it means (0: none).
func (r *Remote) ask(ctx context.Context, text string) (string, float64, error) {
	var body any = map[string]any{"inputs": text}
	if r.Kind == KindChat {
		body = map[string]any{"model": r.Model, "temperature": 0, "max_tokens": 20,
			"messages": []map[string]string{{"role": "user", "content": text}}}
	}
	h := http.Header{}
	if r.Key != "" {
		h.Set("Authorization", "Bearer "+r.Key)
	}
	out, err := httpjson.Post(ctx, r.Client, r.URL, h, body, r.Timeout, "the judge")
	if err != nil {
		return "", 0, err
	}
	if r.Kind == KindChat {
		return chatVerdict(out)
	}
	return r.classifyVerdict(out)
}

// chatVerdict reads a guard model's chat answer: "safe", or "unsafe" with
// the categories on the next line (Llama Guard's format).
func chatVerdict(b []byte) (string, float64, error) {
	var v struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(b, &v); err != nil || len(v.Choices) == 0 {
		return "", 0, fmt.Errorf("the judge's answer is not a chat completion")
	}
	answer := strings.TrimSpace(v.Choices[0].Message.Content)
	first, rest, _ := strings.Cut(answer, "\n")
	switch strings.ToLower(strings.TrimSpace(first)) {
	case "safe":
		return "safe", 0, nil
	case "unsafe":
		return strings.TrimSpace("unsafe " + strings.Join(strings.Fields(rest), " ")), 0.9, nil
	}
	return "", 0, fmt.Errorf("the judge answered neither safe nor unsafe")
}

// classifyVerdict reads a classification answer: TEI's [{"label","score"}]
// (optionally nested once), or vLLM's {"data":[{"label"}]}. The score is
// the highest among attack labels.
func (r *Remote) classifyVerdict(b []byte) (string, float64, error) {
	type ls struct {
		Label string  `json:"label"`
		Score float64 `json:"score"`
	}
	var flat []ls
	var nested [][]ls
	var vllm struct {
		Data []ls `json:"data"`
	}
	switch {
	case json.Unmarshal(b, &flat) == nil && len(flat) > 0:
	case json.Unmarshal(b, &nested) == nil && len(nested) > 0:
		flat = nested[0]
	case json.Unmarshal(b, &vllm) == nil && len(vllm.Data) > 0:
		flat = vllm.Data
		for i := range flat {
			if flat[i].Score == 0 {
				flat[i].Score = 1 // vLLM names the winning label only
			}
		}
	default:
		return "", 0, fmt.Errorf("the judge's answer has no labels")
	}
	attack := r.AttackLabels
	if len(attack) == 0 {
		attack = []string{"INJECTION", "JAILBREAK", "MALICIOUS", "UNSAFE"}
	}
	best, label := 0.0, ""
	for _, x := range flat {
		for _, a := range attack {
			if strings.EqualFold(x.Label, a) && x.Score > best {
				best, label = x.Score, x.Label
			}
		}
	}
	if best == 0 {
		return "no attack label", 0, nil
	}
	return fmt.Sprintf("%s %.2f", label, best), best, nil
}
