package registry

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"

	"github.com/wardenhq/warden/internal/modelscan"
	"github.com/wardenhq/warden/internal/store"
)

// fakeS3 starts an in-process S3 server with bucket "models" and returns a
// source over it and a function that puts an object.
func fakeS3(t *testing.T) (*S3, func(key string, body []byte)) {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	src := &S3{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Bucket: "models", Prefix: "registry/", Region: "us-east-1",
		AccessKey: "test", SecretKey: "test", Insecure: true, TempDir: t.TempDir()}
	c, err := src.connect()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MakeBucket(context.Background(), "models", minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	put := func(key string, body []byte) {
		t.Helper()
		if _, err := c.PutObject(context.Background(), "models", key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return src, put
}

func fixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("../modelscan/testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestS3Source: versions in a bucket are found with the local layout rules,
// downloaded, scanned and removed; a change of object is noticed by its
// ETag; a key that would escape the download directory and a version over
// the size limit are recorded as not scanned, never clean.
func TestS3Source(t *testing.T) {
	ctx := context.Background()
	src, put := fakeS3(t)
	put("registry/fraud/1/model.pt", fixture(t, "benign_model.pt"))
	put("registry/fraud/2/model.pkl", fixture(t, "memo_ctf.pkl"))
	put("registry/acme/bert/config.json", []byte(`{"architectures":["BertModel"]}`))
	put("elsewhere/ignored/model.pkl", fixture(t, "memo_ctf.pkl"))
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := &Watcher{
		Sources: []Source{{Name: "bucket", S3: src, Subscription: "on"}}, Store: st,
		Settings: settings{"on": {ID: "on", Plan: true, ModelSecurity: true}},
		Scanner:  modelscan.New(modelscan.Options{}), Every: time.Minute, Rescan: 24 * time.Hour,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
	}
	if err := w.Once(ctx); err != nil {
		t.Fatal(err)
	}
	scans, err := st.ModelScans(ctx, "on")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]store.ModelScan{}
	for _, s := range scans {
		got[s.Model+"@"+s.Version] = s
	}
	if len(got) != 3 || got["fraud@1"].Highest == "critical" || got["fraud@2"].Highest != "critical" ||
		got["fraud@2"].Recommendations[0].Path != "model.pkl" || got["acme/bert@main"].Files != 1 {
		t.Fatalf("scans %+v, want acme/bert@main, fraud@1 clean, fraud@2 critical", scans)
	}
	as, _ := st.Alerts(ctx, store.AlertFilter{})
	if len(as) != 1 || !strings.Contains(as[0].Entities[2].ID, "s3://models/registry/fraud/2") {
		t.Errorf("alerts %+v, want one model-malware alert locating s3://models/registry/fraud/2", as)
	}
	if left, _ := os.ReadDir(src.TempDir); len(left) != 0 {
		t.Errorf("%d downloads left behind, want none", len(left))
	}

	// The bad file replaced by a good one: a new ETag, scanned again.
	now = now.Add(time.Hour)
	put("registry/fraud/2/model.pkl", fixture(t, "benign_model.pt"))
	if err := w.Once(ctx); err != nil {
		t.Fatal(err)
	}
	scans, _ = st.ModelScans(ctx, "on")
	for _, s := range scans {
		if s.Model == "fraud" && s.Version == "2" && (!s.ScannedAt.Equal(now) || s.Highest == "critical") {
			t.Errorf("changed version: %+v, want rescanned and clean", s)
		}
		if s.Model == "fraud" && s.Version == "1" && s.ScannedAt.Equal(now) {
			t.Errorf("unchanged version rescanned")
		}
	}

	// Too big for the limit: recorded with an error, not as clean.
	src.MaxBytes = 10
	put("registry/fraud/3/model.pt", fixture(t, "benign_model.pt"))
	if err := w.Once(ctx); err != nil {
		t.Fatal(err)
	}
	scans, _ = st.ModelScans(ctx, "on")
	for _, s := range scans {
		if s.Version == "3" && !strings.Contains(s.Error, "download limit") {
			t.Errorf("oversized version: %+v, want an error saying it was not scanned", s)
		}
	}
}

func TestSafeJoin(t *testing.T) {
	dir := t.TempDir()
	for key, ok := range map[string]bool{"model.pt": true, "sub/model.pt": true, "../escape": false, "a/../../escape": false} {
		_, err := safeJoin(dir, key)
		if (err == nil) != ok {
			t.Errorf("safeJoin(%q) err = %v, want ok=%v", key, err, ok)
		}
	}
}
