package registry

import (
	"strings"
	"testing"
)

// FuzzLayout: object keys are untrusted names; the layout never panics,
// and every version's files lie under its prefix.
func FuzzLayout(f *testing.F) {
	f.Add("fraud/1/model.pt\nfraud/2/model.pkl\nacme/bert/config.json")
	f.Add("a/../b/c\n/abs/x\n.hidden/m/1/x\nm/v1/\n//\n")
	f.Fuzz(func(t *testing.T, listing string) {
		var files []file
		for _, k := range strings.Split(listing, "\n") {
			if k != "" {
				files = append(files, file{Path: k, Size: int64(len(k))})
			}
		}
		for _, v := range layout(files) {
			if v.Model == "" || v.Version == "" {
				t.Fatalf("version %+v without a model or version name", v)
			}
			for _, f := range v.files {
				if !strings.HasPrefix(f.Path, v.Prefix+"/") {
					t.Fatalf("file %q outside version prefix %q", f.Path, v.Prefix)
				}
			}
			_ = v.fingerprint()
		}
	})
}
