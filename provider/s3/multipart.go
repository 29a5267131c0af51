package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/ferry-dev/ferry/provider"
)

// maxPartNumber is the highest part number S3 accepts.
const maxPartNumber = 10000

// CreateMultipart starts a multipart upload to key. Nothing is visible
// under key until Complete; an upload that is neither completed nor
// aborted keeps its parts (and their storage cost) until a bucket
// lifecycle rule removes them, so callers Abort on failure.
func (b *Bucket) CreateMultipart(ctx context.Context, key string) (provider.MultipartUpload, error) {
	out, err := b.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(b.bucket),
		Key:    aws.String(b.fullKey(key)),
	})
	if err != nil {
		return nil, fmt.Errorf("start multipart upload to %s: %w", b.URL(key), err)
	}
	return &upload{b: b, key: key, id: aws.ToString(out.UploadId), parts: map[int]part{}}, nil
}

// upload is one multipart upload in progress.
type upload struct {
	b   *Bucket
	key string
	id  string

	mu sync.Mutex
	// parts holds what S3 returned for each uploaded part number.
	parts map[int]part
}

// part is an uploaded part: S3 needs its ETag to complete the upload.
type part struct {
	etag string
	size int64
}

// UploadPart sends size bytes from r as part number. Parts may be sent
// concurrently and in any order; sending a number again replaces it. Every
// part but the last must be at least 5 MiB, which S3 checks on Complete.
func (u *upload) UploadPart(ctx context.Context, number int, r io.Reader, size int64) error {
	if number < 1 || number > maxPartNumber {
		return fmt.Errorf("upload part %d of %s: part numbers run from 1 to %d", number, u.b.URL(u.key), maxPartNumber)
	}
	body, opts, err := prepareBody(r, size)
	if err != nil {
		return fmt.Errorf("upload part %d of %s: %w", number, u.b.URL(u.key), err)
	}
	out, err := u.b.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:        aws.String(u.b.bucket),
		Key:           aws.String(u.b.fullKey(u.key)),
		UploadId:      aws.String(u.id),
		PartNumber:    aws.Int32(int32(number)),
		Body:          body,
		ContentLength: aws.Int64(size),
	}, opts...)
	if err != nil {
		return fmt.Errorf("upload part %d of %s: %w", number, u.b.URL(u.key), err)
	}
	u.mu.Lock()
	u.parts[number] = part{etag: aws.ToString(out.ETag), size: size}
	u.mu.Unlock()
	return nil
}

// Complete joins parts 1..n in number order into the object. It fails,
// publishing nothing, when the uploaded numbers are not exactly 1..n.
// The returned Checksum is empty: a multipart ETag is not a content hash.
func (u *upload) Complete(ctx context.Context) (provider.Object, error) {
	u.mu.Lock()
	numbers := make([]int, 0, len(u.parts))
	for n := range u.parts {
		numbers = append(numbers, n)
	}
	sort.Ints(numbers)
	completed := make([]types.CompletedPart, len(numbers))
	var size int64
	for i, n := range numbers {
		p := u.parts[n]
		completed[i] = types.CompletedPart{ETag: aws.String(p.etag), PartNumber: aws.Int32(int32(n))}
		size += p.size
	}
	u.mu.Unlock()

	if len(numbers) == 0 {
		return provider.Object{}, fmt.Errorf("complete upload to %s: no parts uploaded", u.b.URL(u.key))
	}
	for i, n := range numbers {
		if n != i+1 {
			return provider.Object{}, fmt.Errorf("complete upload to %s: part %d is missing", u.b.URL(u.key), i+1)
		}
	}
	_, err := u.b.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(u.b.bucket),
		Key:             aws.String(u.b.fullKey(u.key)),
		UploadId:        aws.String(u.id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
	})
	if err != nil {
		return provider.Object{}, fmt.Errorf("complete upload to %s: %w", u.b.URL(u.key), err)
	}
	return provider.Object{Key: u.key, Size: size}, nil
}

// Abort discards the upload and its parts. An upload S3 no longer knows
// (already aborted or completed) is not an error.
func (u *upload) Abort(ctx context.Context) error {
	_, err := u.b.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(u.b.bucket),
		Key:      aws.String(u.b.fullKey(u.key)),
		UploadId: aws.String(u.id),
	})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchUpload" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("abort upload to %s: %w", u.b.URL(u.key), err)
	}
	return nil
}
