package oss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ferry-dev/ferry/provider"
)

// maxPartNumber is the highest part number OSS accepts.
const maxPartNumber = 10000

// CreateMultipart starts a multipart upload to key. The upload is not
// retried here: a retried initiate whose first reply was lost would leave
// an orphaned upload, so the caller decides.
func (b *Bucket) CreateMultipart(ctx context.Context, key string) (provider.MultipartUpload, error) {
	imur, err := b.bucket.InitiateMultipartUpload(b.objectKey(key), oss.WithContext(ctx))
	if err != nil {
		return nil, b.errorf("start upload to %s: %w", b.URL(key), err)
	}
	return &upload{b: b, key: key, imur: imur, parts: map[int]uploadedPart{}}, nil
}

// upload is one multipart upload in progress.
type upload struct {
	b    *Bucket
	key  string
	imur oss.InitiateMultipartUploadResult

	mu    sync.Mutex
	parts map[int]uploadedPart
}

// uploadedPart is what Complete needs of a stored part.
type uploadedPart struct {
	etag string
	size int64
}

var _ provider.MultipartUpload = (*upload)(nil)

// UploadPart stores size bytes from r as part number. Parts may arrive
// concurrently and in any order; a number uploaded again replaces the
// part. The SDK compares the part's CRC with the one OSS reports; a
// mismatch wraps ErrChecksumMismatch and is retried like any transient
// failure when r can seek back.
func (u *upload) UploadPart(ctx context.Context, number int, r io.Reader, size int64) error {
	if number < 1 || number > maxPartNumber {
		return fmt.Errorf("upload part %d of %s: part numbers run from 1 to %d", number, u.b.URL(u.key), maxPartNumber)
	}
	if size < 0 {
		return fmt.Errorf("upload part %d of %s: the part size must be known", number, u.b.URL(u.key))
	}
	var part oss.UploadPart
	err := u.b.retryUpload(ctx, r, func() error {
		cr := &countingReader{r: r, ctx: ctx}
		var err error
		part, err = u.b.bucket.UploadPart(u.imur, cr, size, number, oss.WithContext(ctx))
		if err == nil && cr.n != size {
			return fmt.Errorf("body has %d bytes, want %d", cr.n, size)
		}
		if errors.As(err, new(oss.CRCCheckError)) {
			return fmt.Errorf("%w: %w", ErrChecksumMismatch, err)
		}
		return err
	})
	if err != nil {
		return u.b.errorf("upload part %d of %s: %w", number, u.b.URL(u.key), err)
	}
	u.mu.Lock()
	u.parts[number] = uploadedPart{etag: part.ETag, size: size}
	u.mu.Unlock()
	return nil
}

// Complete joins parts 1..n in order into the object and returns it with
// the CRC-64 OSS computed over the whole object. Parts missing from the
// sequence are an error, reported before anything is sent.
func (u *upload) Complete(ctx context.Context) (provider.Object, error) {
	u.mu.Lock()
	parts := make([]oss.UploadPart, 0, len(u.parts))
	var size int64
	for n, p := range u.parts {
		parts = append(parts, oss.UploadPart{PartNumber: n, ETag: p.etag})
		size += p.size
	}
	u.mu.Unlock()
	sort.Slice(parts, func(i, j int) bool { return parts[i].PartNumber < parts[j].PartNumber })
	if len(parts) == 0 {
		return provider.Object{}, fmt.Errorf("complete upload to %s: no parts uploaded", u.b.URL(u.key))
	}
	for i, p := range parts {
		if p.PartNumber != i+1 {
			return provider.Object{}, fmt.Errorf("complete upload to %s: part %d is missing", u.b.URL(u.key), i+1)
		}
	}
	var h http.Header
	_, err := u.b.bucket.CompleteMultipartUpload(u.imur, parts, oss.WithContext(ctx), oss.GetResponseHeader(&h))
	if err != nil {
		return provider.Object{}, u.b.errorf("complete upload to %s: %w", u.b.URL(u.key), err)
	}
	return provider.Object{Key: u.key, Size: size, Checksum: checksumOf(h)}, nil
}

// Abort discards the upload and its parts. An upload OSS no longer knows
// (already aborted or completed) is not an error.
func (u *upload) Abort(ctx context.Context) error {
	err := u.b.retry(ctx, nil, func() error {
		return u.b.bucket.AbortMultipartUpload(u.imur, oss.WithContext(ctx))
	})
	if err != nil && !isCode(err, "NoSuchUpload") {
		return u.b.errorf("abort upload to %s: %w", u.b.URL(u.key), err)
	}
	return nil
}
