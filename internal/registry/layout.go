package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// file is one regular file of a source: its slash-separated path below the
// source's root and a stamp (size and modification time, or size and ETag)
// that changes when its content does.
type file struct {
	Path  string
	Size  int64
	Stamp string
}

// Version is one version of a model in a source.
type Version struct {
	Model, Version string
	// Prefix is the version's directory below the source's root (slash
	// separated); Dir is where it is, for people: a local path or a URL.
	Prefix, Dir string
	files       []file
}

// Bytes is the version's total size.
func (v Version) Bytes() int64 {
	var n int64
	for _, f := range v.files {
		n += f.Size
	}
	return n
}

// fingerprint summarises the version's files (names and stamps) so that a
// change is noticed without reading them.
func (v Version) fingerprint() string {
	h := sha256.New()
	for _, f := range v.files {
		fmt.Fprintf(h, "%s\x00%s\n", strings.TrimPrefix(f.Path, v.Prefix+"/"), f.Stamp)
	}
	return hex.EncodeToString(h.Sum(nil))
}

var versionName = regexp.MustCompile(`^(v?\d+([._-]\w+)*|main|latest|[0-9a-f]{40})$`)

// dirNode is a directory of the listing.
type dirNode struct {
	dirs  map[string]*dirNode
	files int
}

// layout finds the model versions in a listing. A directory whose
// subdirectories are all named like versions (1, v2, 3.1.0, main, a commit
// hash) and that holds no files is a model with those versions, as
// registries lay them out; any other directory holding files is a model with
// one version, "main", as a Hugging Face repository is; organisation
// directories (org/model) are walked through, three levels deep at most.
// Directories whose names start with a dot are skipped.
func layout(files []file) []Version {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	root := &dirNode{dirs: map[string]*dirNode{}}
	for _, f := range files {
		n := root
		parts := strings.Split(f.Path, "/")
		hidden := false
		for _, p := range parts[:len(parts)-1] {
			if strings.HasPrefix(p, ".") {
				hidden = true
				break
			}
			if n.dirs[p] == nil {
				n.dirs[p] = &dirNode{dirs: map[string]*dirNode{}}
			}
			n = n.dirs[p]
		}
		if !hidden {
			n.files++
		}
	}
	var out []Version
	var walk func(n *dirNode, dir, model string, depth int)
	walk = func(n *dirNode, dir, model string, depth int) {
		names := make([]string, 0, len(n.dirs))
		for d := range n.dirs {
			names = append(names, d)
		}
		sort.Strings(names)
		switch {
		case model != "" && len(names) > 0 && n.files == 0 && allVersions(names):
			for _, d := range names {
				out = append(out, Version{Model: model, Version: d, Prefix: path.Join(dir, d)})
			}
			return
		case model != "" && n.files > 0:
			out = append(out, Version{Model: model, Version: "main", Prefix: dir})
			return
		case depth >= 3:
			return
		}
		for _, d := range names {
			m := d
			if model != "" {
				m = model + "/" + d
			}
			walk(n.dirs[d], path.Join(dir, d), m, depth+1)
		}
	}
	walk(root, "", "", 0)
	for i := range out {
		for _, f := range files {
			if strings.HasPrefix(f.Path, out[i].Prefix+"/") {
				out[i].files = append(out[i].files, f)
			}
		}
	}
	return out
}

func allVersions(names []string) bool {
	for _, n := range names {
		if !versionName.MatchString(n) {
			return false
		}
	}
	return true
}
