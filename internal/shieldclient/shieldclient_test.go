package shieldclient

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

func TestRemote(t *testing.T) {
	var gotKey atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotKey.Store(r.Header.Get("Ocp-Apim-Subscription-Key"))
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), "slow") {
			time.Sleep(300 * time.Millisecond)
		}
		attack := strings.Contains(string(b), "EVIL")
		io.WriteString(w, `{"userPromptAnalysis":{"attackDetected":`+map[bool]string{true: "true", false: "false"}[attack]+`},"documentsAnalysis":[{"attackDetected":false},{"attackDetected":true}]}`)
	}))
	defer srv.Close()
	in := func(user string) *scan.Input {
		return &scan.Input{Parts: []scan.Part{{Role: scan.RoleSystem, Text: "sys"}, {Role: scan.RoleUser, Text: user},
			{Role: scan.RoleDocument, Text: "d1"}, {Role: scan.RoleTool, Text: "d2"}}}
	}
	d := &Remote{URL: srv.URL, Key: "k", Timeout: 100 * time.Millisecond}
	fs, err := d.Detect(context.Background(), in("EVIL prompt"))
	if err != nil || len(fs) != 2 || fs[0].Part != 1 || fs[1].Part != 3 || gotKey.Load() != "k" {
		t.Fatalf("findings %+v err %v key %q: want the user part and the second document", fs, err, gotKey)
	}
	// Fail open: an error, no finding; fail closed: a blocking finding.
	if fs, err := d.Detect(context.Background(), in("slow")); err == nil || len(fs) != 0 {
		t.Errorf("fail open on timeout: %+v, %v", fs, err)
	}
	d.FailClosed = true
	if fs, err := d.Detect(context.Background(), in("slow")); err != nil || len(fs) != 1 || fs[0].Confidence != 1 {
		t.Errorf("fail closed on timeout: %+v, %v", fs, err)
	}
}
