package detect

import (
	"context"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/wardenhq/warden/internal/scan"
)

type phraseCase struct {
	Note  string `yaml:"note"`
	Role  string `yaml:"role"`
	Input string `yaml:"input"`
	Want  string `yaml:"want"`
}

func TestPhrases(t *testing.T) {
	b, err := os.ReadFile("testdata/phrases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []phraseCase
	if err := yaml.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	d, err := NewPhrases(DefaultPhrases)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		in := &scan.Input{Parts: []scan.Part{{Role: scan.Role(tc.Role), Text: tc.Input}}}
		fs, err := d.Detect(context.Background(), in)
		if err != nil {
			t.Fatalf("%s: %v", tc.Note, err)
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
			if f.Reason == "" {
				t.Errorf("%s: finding without a reason", tc.Note)
			}
		}
	}
}

func TestBuildUnknown(t *testing.T) {
	if _, err := Build([]string{"nope"}); err == nil {
		t.Error("Build with an unknown detector name: no error")
	}
}
