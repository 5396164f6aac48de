package registry

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Source is one model source: a local directory (Path) or a bucket of an
// S3-compatible object store (S3).
type Source struct {
	Name         string
	Path         string
	S3           *S3
	Subscription string
}

// tree is what the watcher needs of a source: a listing, and the files of
// one version on disk to scan.
type tree interface {
	files(ctx context.Context) ([]file, error)
	// fetch makes version v readable on disk: its directory and a cleanup.
	fetch(ctx context.Context, v Version) (dir string, done func(), err error)
	// where is a version's location for people.
	where(v Version) string
}

func (s Source) tree() tree {
	if s.S3 != nil {
		return s.S3
	}
	return localTree(s.Path)
}

// localTree is a directory on this machine; versions are scanned in place.
type localTree string

func (t localTree) files(context.Context) ([]file, error) {
	var out []file
	err := filepath.WalkDir(string(t), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(string(t), p)
		if err != nil {
			return err
		}
		out = append(out, file{Path: filepath.ToSlash(rel), Size: info.Size(), Stamp: fmt.Sprintf("%d\x00%d", info.Size(), info.ModTime().UnixNano())})
		return nil
	})
	return out, err
}

func (t localTree) fetch(_ context.Context, v Version) (string, func(), error) {
	return t.where(v), func() {}, nil
}

func (t localTree) where(v Version) string {
	return filepath.Join(string(t), filepath.FromSlash(v.Prefix))
}

// Versions lists the model versions of a local directory (see layout).
func Versions(root string) ([]Version, error) {
	if _, err := os.Stat(root); err != nil {
		return nil, err
	}
	t := localTree(root)
	fs, err := t.files(context.Background())
	if err != nil {
		return nil, err
	}
	vs := layout(fs)
	for i := range vs {
		vs[i].Dir = t.where(vs[i])
	}
	return vs, nil
}

// safeJoin joins a listed key below dir, refusing keys that would escape
// it: an object store's keys are untrusted names.
func safeJoin(dir, key string) (string, error) {
	p := filepath.Join(dir, filepath.FromSlash(key))
	if p != dir && !strings.HasPrefix(p, dir+string(filepath.Separator)) {
		return "", fmt.Errorf("object key %q escapes the scan directory", key)
	}
	return p, nil
}
