// Command train rebuilds Warden's embedded prompt-attack model and the
// adversarial-suffix language model from the shared datasets,
// deterministically:
//
//	go run ./cmd/train -data ../shared/datasets -out internal/classifier/model.bin
//
// It reads only the folders that internal/classifier/datasets.lock opts in
// to training, and refuses to run when one of them differs from its pin.
// Same data, same code: the same bytes. A test checks that the committed
// model is what this command produces.
//
// After a deliberate change of the data, -lock rewrites the pins (rows and
// sha256 of every folder found; new folders are added as "hold" with an
// UNKNOWN licence to fill in) and trains nothing:
//
//	go run ./cmd/train -lock
//
// -split extends internal/classifier/heldout.txt, the families held out of
// all training and tuning (the project's test split), with families of
// folders it does not cover yet, and trains nothing:
//
//	go run ./cmd/train -split
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/wardenhq/warden/internal/classifier"
	"github.com/wardenhq/warden/internal/credkv"
	"github.com/wardenhq/warden/internal/suffix"
)

func main() {
	data := flag.String("data", "../shared/datasets", "the shared datasets directory")
	out := flag.String("out", "internal/classifier/model.bin", "where to write the model")
	lock := flag.Bool("lock", false, "re-pin internal/classifier/datasets.lock to the data instead of training")
	split := flag.Bool("split", false, "extend internal/classifier/heldout.txt (the test split) instead of training")
	cred := flag.Bool("cred", false, "train the credential validator (internal/credkv/validator.json) instead")
	flag.Parse()
	run := func() error { return train(*data, *out) }
	switch {
	case *lock:
		run = func() error { return repin(*data, "internal/classifier/datasets.lock") }
	case *cred:
		run = func() error { return trainCred(*data, "internal/credkv/validator.json") }
	case *split:
		run = func() error { return pickSplit(*data, "internal/classifier/heldout.txt") }
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func train(data, out string) error {
	b, n, err := classifier.Build(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("trained on %d examples; wrote %s (%d bytes, sha256 %x)\n", n, out, len(b), sha256.Sum256(b))
	lm, n, err := suffix.Build(data)
	if err != nil {
		return err
	}
	const lmOut = "internal/suffix/lm.bin"
	if err := os.WriteFile(lmOut, lm, 0o644); err != nil {
		return err
	}
	fmt.Printf("suffix language model on %d texts; wrote %s (%d bytes, sha256 %x)\n", n, lmOut, len(lm), sha256.Sum256(lm))
	return nil
}

func trainCred(data, out string) error {
	b, m, err := credkv.Build(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("credential validator: %s; threshold %.3f; wrote %s (sha256 %x)\n", m.Trained, m.Threshold, out, sha256.Sum256(b))
	return nil
}

func repin(data, path string) error {
	l, err := classifier.DefaultLock().Repin(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, l.Marshal(), 0o644); err != nil {
		return err
	}
	fmt.Printf("pinned %d folders in %s; review the diff before committing\n", len(l), path)
	return nil
}

func pickSplit(data, path string) error {
	rows, err := classifier.ReadRows(data)
	if err != nil {
		return err
	}
	// Evaluation-only folders are test material whatever the split says;
	// the split is carved out of what training may use.
	var usable []classifier.Row
	keep := map[string]bool{}
	for _, r := range rows {
		if !classifier.EvalOnly(r.Folder) {
			usable = append(usable, r)
		}
		if classifier.HeldOut(r) {
			keep[classifier.FamilyKey(r)] = true
		}
	}
	fams := classifier.PickHeldOut(usable, keep)
	header := "# The project's test split: whole families (folder/family) held out of all training and tuning.\n" +
		"# Picked by classifier.PickHeldOut (go run ./cmd/train -split); entries are only ever added.\n"
	if err := os.WriteFile(path, []byte(header+strings.Join(fams, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d families in %s\n", len(fams), path)
	return nil
}
