package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/scan"
	"github.com/wardenhq/warden/internal/store"
)

func TestIncidentsCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	st.RecordAlerts(ctx, []alert.Alert{{ID: "a1", Type: "Warden.AI.Jailbreak.Detected", DisplayName: "Jailbreak detected", Severity: scan.SeverityMedium,
		Subscription: "s", Resource: "r", FirstSeen: now, LastSeen: now, Count: 1}})
	st.Close()
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(ctx, args, strings.NewReader(""), &out, &bytes.Buffer{})
		return out.String(), err
	}
	out, err := run("incidents", "list", "--data-dir", dir)
	if err != nil || !strings.Contains(out, "inc-a1") || !strings.Contains(out, "Jailbreak detected") {
		t.Fatalf("incidents list: %v\n%s", err, out)
	}
	if out, err := run("incidents", "update", "--data-dir", dir, "--status", "resolved", "--classification", "false_positive", "--comment", "test traffic", "--author", "soc1", "inc-a1"); err != nil || !strings.Contains(out, `"resolved"`) {
		t.Fatalf("incidents update: %v\n%s", err, out)
	}
	out, _ = run("incidents", "show", "--data-dir", dir, "inc-a1")
	if !strings.Contains(out, "resolved") || !strings.Contains(out, "soc1: test traffic") {
		t.Errorf("incidents show:\n%s", out)
	}
	if _, err := run("alerts", "update", "--data-dir", dir, "--status", "bogus", "a1"); err == nil || ExitCode(err) != 2 {
		t.Errorf("bad status: %v", err)
	}
}
