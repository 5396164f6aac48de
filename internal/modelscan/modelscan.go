// Package modelscan finds unsafe serialization, malware and exposed secrets
// in machine-learning model files without loading them: pickles (through
// the static pickle machine), PyTorch zips, legacy and TorchScript files,
// NumPy arrays, Keras, TensorFlow SavedModel, ONNX, GGUF, safetensors and
// the archives and compressed streams that wrap them, recognised by their
// bytes and not by their names.
package modelscan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Finding is one problem in a file.
type Finding struct {
	Severity       string `json:"severity"`
	Rule           string `json:"rule"`
	Member         string `json:"member,omitempty"` // path inside archives, "a.zip!/archive/data.pkl"
	Detail         string `json:"detail"`
	Recommendation string `json:"recommendation"`
}

// File is the result for one file. A file with Error set was not scanned
// to the end and is never reported clean.
type File struct {
	Path     string    `json:"path"`
	Format   string    `json:"format"`
	Findings []Finding `json:"findings"`
	Error    string    `json:"error,omitempty"`
}

// Summary counts a report.
type Summary struct {
	Files        int            `json:"files"`
	Clean        int            `json:"clean"`
	WithFindings int            `json:"with_findings"`
	Errors       int            `json:"errors"`
	Findings     int            `json:"findings"`
	BySeverity   map[string]int `json:"by_severity"`
	Highest      string         `json:"highest,omitempty"`
}

// Report is the result of a scan.
type Report struct {
	Files   []File  `json:"files"`
	Summary Summary `json:"summary"`
}

// SecretFinder finds credentials in text; the secrets detector of the
// detection engine implements it (through an adapter in the command line),
// so model files are checked with the same rules as prompts.
type SecretFinder interface {
	FindSecrets(text string) []Secret
}

// Secret is a credential found in text: its kind and byte offset.
type Secret struct {
	Kind   string
	Offset int
}

// Options configure a scanner.
type Options struct {
	Secrets SecretFinder // nil: no secret scanning
	// AV, when set, is asked about every file as well (ClamAV's clamd).
	AV AVScanner
	// MaxDepth bounds nested archives (default 8); MaxExpand bounds the
	// bytes decompressed per file (default 8 GiB).
	MaxDepth  int
	MaxExpand int64
	// Progress, when set, is called after each file.
	Progress func(done, total int, path string)
}

// AVScanner scans content with an antivirus engine.
type AVScanner interface {
	Scan(ctx context.Context, r io.Reader) (virus string, err error)
}

// Scanner scans model files.
type Scanner struct{ o Options }

// New returns a scanner.
func New(o Options) *Scanner {
	if o.MaxDepth == 0 {
		o.MaxDepth = 8
	}
	if o.MaxExpand == 0 {
		o.MaxExpand = 8 << 30
	}
	return &Scanner{o: o}
}

// ScanPaths scans files and directories (recursively, symlinks not
// followed); a path that cannot be read is a file with an error.
func (s *Scanner) ScanPaths(ctx context.Context, paths []string) Report {
	var files []string
	var rep Report
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			rep.Files = append(rep.Files, File{Path: p, Format: "unknown", Findings: []Finding{}, Error: err.Error()})
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				rep.Files = append(rep.Files, File{Path: path, Format: "unknown", Findings: []Finding{}, Error: err.Error()})
				return nil
			}
			if d.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			rep.Files = append(rep.Files, File{Path: p, Format: "unknown", Findings: []Finding{}, Error: err.Error()})
		}
	}
	for i, f := range files {
		if ctx.Err() != nil {
			rep.Files = append(rep.Files, File{Path: f, Format: "unknown", Findings: []Finding{}, Error: ctx.Err().Error()})
			continue
		}
		rep.Files = append(rep.Files, s.ScanFile(ctx, f))
		if s.o.Progress != nil {
			s.o.Progress(i+1, len(files), f)
		}
	}
	rep.Summary = Summarize(rep.Files)
	return rep
}

// Summarize counts files and findings.
func Summarize(files []File) Summary {
	sum := Summary{Files: len(files), BySeverity: map[string]int{Low: 0, Medium: 0, High: 0, Critical: 0}}
	for _, f := range files {
		switch {
		case f.Error != "":
			sum.Errors++
		case len(f.Findings) == 0:
			sum.Clean++
		}
		if len(f.Findings) > 0 {
			sum.WithFindings++
		}
		for _, x := range f.Findings {
			sum.Findings++
			sum.BySeverity[x.Severity]++
			if rank(x.Severity) > rank(sum.Highest) {
				sum.Highest = x.Severity
			}
		}
	}
	return sum
}

// ScanFile scans one file.
func (s *Scanner) ScanFile(ctx context.Context, path string) File {
	fs := &fileScan{s: s, ctx: ctx, f: File{Path: path, Findings: []Finding{}}, budget: s.o.MaxExpand}
	f, err := os.Open(path)
	if err != nil {
		fs.f.Format, fs.f.Error = "unknown", err.Error()
		return fs.f
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fs.f.Format, fs.f.Error = "unknown", err.Error()
		return fs.f
	}
	fs.f.Format = fs.scanAt("", filepath.Base(path), f, st.Size(), 0)
	if s.o.AV != nil {
		if _, err := f.Seek(0, io.SeekStart); err == nil {
			virus, err := s.o.AV.Scan(ctx, bufio.NewReaderSize(f, 1<<20))
			switch {
			case err != nil:
				fs.fail("", fmt.Errorf("antivirus: %w", err))
			case virus != "":
				fs.add(Critical, "malware.av", "", "the antivirus engine reports "+virus, recMalware)
			}
		}
	}
	sort.SliceStable(fs.f.Findings, func(i, j int) bool {
		return rank(fs.f.Findings[i].Severity) > rank(fs.f.Findings[j].Severity)
	})
	return fs.f
}

const recMalware = "Delete the file and find how it reached the registry; do not load it anywhere."

// fileScan is the state of scanning one file.
type fileScan struct {
	s      *Scanner
	ctx    context.Context
	f      File
	budget int64 // bytes that may still be decompressed
	seen   map[string]bool
}

func (fs *fileScan) add(sev, rule, member, detail, rec string) {
	k := sev + rule + member + detail
	if fs.seen == nil {
		fs.seen = map[string]bool{}
	}
	if fs.seen[k] {
		return
	}
	fs.seen[k] = true
	fs.f.Findings = append(fs.f.Findings, Finding{Severity: sev, Rule: rule, Member: member, Detail: detail, Recommendation: rec})
}

// fail records that part of the file could not be scanned; the first
// error is kept, with where it happened.
func (fs *fileScan) fail(member string, err error) {
	if fs.f.Error != "" {
		return
	}
	if member != "" {
		fs.f.Error = member + ": " + err.Error()
		return
	}
	fs.f.Error = err.Error()
}

// join names a member inside a member.
func join(outer, inner string) string {
	if outer == "" {
		return inner
	}
	return outer + "!/" + inner
}

// errBudget is returned when a file expands past MaxExpand.
var errBudget = errors.New("expands past the decompression limit (a compression bomb, or raise the limit)")

// limited counts decompressed bytes against the file's budget.
type limited struct {
	r  io.Reader
	fs *fileScan
}

func (l *limited) Read(p []byte) (int, error) {
	if l.fs.budget <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > l.fs.budget {
		p = p[:l.fs.budget]
	}
	n, err := l.r.Read(p)
	l.fs.budget -= int64(n)
	return n, err
}

func ext(name string) string { return strings.ToLower(filepath.Ext(name)) }
