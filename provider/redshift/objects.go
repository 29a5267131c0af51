package redshift

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/ferry-dev/ferry/provider"
)

// ObjectStore reads and writes single S3 objects by s3://bucket/key URL.
// Unload uses it to read the manifest UNLOAD wrote and move it out of the
// data folder.
type ObjectStore interface {
	// Get returns the object's content; a missing object gives an error
	// wrapping provider.ErrNotFound.
	Get(ctx context.Context, url string) ([]byte, error)
	// Put stores body at url, replacing any object there.
	Put(ctx context.Context, url string, body []byte) error
	// Delete removes the object; a missing object is not an error.
	Delete(ctx context.Context, url string) error
}

var (
	_ ObjectStore = (*S3Objects)(nil)
	_ ObjectStore = DirObjects{}
)

// splitS3URL splits "s3://bucket/key".
func splitS3URL(url string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(url, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", fmt.Errorf("%q is not an s3://bucket/key URL", url)
	}
	return bucket, key, nil
}

// S3Objects is an ObjectStore over an S3 client (AWS or any S3 server).
type S3Objects struct {
	Client *s3.Client
}

// Get implements ObjectStore.
func (o *S3Objects) Get(ctx context.Context, url string) ([]byte, error) {
	bucket, key, err := splitS3URL(url)
	if err != nil {
		return nil, err
	}
	out, err := o.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		var nsk *types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, fmt.Errorf("get %s: %w", url, provider.ErrNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", url, err)
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// Put implements ObjectStore.
func (o *S3Objects) Put(ctx context.Context, url string, body []byte) error {
	bucket, key, err := splitS3URL(url)
	if err != nil {
		return err
	}
	_, err = o.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	if err != nil {
		return fmt.Errorf("put %s: %w", url, err)
	}
	return nil
}

// Delete implements ObjectStore.
func (o *S3Objects) Delete(ctx context.Context, url string) error {
	bucket, key, err := splitS3URL(url)
	if err != nil {
		return err
	}
	if _, err := o.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("delete %s: %w", url, err)
	}
	return nil
}

// DirObjects is an ObjectStore over a local directory: s3://b/k is the
// file Root/b/k. It serves local staging and tests.
type DirObjects struct {
	Root string
}

func (d DirObjects) path(url string) (string, error) {
	bucket, key, err := splitS3URL(url)
	if err != nil {
		return "", err
	}
	base := filepath.Join(d.Root, bucket)
	p := filepath.Join(base, filepath.FromSlash(key))
	if !strings.HasPrefix(p, base+string(filepath.Separator)) {
		return "", fmt.Errorf("%q leaves its bucket", url)
	}
	return p, nil
}

// Get implements ObjectStore.
func (d DirObjects) Get(ctx context.Context, url string) ([]byte, error) {
	p, err := d.path(url)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("get %s: %w", url, provider.ErrNotFound)
	}
	return b, err
}

// Put implements ObjectStore, through a temporary file.
func (d DirObjects) Put(ctx context.Context, url string, body []byte) error {
	p, err := d.path(url)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".tmp-put"
	if err := os.WriteFile(tmp, body, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// Delete implements ObjectStore.
func (d DirObjects) Delete(ctx context.Context, url string) error {
	p, err := d.path(url)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
