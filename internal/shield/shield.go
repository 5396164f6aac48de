// Package shield serves a Prompt Shields-compatible endpoint,
// POST /contentsafety/text:shieldPrompt, so applications that call Azure AI
// Content Safety Prompt Shields can point at Warden instead: the same
// request and response shapes, answered by Warden's own pipeline, with the
// findings that explain each verdict added alongside.
package shield

import (
	"encoding/json"
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/scan"
)

// Limits of the service it mirrors: a prompt of at most 10,000 characters
// and at most five documents of 10,000 characters in total.
const (
	maxPromptChars = 10000
	maxDocs        = 5
	maxDocChars    = 10000
	maxBody        = 1 << 20
)

type request struct {
	UserPrompt *string  `json:"userPrompt"`
	Documents  []string `json:"documents"`
}

type analysis struct {
	AttackDetected bool           `json:"attackDetected"`
	Findings       []scan.Finding `json:"findings,omitempty"`
}

type response struct {
	UserPromptAnalysis *analysis  `json:"userPromptAnalysis,omitempty"`
	DocumentsAnalysis  []analysis `json:"documentsAnalysis"`
}

// Handler answers shieldPrompt requests with p; a finding at or above
// pol.BlockAt is an attack.
func Handler(p *scan.Pipeline, pol scan.Policy) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := shieldPrompt(r, p, pol)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "InvalidRequestBody", "message": err.Error()}}) //nolint:errcheck
			return
		}
		json.NewEncoder(w).Encode(resp) //nolint:errcheck
	})
}

func shieldPrompt(r *http.Request, p *scan.Pipeline, pol scan.Policy) (*response, error) {
	if v := r.URL.Query().Get("api-version"); v == "" {
		return nil, errors.New("the api-version query parameter is required (2024-09-01)")
	}
	var req request
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	if err := dec.Decode(&req); err != nil {
		return nil, errors.New("the request body must be a JSON object with userPrompt and documents")
	}
	if req.UserPrompt == nil && len(req.Documents) == 0 {
		return nil, errors.New("userPrompt or documents is required")
	}
	if req.UserPrompt != nil && utf8.RuneCountInString(*req.UserPrompt) > maxPromptChars {
		return nil, errors.New("userPrompt is longer than 10000 characters")
	}
	if len(req.Documents) > maxDocs {
		return nil, errors.New("at most 5 documents are allowed")
	}
	total := 0
	for _, d := range req.Documents {
		total += utf8.RuneCountInString(d)
	}
	if total > maxDocChars {
		return nil, errors.New("documents are longer than 10000 characters in total")
	}
	resp := &response{DocumentsAnalysis: []analysis{}}
	if req.UserPrompt != nil {
		a := judge(r, p, pol, scan.RoleUser, *req.UserPrompt)
		resp.UserPromptAnalysis = &a
	}
	for _, d := range req.Documents {
		resp.DocumentsAnalysis = append(resp.DocumentsAnalysis, judge(r, p, pol, scan.RoleDocument, d))
	}
	return resp, nil
}

func judge(r *http.Request, p *scan.Pipeline, pol scan.Policy, role scan.Role, text string) analysis {
	in := scan.Input{Parts: []scan.Part{{Role: role, Text: text}}}
	res := p.Scan(r.Context(), &in, pol)
	a := analysis{Findings: res.Findings}
	for _, f := range res.Findings {
		if (f.Category == scan.CategoryJailbreak || f.Category == scan.CategoryDataPoisoning) && f.Confidence >= pol.BlockAt {
			a.AttackDetected = true
		}
	}
	return a
}
