package classifier

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockPinsTheSharedData checks every pinned folder, trained or not,
// against the shared data: a pin that no longer matches is found here
// before it surprises a later training run.
func TestLockPinsTheSharedData(t *testing.T) {
	needDatasets(t)
	for _, p := range DefaultLock() {
		if err := p.Verify(datasets); err != nil {
			t.Error(err)
		}
	}
}

// TestLockKeepsEvaluationFoldersOut checks the folders the datasets README
// reserves for tests and evaluation: pinned "eval", never in training.
func TestLockKeepsEvaluationFoldersOut(t *testing.T) {
	l := DefaultLock()
	for _, f := range []string{"xquad", "tensor-trust"} {
		if !EvalOnly(f) || l.Trains(f) {
			t.Errorf("%s: EvalOnly %v, Trains %v; want true, false", f, EvalOnly(f), l.Trains(f))
		}
	}
	if len(l.Training()) == 0 {
		t.Error("no folder opted in to training")
	}
}

func TestParseLock(t *testing.T) {
	const sum = "0000000000000000000000000000000000000000000000000000000000000000"
	tests := []struct {
		name, give, wantErr string
	}{
		{"ok", "# c\na\tMIT\t3\t" + sum + "\ttrain\n", ""},
		{"research-only trained", "x\tresearch-only\t1\t" + sum + "\ttrain\n", "does not allow a shipped model"},
		{"share-alike trained", "x\tCC-BY-SA-4.0\t1\t" + sum + "\ttrain\n", "does not allow a shipped model"},
		{"share-alike part", "x\tMIT AND CC-BY-SA-4.0\t1\t" + sum + "\ttrain\n", "does not allow a shipped model"},
		{"eval-only may be eval", "x\tresearch-only\t1\t" + sum + "\teval\n", ""},
		{"unknown use", "x\tMIT\t1\t" + sum + "\tmaybe\n", "want train, datasec, hold or eval"},
		{"bad hash", "x\tMIT\t1\tabc\ttrain\n", "not a sha256"},
		{"bad rows", "x\tMIT\t-1\t" + sum + "\ttrain\n", "not a count"},
		{"fields", "x\tMIT\t1\n", "want 5"},
		{"twice", "x\tMIT\t1\t" + sum + "\thold\nx\tMIT\t1\t" + sum + "\thold\n", "pinned twice"},
	}
	for _, tt := range tests {
		_, err := ParseLock([]byte(tt.give))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (tt.wantErr == "") != (got == "") || !strings.Contains(got, tt.wantErr) {
			t.Errorf("%s: ParseLock error %q, want one containing %q", tt.name, got, tt.wantErr)
		}
	}
}

// TestReadTrainingRefusesChangedData: a training folder whose bytes differ
// from the pin stops training with the folder named; hold folders are not
// read at all.
func TestReadTrainingRefusesChangedData(t *testing.T) {
	dir := t.TempDir()
	write := func(folder, body string) {
		if err := os.MkdirAll(filepath.Join(dir, folder), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, folder, "data.jsonl"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	row := `{"text":"hello","label":"benign","meta":{"family":"f"}}` + "\n"
	write("a", row)
	write("b", "not json\n")
	l, err := Lock{{Folder: "a", Licence: "MIT", Use: UseTrain}, {Folder: "b", Licence: "MIT", Use: UseHold}}.Repin(dir)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := l.ReadTraining(dir)
	if err != nil || len(rows) != 1 {
		t.Fatalf("ReadTraining = %d rows, %v; want 1 row (hold folder b unread)", len(rows), err)
	}
	write("a", row+row)
	if _, err := l.ReadTraining(dir); err == nil || !strings.Contains(err.Error(), "a/data.jsonl") {
		t.Errorf("changed data: ReadTraining error %v, want one naming a/data.jsonl", err)
	}
}
