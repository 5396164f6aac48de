package sensitive

import (
	"testing"
	"unicode/utf8"
)

// FuzzValidators feeds arbitrary bytes to every validator: none may panic.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"4539 3010 1967 3114", "GB82WEST12345698765432", "11010519491231002X", "131052-308T", "1M8GDM9AXKP042788", "", "X", "2001:db8::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range validators {
			v(s)
		}
	})
}

// FuzzFind checks that Find never panics and reports spans inside the text,
// in order, on rune boundaries.
func FuzzFind(f *testing.F) {
	c, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"card 4539 3010 1967 3114", "SSN: 752-52-8258 born 8/5/1989", "my name is Laura Ortiz, laura@fleckens.hu", "ip 10.0.0.1 and 2001:db8::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		last := -1
		for _, m := range c.Find(s) {
			a, b := m.Span[0], m.Span[1]
			if a < 0 || b > len(s) || a >= b || a < last {
				t.Fatalf("bad span %v in %d bytes (previous end %d)", m.Span, len(s), last)
			}
			if utf8.ValidString(s) && (!utf8.RuneStart(s[a]) || b < len(s) && !utf8.RuneStart(s[b])) {
				t.Fatalf("span %v cuts a rune", m.Span)
			}
			last = b
		}
	})
}
