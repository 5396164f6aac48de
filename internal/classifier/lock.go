package classifier

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// lockFile pins the shared dataset folders: the shipped model must be
// rebuilt from exactly these bytes, and only from the folders opted in to
// training. The datasets grow between sessions; without a pin the model's
// input changed under it and "same data, same model" meant nothing.
//
//go:embed datasets.lock
var lockFile []byte

// Use says what a pinned folder may be used for.
type Use string

const (
	UseTrain Use = "train" // the shipped model learns from it
	UseHold  Use = "hold"  // licence allows training; not opted in
	UseEval  Use = "eval"  // tests and evaluation only
	// UseDataSec: the data-security models (the credential validator
	// of internal/credkv, the person-name model of internal/sensitive)
	// learn from it; the prompt model does not.
	UseDataSec Use = "datasec"
)

// Pin is one folder of the lock file.
type Pin struct {
	Folder  string
	Licence string // SPDX expression, ids joined by " AND "
	Rows    int
	SHA256  string
	Use     Use
}

// permissive lists the licences whose data a shipped model may learn from
// (the datasets README: MIT, Apache-2.0, CC0, CC-BY with attribution in the
// model card).
var permissive = map[string]bool{
	"MIT": true, "Apache-2.0": true, "CC0-1.0": true,
	"CC-BY-2.0-FR": true, "CC-BY-3.0": true, "CC-BY-4.0": true,
}

// licenceExceptions are trained folders with a share-alike part, each with
// why it is trained on. They are named in the model card; the next model
// (issue 11) is to decide whether to keep them.
var licenceExceptions = map[string]string{
	"bipia":          "MIT code; the table and code contexts are CC-BY-SA-4.0",
	"presidio-synth": "MIT generator; its names list is CC-BY-SA-3.0-US",
}

// Lock is the parsed lock file, in folder order.
type Lock []Pin

// DefaultLock returns the embedded lock file.
func DefaultLock() Lock { return defaultLock }

// defaultLock is parsed once; a malformed embedded lock file is a build
// defect, caught by every test of this package.
var defaultLock = func() Lock {
	l, err := ParseLock(lockFile)
	if err != nil {
		panic(err)
	}
	return l
}()

// ParseLock reads a lock file: tab-separated folder, licence, rows, sha256,
// use; '#' starts a comment line. A "train" folder whose licence does not
// allow a shipped model is an error, so that an evaluation-only folder
// cannot slip into the binary by a one-word edit.
func ParseLock(b []byte) (Lock, error) {
	var l Lock
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("datasets.lock:%d: %d fields, want 5 (folder, licence, rows, sha256, use)", n, len(f))
		}
		rows, err := strconv.Atoi(f[2])
		if err != nil || rows < 0 {
			return nil, fmt.Errorf("datasets.lock:%d: rows %q is not a count", n, f[2])
		}
		if h, err := hex.DecodeString(f[3]); err != nil || len(h) != sha256.Size {
			return nil, fmt.Errorf("datasets.lock:%d: %q is not a sha256", n, f[3])
		}
		p := Pin{Folder: f[0], Licence: f[1], Rows: rows, SHA256: f[3], Use: Use(f[4])}
		switch p.Use {
		case UseTrain, UseDataSec:
			if !trainable(p) {
				return nil, fmt.Errorf("datasets.lock:%d: %s is marked train but its licence %q does not allow a shipped model", n, p.Folder, p.Licence)
			}
		case UseHold, UseEval:
		default:
			return nil, fmt.Errorf("datasets.lock:%d: use %q, want train, datasec, hold or eval", n, p.Use)
		}
		if seen[p.Folder] {
			return nil, fmt.Errorf("datasets.lock:%d: %s pinned twice", n, p.Folder)
		}
		seen[p.Folder] = true
		l = append(l, p)
	}
	return l, sc.Err()
}

