package detect

import (
	"context"
	"testing"

	"github.com/wardenhq/warden/internal/scan"
)

// TestSecretExamples runs every credential rule's own examples: each match
// is found as that kind, each look-alike (bad checksum, documented example,
// placeholder) is not.
func TestSecretExamples(t *testing.T) {
	d, err := DefaultSecrets()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Rules() {
		if len(r.Match) == 0 || len(r.NoMatch) == 0 {
			t.Errorf("rule %s needs examples and look-alikes", r.ID)
		}
		for _, ex := range r.Match {
			if !secretFires(t, d, r.ID, ex) {
				t.Errorf("rule %s does not find its example %q", r.ID, ex)
			}
		}
		for _, ex := range r.NoMatch {
			if secretFires(t, d, r.ID, ex) {
				t.Errorf("rule %s finds its look-alike %q", r.ID, ex)
			}
		}
	}
}

func secretFires(t *testing.T, d *Secrets, id, text string) bool {
	t.Helper()
	fs, err := d.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: scan.RoleAssistant, Text: text}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Reason[len("credential "):len("credential ")+len(id)] == id {
			return true
		}
	}
	return false
}

func TestSecretRoles(t *testing.T) {
	d, _ := DefaultSecrets()
	key := "Here you go: AKIAQYLPMN5HHHFPZAM2"
	for _, tt := range []struct {
		role scan.Role
		cat  scan.Category
	}{
		{scan.RoleAssistant, scan.CategoryCredentialTheft},
		{scan.RoleToolCall, scan.CategoryCredentialTheft},
		{scan.RoleUser, scan.CategoryDataLeakage},
	} {
		fs, _ := d.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: tt.role, Text: key}}})
		if len(fs) != 1 || fs[0].Category != tt.cat || key[fs[0].Spans[0][0]:fs[0].Spans[0][1]] != "AKIAQYLPMN5HHHFPZAM2" {
			t.Errorf("%s: findings %+v, want one %s over the key", tt.role, fs, tt.cat)
		}
	}
}

// FuzzSecrets checks that the credential detector never panics and that
// its spans stay inside the text.
func FuzzSecrets(f *testing.F) {
	d, err := DefaultSecrets()
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range d.Rules() {
		for _, m := range r.Match {
			f.Add(m)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs, _ := d.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: scan.RoleAssistant, Text: s}}})
		for _, x := range fs {
			if sp := x.Spans[0]; sp[0] < 0 || sp[1] > len(s) || sp[0] >= sp[1] {
				t.Fatalf("span %v outside %d bytes", sp, len(s))
			}
		}
		// Redacting leaves no credential the detector can still find.
		if again := d.Find(d.Redact(s)); len(again) > 0 {
			t.Fatalf("redacted text still holds %s: %q", again[0].Kind, d.Redact(s))
		}
	})
}
