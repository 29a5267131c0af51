package connect

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/redshift"
)

// bucketObjects lets a Redshift source read and move the manifest its
// UNLOAD wrote, through the configured S3 bucket that URL names (so the
// bucket's own credentials, endpoint and region apply).
type bucketObjects struct{ reg *Registry }

var _ redshift.ObjectStore = bucketObjects{}

func (o bucketObjects) resolve(ctx context.Context, raw string) (provider.Bucket, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" {
		return nil, "", fmt.Errorf("not an s3:// URL: %q", raw)
	}
	for addr, p := range o.reg.cfg.Buckets {
		if p.Kind == "s3" && p.String("bucket", "") == u.Host {
			b, err := o.reg.Bucket(ctx, addr)
			return b, strings.TrimPrefix(u.Path, "/"), err
		}
	}
	return nil, "", fmt.Errorf("no s3 bucket block in the configuration for bucket %q", u.Host)
}

// Get reads an object whole.
func (o bucketObjects) Get(ctx context.Context, raw string) ([]byte, error) {
	b, key, err := o.resolve(ctx, raw)
	if err != nil {
		return nil, err
	}
	rc, err := b.Open(ctx, key, 0, -1)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Put stores a small object.
func (o bucketObjects) Put(ctx context.Context, raw string, body []byte) error {
	b, key, err := o.resolve(ctx, raw)
	if err != nil {
		return err
	}
	_, err = b.Put(ctx, key, bytes.NewReader(body), int64(len(body)))
	return err
}

// Delete removes an object.
func (o bucketObjects) Delete(ctx context.Context, raw string) error {
	b, key, err := o.resolve(ctx, raw)
	if err != nil {
		return err
	}
	return b.Delete(ctx, []string{key})
}

// GetTail reads the last n bytes of an object (a Parquet footer).
func (o bucketObjects) GetTail(ctx context.Context, raw string, n int64) ([]byte, error) {
	b, key, err := o.resolve(ctx, raw)
	if err != nil {
		return nil, err
	}
	objs, err := b.List(ctx, key)
	if err != nil {
		return nil, err
	}
	var size int64 = -1
	for _, ob := range objs {
		if ob.Key == key {
			size = ob.Size
		}
	}
	if size < 0 {
		return nil, fmt.Errorf("%s: %w", raw, provider.ErrNotFound)
	}
	off := size - n
	if off < 0 {
		off = 0
	}
	rc, err := b.Open(ctx, key, off, size-off)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
