package detect

import (
	"context"
	"slices"
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

// TestGitleaksKinds checks that kinds only gitleaks' rule set covers are
// found, and that the detector knows at least 150 kinds.
func TestGitleaksKinds(t *testing.T) {
	d, err := DefaultSecrets()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Kinds()); n < 150 {
		t.Errorf("credential kinds: got %d, want at least 150", n)
	}
	tests := []struct{ give, want string }{
		{"LINEAR_API_KEY=lin_api_k3j9x0q2m8v7b6n5c4x3z2l1k0j9h8g7f6d5s4a3", "linear-api-key"},
		{"export DOPPLER_TOKEN=dp.pt.Qk3j9X0q2M8v7B6n5C4x3Z2l1K0j9H8g7F6d5S4a3Qw", "doppler-api-token"},
		{"postman: PMAK-5f8e9d7c6b5a4f3e2d1c0b9a-1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f", "postman-api-token"},
		{"PULUMI_ACCESS_TOKEN=pul-3f9a7c2e81b64d5f9e0a1b2c3d4e5f6071829304", "pulumi-api-token"},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range d.Find(tt.give) {
			got = append(got, m.Kind)
		}
		if !slices.Contains(got, tt.want) {
			t.Errorf("Find(%q) kinds = %v, want %s", tt.give, got, tt.want)
		}
	}
}
