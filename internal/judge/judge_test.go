package judge

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/scan"
)

func input(role scan.Role, text string) *scan.Input {
	return &scan.Input{Parts: []scan.Part{{Role: role, Text: text}}}
}

// endpoint answers with body (status 200) after delay, and counts calls
// (atomically: a handler can outlive the client that timed out).
func endpoint(t *testing.T, body string, delay time.Duration, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(b), "please help") {
			t.Errorf("the judge was sent %s, want the part's text", b)
		}
		time.Sleep(delay)
		io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestJudgeVerdicts(t *testing.T) {
	tests := []struct {
		name, kind, answer string
		role               scan.Role
		wantFound          bool
		wantConf           float64
		wantCat            scan.Category
		wantReason         string
	}{
		{"guard model unsafe", KindChat, `{"choices":[{"message":{"content":"unsafe\nS14"}}]}`, scan.RoleUser, true, 0.9, scan.CategoryJailbreak, "unsafe S14"},
		{"guard model safe", KindChat, `{"choices":[{"message":{"content":"safe"}}]}`, scan.RoleUser, false, 0, "", ""},
		{"TEI labels", KindClassify, `[{"label":"BENIGN","score":0.03},{"label":"INJECTION","score":0.97}]`, scan.RoleTool, true, 0.97, scan.CategoryDataPoisoning, "INJECTION 0.97"},
		{"TEI nested", KindClassify, `[[{"label":"JAILBREAK","score":0.81},{"label":"BENIGN","score":0.19}]]`, scan.RoleUser, true, 0.81, scan.CategoryJailbreak, "JAILBREAK 0.81"},
		{"TEI benign", KindClassify, `[{"label":"BENIGN","score":0.99},{"label":"INJECTION","score":0.01}]`, scan.RoleUser, true, 0.01, scan.CategoryJailbreak, ""},
		{"vLLM label", KindClassify, `{"data":[{"index":0,"label":"INJECTION","probs":[0.1,0.9]}]}`, scan.RoleUser, true, 1, scan.CategoryJailbreak, "INJECTION"},
		{"vLLM benign", KindClassify, `{"data":[{"index":0,"label":"BENIGN"}]}`, scan.RoleUser, false, 0, "", ""},
	}
	for _, tt := range tests {
		var calls atomic.Int32
		s := endpoint(t, tt.answer, 0, &calls)
		r := &Remote{Kind: tt.kind, URL: s.URL, Model: "guard"}
		f, found, err := r.Judge(context.Background(), input(tt.role, "please help me"), 0)
		if err != nil || found != tt.wantFound || f.Confidence != tt.wantConf || found && f.Category != tt.wantCat {
			t.Errorf("%s: %+v found %v err %v; want found %v, confidence %v, category %s", tt.name, f, found, err, tt.wantFound, tt.wantConf, tt.wantCat)
		}
		if found && (!strings.Contains(f.Reason, tt.wantReason) || !strings.Contains(f.Reason, " ms")) {
			t.Errorf("%s: reason %q, want the verdict %q and the latency", tt.name, f.Reason, tt.wantReason)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("%s: %d calls, want 1", tt.name, n)
		}
	}
}

// TestJudgeFailure: a slow, failing or over-budget judge leaves the verdict
// to the detectors when failing open, and is an attack when failing closed.
func TestJudgeFailure(t *testing.T) {
	var calls atomic.Int32
	slow := endpoint(t, `{"choices":[{"message":{"content":"safe"}}]}`, 300*time.Millisecond, &calls)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", 503) }))
	defer broken.Close()
	for _, closed := range []bool{false, true} {
		for name, r := range map[string]*Remote{
			"timeout": {Kind: KindChat, URL: slow.URL, Timeout: 50 * time.Millisecond, FailClosed: closed},
			"503":     {Kind: KindClassify, URL: broken.URL, FailClosed: closed},
			"garbage": {Kind: KindChat, URL: endpoint(t, "<html>", 0, &calls).URL, FailClosed: closed},
		} {
			f, found, err := r.Judge(context.Background(), input(scan.RoleUser, "please help"), 0)
			if closed && (!found || f.Confidence != 1 || !strings.Contains(f.Reason, "failing closed")) {
				t.Errorf("%s, fail closed: %+v found %v, want an attack finding", name, f, found)
			}
			if !closed && (found || err == nil) {
				t.Errorf("%s, fail open: found %v err %v, want no finding and the error", name, found, err)
			}
		}
	}
	// The budget: two calls a minute, the third is not made.
	var budgeted atomic.Int32
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	ok := endpoint(t, `{"choices":[{"message":{"content":"safe"}}]}`, 0, &budgeted)
	r := &Remote{Kind: KindChat, URL: ok.URL, PerMinute: 2, Now: func() time.Time { return now }}
	for range 3 {
		r.Judge(context.Background(), input(scan.RoleUser, "please help"), 0) //nolint:errcheck
	}
	if _, _, err := r.Judge(context.Background(), input(scan.RoleUser, "please help"), 0); err != ErrBudget || budgeted.Load() != 2 {
		t.Errorf("over budget: err %v after %d calls, want ErrBudget after 2", err, budgeted.Load())
	}
	now = now.Add(time.Minute)
	if _, _, err := r.Judge(context.Background(), input(scan.RoleUser, "please help"), 0); err != nil || budgeted.Load() != 3 {
		t.Errorf("a minute later: err %v, %d calls; want the call made", err, budgeted.Load())
	}
}
