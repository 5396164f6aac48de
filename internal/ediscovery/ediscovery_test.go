package ediscovery

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

func export(t testing.TB) ([]byte, string) {
	t.Helper()
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	recs := []interaction.Record{{ID: "r1", At: at, Subscription: "s", User: "alice", Verdict: "allow"},
		{ID: "r2", At: at.Add(time.Minute), Subscription: "s", User: "bob", Verdict: "flag"}}
	contents := []ContentLine{{ID: "r1", Content: interaction.Content{Prompt: []interaction.Turn{{Role: "user", Text: "project falcon terms"}}}}}
	var b bytes.Buffer
	m, digest, err := Write(&b, Manifest{Case: "c1", CaseName: "Falcon", ExportedAt: at, ExportedBy: "erin"}, recs, contents)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 2 || m.Files[0].Lines != 2 || m.Files[1].Lines != 1 {
		t.Fatalf("manifest files %+v, want interactions (2 lines) and content (1)", m.Files)
	}
	return b.Bytes(), digest
}

// rewrite copies an archive, passing each file's body through edit (nil:
// leave it out), and adds extra files.
func rewrite(t *testing.T, archive []byte, edit func(name string, body []byte) []byte, extra map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if body = edit(f.Name, body); body == nil {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(body)
	}
	for name, body := range extra {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	zw.Close()
	return out.Bytes()
}

// TestVerify: an export verifies, with the digest Write returned; every
// kind of tampering fails with what is wrong.
func TestVerify(t *testing.T) {
	archive, digest := export(t)
	m, got, err := Verify(bytes.NewReader(archive), int64(len(archive)))
	if err != nil || got != digest || m.Case != "c1" {
		t.Fatalf("untouched export: %v, digest %s want %s", err, got, digest)
	}
	same := func(_ string, b []byte) []byte { return b }
	tampered := []struct {
		name    string
		archive []byte
		want    string
	}{
		{"a record changed", rewrite(t, archive, func(n string, b []byte) []byte {
			if n == InteractionsName {
				return bytes.Replace(b, []byte(`"flag"`), []byte(`"allow"`), 1)
			}
			return b
		}, nil), "SHA-256"},
		{"a record removed", rewrite(t, archive, func(n string, b []byte) []byte {
			if n == InteractionsName {
				return b[:bytes.IndexByte(b, '\n')+1]
			}
			return b
		}, nil), "SHA-256"},
		{"content file dropped", rewrite(t, archive, func(n string, b []byte) []byte {
			if n == ContentName {
				return nil
			}
			return b
		}, nil), "missing"},
		{"file added", rewrite(t, archive, same, map[string]string{"notes.txt": "x"}), "not in the manifest"},
		{"no manifest", rewrite(t, archive, func(n string, b []byte) []byte {
			if n == ManifestName {
				return nil
			}
			return b
		}, nil), "no manifest"},
		{"not a zip", []byte("PK nonsense"), "not a zip"},
	}
	for _, tt := range tampered {
		_, _, err := Verify(bytes.NewReader(tt.archive), int64(len(tt.archive)))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Verify = %v, want an error about %q", tt.name, err, tt.want)
		}
	}
	// A manifest rewritten to match a changed file verifies on its own,
	// but its digest is no longer the one recorded at export.
	var changed []byte
	rewritten := rewrite(t, archive, func(n string, b []byte) []byte {
		if n == InteractionsName {
			changed = bytes.Replace(b, []byte(`"flag"`), []byte(`"allow"`), 1)
			return changed
		}
		return b
	}, nil)
	forged := rewrite(t, rewritten, func(n string, b []byte) []byte {
		if n != ManifestName {
			return b
		}
		var m Manifest
		json.Unmarshal(b, &m)
		sum := sha256.Sum256(changed)
		m.Files[0].SHA256, m.Files[0].Bytes = hex.EncodeToString(sum[:]), int64(len(changed))
		out, _ := json.MarshalIndent(m, "", "  ")
		return out
	}, nil)
	if _, d, err := Verify(bytes.NewReader(forged), int64(len(forged))); err != nil || d == digest {
		t.Errorf("forged manifest: err %v, digest %s; want it consistent but with a digest other than the recorded %s", err, d, digest)
	}
}

// FuzzVerify: whatever the bytes, Verify returns (an error or a
// manifest), never panics.
func FuzzVerify(f *testing.F) {
	archive, _ := export(f)
	f.Add(archive)
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		Verify(bytes.NewReader(b), int64(len(b))) //nolint:errcheck // only must not panic
	})
}