func trainable(p Pin) bool {
	if _, ok := licenceExceptions[p.Folder]; ok {
		return true
	}
	for _, id := range strings.Split(p.Licence, " AND ") {
		if !permissive[id] {
			return false
		}
	}
	return true
}

// Training returns the folders the shipped model learns from, in the order
// their data.jsonl paths sort ("a-b/" before "a/"): training shuffles by
// index, so the order is part of what makes the model reproducible.
func (l Lock) Training() []Pin {
	var out []Pin
	for _, p := range l {
		if p.Use == UseTrain {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Folder+"/" < out[j].Folder+"/" })
	return out
}

// Pin returns folder's pin, if the lock has one.
func (l Lock) Pin(folder string) (Pin, bool) {
	for _, p := range l {
		if p.Folder == folder {
			return p, true
		}
	}
	return Pin{}, false
}

// Trains reports whether folder is opted in to training.
func (l Lock) Trains(folder string) bool {
	p, ok := l.Pin(folder)
	return ok && p.Use == UseTrain
}

// Learns reports whether a data-security model may learn from folder:
// it is pinned for training, by every model or by those.
func (l Lock) Learns(folder string) (Pin, bool) {
	p, ok := l.Pin(folder)
	return p, ok && (p.Use == UseTrain || p.Use == UseDataSec)
}

// Verify checks that a folder's data.jsonl under dir is the pinned bytes.
func (p Pin) Verify(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, p.Folder, "data.jsonl"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != p.SHA256 {
		return fmt.Errorf("%s/data.jsonl: sha256 %s, pinned %s (the data changed: review it, then go run ./cmd/train -lock)", p.Folder, got, p.SHA256)
	}
	if got := bytes.Count(b, []byte("\n")); got != p.Rows {
		return fmt.Errorf("%s/data.jsonl: %d rows, pinned %d", p.Folder, got, p.Rows)
	}
	return nil
}

// ReadTraining reads the rows of the lock's training folders under dir,
// after checking each against its pin. Nothing else under dir is read.
func (l Lock) ReadTraining(dir string) ([]Row, error) {
	var rows []Row
	for _, p := range l.Training() {
		if err := p.Verify(dir); err != nil {
			return nil, err
		}
		rs, err := ReadFile(filepath.Join(dir, p.Folder, "data.jsonl"))
		if err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no training folders pinned")
	}
	return rows, nil
}

// Repin returns the lock with every listed folder's rows and sha256 read
// anew from dir, and folders found under dir but not listed added as
// "hold" with licence "UNKNOWN" (which must be filled in by hand).
// Uses are never changed: opting a folder in stays a deliberate edit.
func (l Lock) Repin(dir string) (Lock, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*", "data.jsonl"))
	if err != nil {
		return nil, err
	}
	byFolder := map[string]Pin{}
	for _, p := range l {
		byFolder[p.Folder] = p
	}
	for _, path := range paths {
		folder := filepath.Base(filepath.Dir(path))
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		p, ok := byFolder[folder]
		if !ok {
			p = Pin{Folder: folder, Licence: "UNKNOWN", Use: UseHold}
		}
		sum := sha256.Sum256(b)
		p.SHA256, p.Rows = hex.EncodeToString(sum[:]), bytes.Count(b, []byte("\n"))
		byFolder[folder] = p
	}
	out := make(Lock, 0, len(byFolder))
	for _, p := range byFolder {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Folder < out[j].Folder })
	return out, nil
}

// Marshal writes the lock file back with its header.
func (l Lock) Marshal() []byte {
	var b bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(lockFile))
	for sc.Scan() && strings.HasPrefix(sc.Text(), "#") {
		b.WriteString(sc.Text() + "\n")
	}
	for _, p := range l {
		fmt.Fprintf(&b, "%s\t%s\t%d\t%s\t%s\n", p.Folder, p.Licence, p.Rows, p.SHA256, p.Use)
	}
	return b.Bytes()
}
