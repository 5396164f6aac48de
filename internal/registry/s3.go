package registry

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 is a model source in a bucket of an S3-compatible object store (AWS
// S3, MinIO, Ceph, R2...), laid out under Prefix as a local source is. A
// version is downloaded to a temporary directory to be scanned and removed
// after; the listing's ETags tell when a version changed.
type S3 struct {
	Endpoint  string // host[:port]
	Bucket    string
	Prefix    string
	Region    string
	AccessKey string
	SecretKey string
	// Insecure talks plain HTTP (a local MinIO); the default is HTTPS.
	Insecure bool
	// MaxBytes bounds what one version may download (0: 20 GiB): a
	// version larger than that is reported as not scanned, never clean.
	MaxBytes int64
	// TempDir is where versions are downloaded (empty: the system's).
	TempDir string

	client *minio.Client
}

const defaultS3MaxBytes = 20 << 30

func (s *S3) connect() (*minio.Client, error) {
	if s.client != nil {
		return s.client, nil
	}
	c, err := minio.New(s.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		Secure:       !s.Insecure,
		Region:       s.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 %s: %w", s.Endpoint, err)
	}
	s.client = c
	return c, nil
}

func (s *S3) prefix() string {
	p := strings.Trim(s.Prefix, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

func (s *S3) files(ctx context.Context) ([]file, error) {
	c, err := s.connect()
	if err != nil {
		return nil, err
	}
	var out []file
	for o := range c.ListObjects(ctx, s.Bucket, minio.ListObjectsOptions{Prefix: s.prefix(), Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", s.Bucket, s.prefix(), o.Err)
		}
		rel := strings.TrimPrefix(o.Key, s.prefix())
		if rel == "" || strings.HasSuffix(rel, "/") {
			continue // a directory marker
		}
		out = append(out, file{Path: rel, Size: o.Size, Stamp: fmt.Sprintf("%d\x00%s", o.Size, o.ETag)})
	}
	return out, nil
}

func (s *S3) fetch(ctx context.Context, v Version) (string, func(), error) {
	limit := s.MaxBytes
	if limit <= 0 {
		limit = defaultS3MaxBytes
	}
	if n := v.Bytes(); n > limit {
		return "", nil, fmt.Errorf("version is %d bytes, over the %d-byte download limit: not scanned", n, limit)
	}
	c, err := s.connect()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp(s.TempDir, "warden-model-")
	if err != nil {
		return "", nil, err
	}
	done := func() { os.RemoveAll(dir) }
	for _, f := range v.files {
		rel := strings.TrimPrefix(f.Path, v.Prefix+"/")
		dst, err := safeJoin(dir, rel)
		if err != nil {
			done()
			return "", nil, err
		}
		if err := c.FGetObject(ctx, s.Bucket, s.prefix()+f.Path, dst, minio.GetObjectOptions{}); err != nil {
			done()
			return "", nil, fmt.Errorf("download %s: %w", f.Path, err)
		}
	}
	return dir, done, nil
}

func (s *S3) where(v Version) string {
	return "s3://" + path.Join(s.Bucket, s.prefix()+v.Prefix)
}
