package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOfficialSDKs runs sdktest/sdk.test.mjs, the official OpenAI and
// Anthropic Node SDKs (pinned in sdktest/package.json), against warden
// serve --demo: chat and its stream, the Responses API and its stream
// helper, embeddings in the SDK's default base64, models retrieve, Azure
// OpenAI, Anthropic messages and their stream, and blocks on either side
// arriving as the SDKs' errors with a request id. It skips where node or
// the SDKs are not installed (.ci/run installs them with npm ci).
func TestOfficialSDKs(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed: the SDK suite needs it")
	}
	dir, _ := filepath.Abs("../../sdktest")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openai")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but the SDKs are not installed (.ci/run runs npm ci in sdktest)")
		}
		t.Skip("the SDKs are not installed: cd sdktest && npm ci")
	}
	addr := startDemo(t)
	ctx := t.Context()
	// Whole-word deltas, then 1- and 8-byte deltas as real models stream.
	for _, chunk := range []string{"", "1", "8"} {
		cmd := exec.CommandContext(ctx, node, "sdk.test.mjs", "http://"+addr, chunk)
		cmd.Dir = dir
		out, err := cmd.Output()
		var results []struct {
			Name  string
			OK    bool
			Error string
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &results); jerr != nil {
			t.Fatalf("sdk.test.mjs (chunk %q): %v\n%s", chunk, err, out)
		}
		for _, r := range results {
			if !r.OK {
				t.Errorf("chunk %q: %s: %s", chunk, r.Name, r.Error)
			}
		}
		if len(results) < 13 {
			t.Errorf("chunk %q: %d SDK checks ran, want 13", chunk, len(results))
		}
	}
}
