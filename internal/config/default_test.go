package config

import "testing"

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if es := c.validate(nil, "default"); len(es) > 0 {
		t.Errorf("Default() is invalid: %v", es)
	}
}

// TestKnownFromCaller checks that sink types and feed kinds are whatever
// the caller's catalogues say, and that a catalogue's own check runs.
func TestKnownFromCaller(t *testing.T) {
	src := []byte("export:\n  sinks:\n    - {name: a, type: pigeon, address: loft}\n    - {name: b, type: pigeon}\nintel:\n  feeds:\n    - {name: f, kind: rumour, source: x}\n")
	if _, err := Parse("c.yaml", src, func(string) string { return "" }); err != nil {
		t.Errorf("with no catalogues: %v, want names left unchecked", err)
	}
	kinds := map[string]SinkKind{"pigeon": {Required: []string{"address"}, Check: func(k Sink) (string, string) {
		if k.Address == "loft" {
			return "address", "a loft is not an address"
		}
		return "", ""
	}}}
	_, err := Parse("c.yaml", src, func(string) string { return "" }, WithSinks(kinds), WithFeeds([]string{"rumour"}))
	got := ""
	if err != nil {
		got = err.Error()
	}
	want := "c.yaml:3: export.sinks[0].address: a loft is not an address\nc.yaml:4: export.sinks[1].address: required for a pigeon sink"
	if got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
}
