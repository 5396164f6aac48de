// Package ediscovery is the export of an eDiscovery case: a zip archive
// of the case's interaction records as JSON Lines (and, where asked and
// allowed, their captured content), with a manifest of each file's
// SHA-256, size and line count; and Verify, which checks an archive
// against its manifest so that a changed, added or missing file, or a
// changed manifest whose digest no longer matches the one Warden recorded,
// is found.
package ediscovery

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/wardenhq/warden/internal/interaction"
)

// The archive's files.
const (
	ManifestName     = "manifest.json"
	InteractionsName = "interactions.jsonl"
	ContentName      = "content.jsonl"
)

// Manifest describes an export: the case, who exported it when, the
// searches it holds, and each file's digest.
type Manifest struct {
	Case       string          `json:"case"`
	CaseName   string          `json:"case_name"`
	ExportedAt time.Time       `json:"exported_at"`
	ExportedBy string          `json:"exported_by"`
	Searches   json.RawMessage `json:"searches,omitempty"`
	Files      []File          `json:"files"`
}

// File is one file of the archive as the manifest records it.
type File struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	Lines  int    `json:"lines"`
}

// ContentLine is one line of content.jsonl.
type ContentLine struct {
	ID string `json:"id"`
	interaction.Content
}

// Write writes the archive of records (and contents, when not nil) to w
// and returns the manifest with its SHA-256 (hex), which the caller
// records so that a manifest rewritten to match a tampered file is found
// too.
func Write(w io.Writer, m Manifest, records []interaction.Record, contents []ContentLine) (Manifest, string, error) {
	files := []struct {
		name string
		body []byte
		n    int
	}{{name: InteractionsName}}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			return m, "", err
		}
	}
	files[0].body, files[0].n = slices.Clone(b.Bytes()), len(records)
	if contents != nil {
		b.Reset()
		for _, c := range contents {
			if err := enc.Encode(c); err != nil {
				return m, "", err
			}
		}
		files = append(files, struct {
			name string
			body []byte
			n    int
		}{ContentName, slices.Clone(b.Bytes()), len(contents)})
	}
	zw := zip.NewWriter(w)
	m.Files = nil
	for _, f := range files {
		sum := sha256.Sum256(f.body)
		m.Files = append(m.Files, File{Name: f.name, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(f.body)), Lines: f.n})
		if err := put(zw, f.name, f.body, m.ExportedAt); err != nil {
			return m, "", err
		}
	}
	man, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, "", err
	}
	if err := put(zw, ManifestName, man, m.ExportedAt); err != nil {
		return m, "", err
	}
	sum := sha256.Sum256(man)
	return m, hex.EncodeToString(sum[:]), zw.Close()
}

func put(zw *zip.Writer, name string, body []byte, at time.Time) error {
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
	if err != nil {
		return err
	}
	_, err = fw.Write(body)
	return err
}

// Limits on what Verify reads: an archive is untrusted input.
const (
	maxFiles    = 16
	maxFileSize = 4 << 30
	maxManifest = 1 << 20
)

// Verify checks an archive against its manifest: every file listed is
// there with its digest, size and line count, every line is JSON, and no
// file is unlisted. It returns the manifest and its SHA-256 (to compare
// with the digest Warden recorded at export), or what is wrong.
func Verify(r io.ReaderAt, size int64) (Manifest, string, error) {
	var m Manifest
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return m, "", fmt.Errorf("not a zip archive: %w", err)
	}
	if len(zr.File) > maxFiles {
		return m, "", fmt.Errorf("%d files in the archive; an export has at most 3", len(zr.File))
	}
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, dup := byName[f.Name]; dup {
			return m, "", fmt.Errorf("%s is in the archive twice", f.Name)
		}
		byName[f.Name] = f
	}
	mf, ok := byName[ManifestName]
	if !ok {
		return m, "", errors.New("no manifest.json in the archive")
	}
	man, err := readAll(mf, maxManifest)
	if err != nil {
		return m, "", fmt.Errorf("manifest: %w", err)
	}
	if err := json.Unmarshal(man, &m); err != nil {
		return m, "", fmt.Errorf("manifest is not JSON: %w", err)
	}
	sum := sha256.Sum256(man)
	digest := hex.EncodeToString(sum[:])
	listed := map[string]bool{ManifestName: true}
	for _, want := range m.Files {
		if listed[want.Name] {
			return m, digest, fmt.Errorf("manifest lists %s twice", want.Name)
		}
		listed[want.Name] = true
		f, ok := byName[want.Name]
		if !ok {
			return m, digest, fmt.Errorf("%s is listed in the manifest and missing from the archive", want.Name)
		}
		if err := check(f, want); err != nil {
			return m, digest, err
		}
	}
	for name := range byName {
		if !listed[name] {
			return m, digest, fmt.Errorf("%s is in the archive and not in the manifest", name)
		}
	}
	return m, digest, nil
}

// check streams one file through SHA-256, counting bytes and lines and
// checking each line is JSON.
func check(f *zip.File, want File) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", want.Name, err)
	}
	defer rc.Close()
	h := sha256.New()
	var line bytes.Buffer
	var n int64
	lines := 0
	buf := make([]byte, 64<<10)
	for {
		k, err := rc.Read(buf)
		for _, c := range buf[:k] {
			if c != '\n' {
				line.WriteByte(c)
				continue
			}
			if !json.Valid(line.Bytes()) {
				return fmt.Errorf("%s: line %d is not JSON", want.Name, lines+1)
			}
			line.Reset()
			lines++
		}
		h.Write(buf[:k])
		if n += int64(k); n > maxFileSize {
			return fmt.Errorf("%s: larger than %d bytes", want.Name, int64(maxFileSize))
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", want.Name, err)
		}
	}
	if line.Len() > 0 {
		return fmt.Errorf("%s: last line not ended", want.Name)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 {
		return fmt.Errorf("%s: SHA-256 %s, manifest says %s: the file was changed", want.Name, got, want.SHA256)
	}
	if n != want.Bytes || lines != want.Lines {
		return fmt.Errorf("%s: %d bytes and %d lines, manifest says %d and %d", want.Name, n, lines, want.Bytes, want.Lines)
	}
	return nil
}

func readAll(f *zip.File, most int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, most+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > most {
		return nil, fmt.Errorf("larger than %d bytes", most)
	}
	return b, nil
}
