package oss

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ferry-dev/ferry/provider"
)

// Open reads length bytes of key from offset (length < 0: to the end).
// A missing key gives an error wrapping provider.ErrNotFound. When the
// whole object is read, its CRC-64 is checked against the one OSS
// reports, and a mismatch surfaces as a read error wrapping
// ErrChecksumMismatch at the end of the stream.
func (b *Bucket) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 {
		return nil, fmt.Errorf("open %s: negative offset %d", b.URL(key), offset)
	}
	if length == 0 {
		// Nothing to read, but a missing key must still be reported.
		err := b.retry(ctx, nil, func() error {
			_, err := b.bucket.GetObjectMeta(b.objectKey(key), oss.WithContext(ctx))
			return err
		})
		if err != nil {
			return nil, b.openError(key, err)
		}
		return io.NopCloser(eofReader{}), nil
	}
	opts := []oss.Option{oss.WithContext(ctx)}
	whole := offset == 0 && length < 0
	switch {
	case length > 0:
		opts = append(opts, oss.Range(offset, offset+length-1), oss.RangeBehavior("standard"))
	case offset > 0:
		opts = append(opts, oss.NormalizedRange(strconv.FormatInt(offset, 10)+"-"), oss.RangeBehavior("standard"))
	}
	var res *oss.GetObjectResult
	err := b.retry(ctx, nil, func() error {
		var err error
		res, err = b.bucket.DoGetObject(&oss.GetObjectRequest{ObjectKey: b.objectKey(key)}, opts)
		return err
	})
	if isCode(err, "InvalidRange") {
		// A range starting at or past the end reads nothing, as a file
		// (and S3) does.
		return io.NopCloser(eofReader{}), nil
	}
	if err != nil {
		return nil, b.openError(key, err)
	}
	if !whole || res.ClientCRC == nil || res.Response.Headers.Get(headerCRC) == "" {
		return res.Response, nil
	}
	return &crcReader{rc: res.Response, client: res.ClientCRC, server: res.ServerCRC, url: b.URL(key)}, nil
}

// openError wraps a failed read, mapping NoSuchKey to provider.ErrNotFound.
func (b *Bucket) openError(key string, err error) error {
	if isNotFound(err) {
		return b.errorf("open %s: %w (%w)", b.URL(key), provider.ErrNotFound, err)
	}
	return b.errorf("open %s: %w", b.URL(key), err)
}

// eofReader is an empty stream.
type eofReader struct{}

// Read always reports the end of the stream.
func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// crcReader passes an object's bytes through and, at their end, compares
// the CRC the SDK computed while they streamed with the one OSS reported.
type crcReader struct {
	rc     io.ReadCloser
	client hash.Hash64
	server uint64
	url    string
}

// Read implements io.Reader.
func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if err == io.EOF && c.client.Sum64() != c.server {
		return n, fmt.Errorf("read %s: %w: read %d, OSS reports %d", c.url, ErrChecksumMismatch, c.client.Sum64(), c.server)
	}
	return n, err
}

// Close implements io.Closer.
func (c *crcReader) Close() error { return c.rc.Close() }

// countingReader counts the bytes read through it.
type countingReader struct {
	r   io.Reader
	ctx context.Context
	n   int64
}

// Read implements io.Reader, stopping once the context is done.
func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Put streams size bytes from r to key in one request (size < 0: unknown,
// sent chunked) and returns the stored object with the CRC-64 OSS
// computed. OSS replaces an object only once the whole body has arrived.
// If the stored CRC differs from the bytes sent, the object is deleted
// and the error wraps ErrChecksumMismatch. The body is resent on
// retryable failures only when r can seek back; otherwise the caller
// retries.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, size int64) (provider.Object, error) {
	full := b.objectKey(key)
	var (
		h  http.Header
		cr *countingReader
	)
	err := b.retryUpload(ctx, r, func() error {
		cr = &countingReader{r: r, ctx: ctx}
		var body io.Reader = cr
		if size >= 0 {
			// The SDK takes the Content-Length of an io.LimitedReader, so
			// the body streams without being buffered.
			body = &io.LimitedReader{R: cr, N: size}
		}
		err := b.bucket.PutObject(full, body, oss.WithContext(ctx), oss.GetResponseHeader(&h))
		if errors.As(err, new(oss.CRCCheckError)) {
			b.discard(ctx, full)
			return fmt.Errorf("%w: %w", ErrChecksumMismatch, err)
		}
		return err
	})
	if err != nil {
		return provider.Object{}, b.errorf("put %s: %w", b.URL(key), err)
	}
	if size >= 0 && cr.n != size {
		b.discard(ctx, full)
		return provider.Object{}, b.errorf("put %s: body has %d bytes, want %d", b.URL(key), cr.n, size)
	}
	return provider.Object{Key: key, Size: cr.n, Checksum: checksumOf(h)}, nil
}

// discard deletes a just-written object that must not stay (wrong CRC),
// even when ctx is cancelled. Its own failure is not reported: the
// caller's error matters more.
func (b *Bucket) discard(ctx context.Context, fullKey string) {
	_ = b.bucket.DeleteObject(fullKey, oss.WithContext(context.WithoutCancel(ctx)))
}
