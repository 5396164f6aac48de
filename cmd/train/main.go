// Command train rebuilds Warden's embedded prompt-attack model from the
// shared datasets, deterministically:
//
//	go run ./cmd/train -data ../shared/datasets -out internal/classifier/model.bin
//
// Same data, same code: the same bytes. A test checks that the committed
// model is what this command produces.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"

	"github.com/wardenhq/warden/internal/classifier"
)

func main() {
	data := flag.String("data", "../shared/datasets", "the shared datasets directory")
	out := flag.String("out", "internal/classifier/model.bin", "where to write the model")
	flag.Parse()
	if err := run(*data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(data, out string) error {
	rows, err := classifier.ReadRows(data)
	if err != nil {
		return err
	}
	b, n, err := classifier.Build(rows)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("trained on %d examples; wrote %s (%d bytes, sha256 %x)\n", n, out, len(b), sha256.Sum256(b))
	return nil
}
