package redshift

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ObjectStore is where UNLOAD writes: the S3 side of the emulated
// cluster. Keys are relative to the bucket.
type ObjectStore interface {
	// List returns the keys under prefix, sorted. A missing bucket is an
	// error, as it is for UNLOAD.
	List(ctx context.Context, bucket, prefix string) ([]string, error)
	// Put stores body under key, replacing any object there.
	Put(ctx context.Context, bucket, key string, body []byte) error
	// Delete removes the keys; missing keys are not an error.
	Delete(ctx context.Context, bucket string, keys []string) error
}

var (
	_ ObjectStore = DirStore{}
	_ ObjectStore = (*S3Store)(nil)
)

// DirStore keeps buckets as directories: the object s3://b/k is the file
// Root/b/k. A bucket exists when its directory does.
type DirStore struct {
	Root string
}

// path returns the file of key, refusing keys that climb out of the bucket.
func (d DirStore) path(bucket, key string) (string, error) {
	if bucket == "" || strings.ContainsAny(bucket, `/\`) || bucket == "." || bucket == ".." {
		return "", fmt.Errorf("bad bucket name %q", bucket)
	}
	p := filepath.Join(d.Root, bucket, filepath.FromSlash(key))
	if !strings.HasPrefix(p, filepath.Join(d.Root, bucket)+string(filepath.Separator)) {
		return "", fmt.Errorf("bad key %q", key)
	}
	return p, nil
}

func (d DirStore) bucketDir(bucket string) (string, error) {
	dir := filepath.Join(d.Root, bucket)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return "", fmt.Errorf("S3ServiceException:The specified bucket does not exist (bucket %q)", bucket)
	}
	return dir, nil
}

// List implements ObjectStore.
func (d DirStore) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	dir, err := d.bucketDir(bucket)
	if err != nil {
		return nil, err
	}
	var keys []string
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, prefix) && !strings.Contains(key, ".tmp-") {
			keys = append(keys, key)
		}
		return nil
	})
	sort.Strings(keys)
	return keys, err
}

// Put implements ObjectStore, writing through a temporary file so that a
// reader never sees a partial object.
func (d DirStore) Put(ctx context.Context, bucket, key string, body []byte) error {
	if _, err := d.bucketDir(bucket); err != nil {
		return err
	}
	p, err := d.path(bucket, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Delete implements ObjectStore.
func (d DirStore) Delete(ctx context.Context, bucket string, keys []string) error {
	for _, k := range keys {
		p, err := d.path(bucket, k)
		if err != nil {
			return err
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// S3Store writes to a real S3 endpoint (AWS, or an S3 server such as
// versitygw) through aws-sdk-go-v2.
type S3Store struct {
	Client *s3.Client
}

// List implements ObjectStore with ListObjectsV2 pages.
func (s *S3Store) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// Put implements ObjectStore with one PutObject.
func (s *S3Store) Put(ctx context.Context, bucket, key string, body []byte) error {
	_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// Delete implements ObjectStore with DeleteObjects, 1,000 keys a call.
func (s *S3Store) Delete(ctx context.Context, bucket string, keys []string) error {
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		ids := make([]types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := s.Client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("delete from s3://%s: %w", bucket, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("delete s3://%s/%s: %s", bucket, aws.ToString(e.Key), aws.ToString(e.Message))
		}
		keys = keys[n:]
	}
	return nil
}
