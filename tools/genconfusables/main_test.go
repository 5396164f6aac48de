package main

import (
	"bytes"
	"os"
	"testing"
)

// TestTableCurrent checks that internal/scan's confusables table is the
// one this generator writes from the confusables module tools/go.mod
// names: bump the module, run go generate ./internal/scan.
func TestTableCurrent(t *testing.T) {
	want, n, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../internal/scan/confusables_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("internal/scan/confusables_table.go differs from what genconfusables writes (%d runes): run go generate ./internal/scan", n)
	}
}
