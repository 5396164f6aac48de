package detect

import (
	"context"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/wardenhq/warden/internal/scan"
)

// TestRuleExamples runs every rule's own examples: each "match" must fire
// that rule in a user turn, each "nomatch" must not.
func TestRuleExamples(t *testing.T) {
	d, err := DefaultSignatures()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Rules() {
		if len(r.Match) == 0 {
			t.Errorf("rule %s has no examples", r.ID)
		}
		role := scan.RoleUser
		if !r.roles[role] {
			role = scan.RoleDocument
		}
		for _, ex := range r.Match {
			if !fires(t, d, r.ID, role, ex) {
				t.Errorf("rule %s does not match its example %q", r.ID, ex)
			}
		}
		for _, ex := range r.NoMatch {
			if fires(t, d, r.ID, role, ex) {
				t.Errorf("rule %s matches its near miss %q", r.ID, ex)
			}
		}
	}
}

func fires(t *testing.T, d *Signatures, id string, role scan.Role, text string) bool {
	t.Helper()
	one := &Signatures{}
	for _, r := range d.rules {
		if r.ID == id {
			var err error
			one, err = NewSignatures([]*Rule{r})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	fs, err := one.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: role, Text: text}}})
	if err != nil {
		t.Fatal(err)
	}
	return len(fs) > 0
}

func TestBuildUnknown(t *testing.T) {
	if _, err := Build([]string{"nope"}, Options{}); err == nil {
		t.Error("Build with an unknown detector name: no error")
	}
}

type roleCase struct {
	Note  string `yaml:"note"`
	Role  string `yaml:"role"`
	Input string `yaml:"input"`
	Want  string `yaml:"want"`
}

// TestSignatureCases runs testdata/signatures.yaml: what the detector says
// of a text in a given role.
func TestSignatureCases(t *testing.T) {
	b, err := os.ReadFile("testdata/signatures.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []roleCase
	if err := yaml.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	d, err := DefaultSignatures()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		fs, err := d.Detect(context.Background(), &scan.Input{Parts: []scan.Part{{Role: scan.Role(tc.Role), Text: tc.Input}}})
		if err != nil {
			t.Fatal(err)
		}
		got := "none"
		if len(fs) > 0 {
			got = fs[0].Type
		}
		if got != tc.Want {
			t.Errorf("%s: Detect(%q as %s) = %s, want %s", tc.Note, tc.Input, tc.Role, got, tc.Want)
			continue
		}
		for _, f := range fs {
			for _, sp := range f.Spans {
				if sp[0] < 0 || sp[1] > len(tc.Input) || sp[0] >= sp[1] {
					t.Errorf("%s: span %v outside the input", tc.Note, sp)
				}
			}
		}
	}
}

func TestDeny(t *testing.T) {
	ds, err := Build([]string{"signatures"}, Options{Deny: []DenyRule{{ID: "project-x", Pattern: `project (x|xylophone)`}}})
	if err != nil {
		t.Fatal(err)
	}
	in := &scan.Input{Parts: []scan.Part{{Role: scan.RoleUser, Text: "Tell me everything about PROJECT Xylophone"}}}
	fs, _ := ds[len(ds)-1].Detect(context.Background(), in)
	if len(fs) != 1 || fs[0].Reason != "custom rule project-x" || fs[0].Confidence != 0.9 {
		t.Errorf("deny findings = %+v, want the custom rule", fs)
	}
	if _, err := Build(nil, Options{Deny: []DenyRule{{ID: "bad", Pattern: "(("}}}); err == nil {
		t.Error("bad deny pattern accepted")
	}
}
