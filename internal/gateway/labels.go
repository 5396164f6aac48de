package gateway

import (
	"net/http"

	"github.com/wardenhq/warden/internal/scan"
)

// Sides of an interaction a block is on.
const (
	sidePrompt   = "prompt"
	sideResponse = "response"
)

// blockingFinding returns the finding that made fs block under pol: the
// most confident one that may block (not advisory, not redacted) at or
// above the block threshold. An error names it, and not the first finding
// of the list (an e-mail address beside the SSN that blocked).
func blockingFinding(fs []scan.Finding, pol scan.Policy) (scan.Finding, bool) {
	var best scan.Finding
	found := false
	for _, f := range fs {
		if f.Advisory || f.Redacted || f.Confidence < pol.BlockAt {
			continue
		}
		if !found || f.Confidence > best.Confidence {
			best, found = f, true
		}
	}
	return best, found
}

// blockError is the error a block answers with: which side was blocked and
// by which finding, with the category and type its alert carries.
func blockError(side string, fs []scan.Finding, pol scan.Policy) *Error {
	verb := "blocked"
	if side == sideResponse {
		verb = "stopped"
	}
	e := errorf(http.StatusBadRequest, "content_filter", "the %s was %s by Warden threat protection", side, verb)
	e.Side = side
	if f, ok := blockingFinding(fs, pol); ok {
		e.Finding = &f
		e.Message += ": " + string(f.Category) + " (" + f.Reason + ")"
	}
	return e
}

// wardenDetail is what Warden adds to a provider's error shape: the side,
// the finding that blocked and the request id, for an SDK's caller to log
// and a SOC to find the alert by.
func wardenDetail(e *Error, requestID string) map[string]any {
	d := map[string]any{}
	if requestID != "" {
		d["request_id"] = requestID
	}
	if e.Side != "" {
		d["side"] = e.Side
	}
	if f := e.Finding; f != nil {
		d["category"], d["type"], d["detector"], d["confidence"] = f.Category, f.Type, f.Detector, f.Confidence
	}
	return d
}

// azureFilterCategory names a finding's category the way Azure's content
// filter results do, where there is a name for it.
func azureFilterCategory(e *Error) string {
	if e.Finding == nil {
		return "jailbreak"
	}
	switch e.Finding.Category {
	case scan.CategoryJailbreak:
		return "jailbreak"
	case scan.CategoryDataPoisoning:
		return "indirect_attack"
	}
	return "warden_" + string(e.Finding.Category)
}
