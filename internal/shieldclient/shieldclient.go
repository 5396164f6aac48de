// Package shieldclient is a detector that asks an external Prompt Shields
// endpoint (Azure AI Content Safety, or anything that speaks its
// shieldPrompt API, Warden included) for a second opinion. It lives apart
// from package detect because it is the one detector that uses the network.
package shieldclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/httpjson"
	"github.com/wardenhq/warden/internal/scan"
)

// Remote asks the endpoint about the user prompt and documents. It has a
// timeout, and a choice for when the service fails: open (the other
// detectors decide) or closed (the interaction is treated as an attack).
type Remote struct {
	URL        string // https://<resource>.cognitiveservices.azure.com
	Key        string // sent as Ocp-Apim-Subscription-Key
	Timeout    time.Duration
	FailClosed bool
	Client     *http.Client
}

var _ scan.Detector = (*Remote)(nil)

// Name implements scan.Detector.
func (*Remote) Name() string { return "prompt_shields" }

// Roles implements scan.RoleFilter.
func (*Remote) Roles() []scan.Role {
	return []scan.Role{scan.RoleUser, scan.RoleDocument, scan.RoleTool}
}

type shieldReq struct {
	UserPrompt string   `json:"userPrompt"`
	Documents  []string `json:"documents"`
}

type shieldResp struct {
	UserPromptAnalysis *struct {
		AttackDetected bool `json:"attackDetected"`
	} `json:"userPromptAnalysis"`
	DocumentsAnalysis []struct {
		AttackDetected bool `json:"attackDetected"`
	} `json:"documentsAnalysis"`
}

// Detect implements scan.Detector.
func (d *Remote) Detect(ctx context.Context, in *scan.Input) ([]scan.Finding, error) {
	var req shieldReq
	var userParts, docParts []int
	var user []string
	for i, p := range in.Parts {
		switch p.Role {
		case scan.RoleUser:
			user = append(user, p.Text)
			userParts = append(userParts, i)
		case scan.RoleDocument, scan.RoleTool:
			req.Documents = append(req.Documents, p.Text)
			docParts = append(docParts, i)
		}
	}
	if len(userParts) == 0 && len(docParts) == 0 {
		return nil, nil
	}
	req.UserPrompt = strings.Join(user, "\n")
	resp, err := d.call(ctx, req)
	if err != nil {
		if !d.FailClosed {
			return nil, err
		}
		part := 0
		if len(userParts) > 0 {
			part = userParts[0]
		} else {
			part = docParts[0]
		}
		cat, typ := scan.CategoryJailbreak, "jailbreak"
		if in.Parts[part].Role != scan.RoleUser {
			cat, typ = scan.CategoryDataPoisoning, "indirect_prompt_injection"
		}
		return []scan.Finding{{Category: cat, Type: typ, Confidence: 1, Severity: scan.SeverityMedium, Detector: "prompt_shields",
			Part: part, Spans: []scan.Span{{0, len(in.Parts[part].Text)}}, Reason: "prompt shields unavailable, failing closed: " + err.Error()}}, nil
	}
	var out []scan.Finding
	if resp.UserPromptAnalysis != nil && resp.UserPromptAnalysis.AttackDetected {
		for _, i := range userParts {
			out = append(out, scan.Finding{Category: scan.CategoryJailbreak, Type: "jailbreak", Confidence: 0.9, Severity: scan.SeverityMedium,
				Detector: "prompt_shields", Part: i, Spans: []scan.Span{{0, len(in.Parts[i].Text)}}, Reason: "prompt shields: attack detected in the user prompt"})
		}
	}
	for k, a := range resp.DocumentsAnalysis {
		if a.AttackDetected && k < len(docParts) {
			i := docParts[k]
			out = append(out, scan.Finding{Category: scan.CategoryDataPoisoning, Type: "indirect_prompt_injection", Confidence: 0.9,
				Severity: scan.SeverityHigh, Detector: "prompt_shields", Part: i, Spans: []scan.Span{{0, len(in.Parts[i].Text)}},
				Reason: "prompt shields: attack detected in a document"})
		}
	}
	return out, nil
}

func (d *Remote) call(ctx context.Context, req shieldReq) (*shieldResp, error) {
	h := http.Header{}
	if d.Key != "" {
		h.Set("Ocp-Apim-Subscription-Key", d.Key)
	}
	b, err := httpjson.Post(ctx, d.Client, strings.TrimSuffix(d.URL, "/")+"/contentsafety/text:shieldPrompt?api-version=2024-09-01",
		h, req, d.Timeout, "prompt shields")
	if err != nil {
		return nil, err
	}
	var out shieldResp
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("prompt shields answer: %w", err)
	}
	return &out, nil
}
