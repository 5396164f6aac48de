// Command trainnames rebuilds the person-name model of the sensitive
// information types from the shared presidio-synth sentences and
// faker-pii's rows (less their held-out locales), each checked against its
// pin in the training lock file, deterministically:
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

	"github.com/wardenhq/warden/internal/classifier"
	"github.com/wardenhq/warden/internal/sensitive"
)

func main() {
	data := flag.String("data", "../shared/datasets", "the shared datasets directory")
	out := flag.String("out", "internal/sensitive/names.bin", "where to write the model")
	flag.Parse()
	l := classifier.DefaultLock()
	rows, err := sensitive.ReadNameTraining(*data, func(folder string) error {
		p, ok := l.Learns(folder)
		if !ok {
			return fmt.Errorf("%s is not pinned for a data-security model in datasets.lock", folder)
		}
		return p.Verify(*data)
	})
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
	fmt.Printf("trained on %d rows; wrote %s (%d bytes, sha256 %x)\n", len(rows), *out, len(b), sha256.Sum256(b))
}
