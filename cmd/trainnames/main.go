// Command trainnames rebuilds the person-name model of the sensitive
// information types from the shared presidio-synth sentences,
// deterministically:
//
//	go run ./cmd/trainnames -data ../shared/datasets -out internal/sensitive/names.bin
//
// A test checks that the committed model is what this command produces.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wardenhq/warden/internal/sensitive"
)

func main() {
	data := flag.String("data", "../shared/datasets", "the shared datasets directory")
	out := flag.String("out", "internal/sensitive/names.bin", "where to write the model")
	flag.Parse()
	rows, err := sensitive.ReadNameRows(filepath.Join(*data, "presidio-synth", "data.jsonl"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "trainnames:", err)
		os.Exit(1)
	}
	b, err := sensitive.TrainNames(rows).MarshalBinary()
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "trainnames:", err)
		os.Exit(1)
	}
	fmt.Printf("trained on %d sentences; wrote %s (%d bytes, sha256 %x)\n", len(rows), *out, len(b), sha256.Sum256(b))
}
