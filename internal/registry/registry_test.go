package registry

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/modelscan"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/subscription"
)

type settings map[string]subscription.Settings

func (s settings) Get(id string) (subscription.Settings, bool) { v, ok := s[id]; return v, ok }

func copyFixture(t *testing.T, name, to string) {
	b, err := os.ReadFile(filepath.Join("../modelscan/testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(to), 0o755)
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVersions(t *testing.T) {
	root := t.TempDir()
	copyFixture(t, "benign_model.pt", filepath.Join(root, "acme", "bert", "pytorch_model.bin")) // HF layout: org/model
	copyFixture(t, "benign_model.pt", filepath.Join(root, "fraud", "1", "model.pt"))            // registry: model/version
	copyFixture(t, "memo_ctf.pkl", filepath.Join(root, "fraud", "2", "model.pkl"))
	vs, err := Versions(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.Model+"@"+v.Version)
	}
	want := []string{"acme/bert@main", "fraud@1", "fraud@2"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("versions %v, want %v", got, want)
	}
}

// TestWatcher checks the whole loop: a source is scanned only for a
// subscription with model security on, findings become recommendations per
// version, an unchanged version is not scanned again, a changed one is.
func TestWatcher(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	copyFixture(t, "benign_model.pt", filepath.Join(root, "fraud", "1", "model.pt"))
	copyFixture(t, "memo_ctf.pkl", filepath.Join(root, "fraud", "2", "model.pkl"))
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := &Watcher{
		Sources:  []Source{{Name: "local", Path: root, Subscription: "on"}, {Name: "other", Path: root, Subscription: "off"}},
		Store:    st,
		Settings: settings{"on": {ID: "on", Plan: true, ModelSecurity: true}, "off": {ID: "off", Plan: true}},
		Scanner:  modelscan.New(modelscan.Options{}), Every: time.Minute, Rescan: 24 * time.Hour,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
	}
	if err := w.Once(ctx); err != nil {
		t.Fatal(err)
	}
	scans, err := st.ModelScans(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(scans) != 2 {
		t.Fatalf("%d scans, want 2 (subscription off is not scanned): %+v", len(scans), scans)
	}
	if scans[0].Version != "1" || len(scans[0].Recommendations) != 0 || scans[1].Version != "2" || scans[1].Highest != "critical" ||
		len(scans[1].Recommendations) == 0 || scans[1].Recommendations[0].Path != "model.pkl" {
		t.Errorf("scans %+v", scans)
	}
	as, _ := st.Alerts(ctx, store.AlertFilter{})
	if len(as) != 1 || as[0].Type != "Warden.AI.ModelScan.MalwareDetected" || as[0].Resource != "local/fraud@2" {
		t.Errorf("alerts %+v, want one model malware alert for fraud@2", as)
	}
	// Unchanged: not scanned again.
	now = now.Add(time.Hour)
	w.Once(ctx)
	scans, _ = st.ModelScans(ctx, "on")
	if !scans[1].ScannedAt.Equal(now.Add(-time.Hour)) {
		t.Errorf("unchanged version scanned again at %v", scans[1].ScannedAt)
	}
	// Changed: the bad file replaced by a good one.
	os.Remove(filepath.Join(root, "fraud", "2", "model.pkl"))
	copyFixture(t, "benign_model.pt", filepath.Join(root, "fraud", "2", "model.pt"))
	w.Once(ctx)
	scans, _ = st.ModelScans(ctx, "on")
	if !scans[1].ScannedAt.Equal(now) || len(scans[1].Recommendations) != 0 {
		t.Errorf("changed version: %+v", scans[1])
	}
}
