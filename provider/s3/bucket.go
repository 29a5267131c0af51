package s3

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-dev/ferry/provider"
)

var (
	_ provider.Bucket          = (*Bucket)(nil)
	_ provider.MultipartBucket = (*Bucket)(nil)
)

// deleteBatch is the most keys one DeleteObjects request may name.
const deleteBatch = 1000

// List returns every object whose key starts with prefix, sorted by key,
// one ListObjectsV2 page (1000 keys) per round trip. Keys ending in "/"
// are folder markers that consoles create, not data, and are left out.
// Checksum is empty: see the package documentation.
func (b *Bucket) List(ctx context.Context, prefix string) ([]provider.Object, error) {
	var out []provider.Object
	p := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(b.bucket),
		Prefix: aws.String(b.fullKey(prefix)),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", b.URL(prefix), err)
		}
		for _, o := range page.Contents {
			key, ok := strings.CutPrefix(aws.ToString(o.Key), b.prefix)
			if !ok || strings.HasSuffix(key, "/") {
				continue
			}
			out = append(out, provider.Object{Key: key, Size: aws.ToInt64(o.Size)})
		}
	}
	// S3 already lists in byte order; S3-compatible stores need not.
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Open reads length bytes of key from offset (length < 0: to the end) with
// one ranged GET. A range starting at or past the end of the object reads
// nothing, as it does for a file. A missing key gives an error wrapping
// provider.ErrNotFound.
func (b *Bucket) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 {
		return nil, fmt.Errorf("open %s: negative offset %d", b.URL(key), offset)
	}
	in := &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.fullKey(key))}
	if length == 0 {
		// No range says "nothing": read one byte and drop it, which still
		// tells a missing key (NoSuchKey) from a missing bucket.
		in.Range = aws.String("bytes=" + strconv.FormatInt(offset, 10) + "-" + strconv.FormatInt(offset, 10))
		out, err := b.client.GetObject(ctx, in)
		if err != nil && httpStatus(err) != 416 {
			return nil, b.openError(key, err)
		}
		if err == nil {
			out.Body.Close()
		}
		return io.NopCloser(strings.NewReader("")), nil
	}
	// A whole-object read sends no Range: S3 answers "bytes=0-" on an
	// empty object with 416.
	if offset > 0 || length > 0 {
		r := "bytes=" + strconv.FormatInt(offset, 10) + "-"
		if length > 0 {
			r += strconv.FormatInt(offset+length-1, 10)
		}
		in.Range = aws.String(r)
	}
	out, err := b.client.GetObject(ctx, in)
	if err != nil {
		if httpStatus(err) == 416 {
			return io.NopCloser(strings.NewReader("")), nil
		}
		return nil, b.openError(key, err)
	}
	return out.Body, nil
}

// openError wraps a failed read of key, adding provider.ErrNotFound when
// S3 says the key does not exist.
func (b *Bucket) openError(key string, err error) error {
	if isNotFound(err) {
		return fmt.Errorf("open %s: %w: %w", b.URL(key), provider.ErrNotFound, err)
	}
	return fmt.Errorf("open %s: %w", b.URL(key), err)
}

// Put stores size bytes from r under key with one PutObject. S3 publishes
// an object only once its whole body has arrived, so a failed or cut
// upload leaves any previous object in place. A body shorter or longer
// than size fails before the last byte is sent. The body is streamed, not
// buffered; see the package documentation for how it is signed.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, size int64) (provider.Object, error) {
	body, opts, err := prepareBody(r, size)
	if err != nil {
		return provider.Object{}, fmt.Errorf("put %s: %w", b.URL(key), err)
	}
	_, err = b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(b.bucket),
		Key:           aws.String(b.fullKey(key)),
		Body:          body,
		ContentLength: aws.Int64(size),
	}, opts...)
	if err != nil {
		return provider.Object{}, fmt.Errorf("put %s: %w", b.URL(key), err)
	}
	return provider.Object{Key: key, Size: size}, nil
}

// Delete removes the keys with DeleteObjects, up to 1000 keys a request.
// Missing keys are not an error. When S3 refuses some keys, the error
// names the first and counts the rest; it carries that key's S3 error
// code, so IsRetryable can judge it.
func (b *Bucket) Delete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += deleteBatch {
		batch := keys[start:min(start+deleteBatch, len(keys))]
		ids := make([]types.ObjectIdentifier, len(batch))
		for i, k := range batch {
			ids[i] = types.ObjectIdentifier{Key: aws.String(b.fullKey(k))}
		}
		out, err := b.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(b.bucket),
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("delete %d objects under %s: %w", len(batch), b.URL(""), err)
		}
		if err := b.deleteErrors(out.Errors); err != nil {
			return err
		}
	}
	return nil
}

// deleteErrors turns the per-key failures of a DeleteObjects reply into
// one error, ignoring keys that were already gone.
func (b *Bucket) deleteErrors(errs []types.Error) error {
	var first *KeyError
	n := 0
	for _, e := range errs {
		code := aws.ToString(e.Code)
		if code == "NoSuchKey" {
			continue
		}
		if first == nil {
			first = &KeyError{
				URL:     "s3://" + b.bucket + "/" + aws.ToString(e.Key),
				Code:    code,
				Message: aws.ToString(e.Message),
			}
		}
		n++
	}
	if first == nil {
		return nil
	}
	first.Others = n - 1
	return fmt.Errorf("delete: %w", first)
}
