package sensitive

import (
	"math"
	"regexp"
	"testing"
)

func TestFirstBytes(t *testing.T) {
	tests := []struct {
		give    string
		yes, no string
	}{
		{`\b\d{3}-\d{2}`, "0123456789", "a-("},
		{`(?i)\b[a-f]x`, "abcdefABCDEF", "gz0"},
		{`\(?\d`, "(0", "a"},
		{`(?:x|y)?z`, "xyz", "a"},
	}
	for _, tt := range tests {
		f := firstBytes(tt.give)
		for i := 0; i < len(tt.yes); i++ {
			if !f[tt.yes[i]] {
				t.Errorf("firstBytes(%q) excludes %q", tt.give, tt.yes[i])
			}
		}
		for i := 0; i < len(tt.no); i++ {
			if f[tt.no[i]] {
				t.Errorf("firstBytes(%q) admits %q", tt.give, tt.no[i])
			}
		}
	}
}

func TestByteLengths(t *testing.T) {
	tests := []struct {
		give   string
		lo, hi int
	}{
		{`\b\d{3}-\d{2}-\d{4}\b`, 11, 11},
		{`\b\d{13,19}\b`, 13, 19},
		{`[A-Z]{2}\d+`, 3, math.MaxInt},
		{`(?:ab|c)x?`, 1, 3},
		{`é`, 2, 2},
	}
	for _, tt := range tests {
		lo, hi := byteLengths(tt.give)
		if lo != tt.lo || hi != tt.hi {
			t.Errorf("byteLengths(%q) = %d, %d, want %d, %d", tt.give, lo, hi, tt.lo, tt.hi)
		}
	}
}

// TestLengthsNeverRejectAMatch checks, for every built-in pattern, that the
// length bounds admit each of the type's own examples that the pattern
// matches whole: the prefilter must never hide a match.
func TestLengthsNeverRejectAMatch(t *testing.T) {
	ts, err := BuiltinTypes()
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range ts {
		for _, p := range ty.Patterns {
			lo, hi := byteLengths(p.Regex)
			re := regexp.MustCompile(p.Regex)
			for _, ex := range ty.Match {
				for _, m := range re.FindAllString(ex, -1) {
					if len(m) < lo || len(m) > hi {
						t.Errorf("type %s pattern %q: match %q (%d bytes) outside [%d, %d]", ty.ID, p.Regex, m, len(m), lo, hi)
					}
					if m != "" && !firstBytes(p.Regex)[m[0]] {
						t.Errorf("type %s pattern %q: match %q starts with a byte firstBytes excludes", ty.ID, p.Regex, m)
					}
				}
			}
		}
	}
}
