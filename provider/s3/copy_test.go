package s3

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
	"github.com/ferry-dev/ferry/provider/stream"
)

func TestStreamCopyRoundTrip(t *testing.T) {
	ctx := context.Background()
	dst, srv := newTestBucket(t, "unload_from_redshift")
	src, err := local.NewBucket(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	back, err := local.NewBucket(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}

	// Small files stream through Put; the large one, over the threshold
	// and not a multiple of the part size, goes through a multipart
	// upload with parts in flight concurrently.
	files := map[string][]byte{
		"lineitem/data/0000_part_00.parquet": randomBytes(10, 300<<10),
		"lineitem/data/0001_part_00.parquet": randomBytes(11, 1),
		"lineitem/data/0002_part_00.parquet": {},
		"lineitem/data/0003_part_00.parquet": randomBytes(12, 2*partSize+777),
	}
	for key, data := range files {
		if _, err := src.Put(ctx, key, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
	}
	copier := stream.New(stream.Options{
		PartSize:           partSize,
		PartConcurrency:    3,
		MultipartThreshold: partSize + 1,
		RetryDelay:         time.Millisecond,
		IsRetryable:        IsRetryable,
	})

	up, err := copier.Copy(ctx, provider.CopyRequest{Src: src, SrcPrefix: "lineitem/", Dst: dst, DstPrefix: "gen1/lineitem/"})
	if err != nil {
		t.Fatal(err)
	}
	if up.Copied != int64(len(files)) || up.Skipped != 0 || len(up.Objects) != len(files) {
		t.Errorf("upload copied %d, skipped %d, listed %d; want %d copied", up.Copied, up.Skipped, len(up.Objects), len(files))
	}
	// S3 marks a multipart object's ETag with its part count.
	head, err := rootClient(srv).HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(testBucket),
		Key:    aws.String("unload_from_redshift/gen1/lineitem/data/0003_part_00.parquet"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if etag := aws.ToString(head.ETag); !strings.HasSuffix(strings.Trim(etag, `"`), "-3") {
		t.Errorf("large object ETag %s: not uploaded in 3 parts", etag)
	}
	down, err := copier.Copy(ctx, provider.CopyRequest{Src: dst, SrcPrefix: "gen1/lineitem/", Dst: back, DstPrefix: "lineitem/"})
	if err != nil {
		t.Fatal(err)
	}
	if down.Copied != int64(len(files)) {
		t.Errorf("download copied %d objects, want %d", down.Copied, len(files))
	}
	for key, want := range files {
		got, err := os.ReadFile(back.Path(key))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s came back with %d bytes differing from the %d sent", key, len(got), len(want))
		}
	}

	// A second run finds everything in place and moves nothing.
	for name, req := range map[string]provider.CopyRequest{
		"upload":   {Src: src, SrcPrefix: "lineitem/", Dst: dst, DstPrefix: "gen1/lineitem/"},
		"download": {Src: dst, SrcPrefix: "gen1/lineitem/", Dst: back, DstPrefix: "lineitem/"},
	} {
		again, err := copier.Copy(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if again.Copied != 0 || again.Skipped != int64(len(files)) || again.Bytes != 0 {
			t.Errorf("second %s copied %d (%d bytes), skipped %d; want all %d skipped",
				name, again.Copied, again.Bytes, again.Skipped, len(files))
		}
	}
}

func TestStreamCopyMissingBucketFailsFast(t *testing.T) {
	ctx := context.Background()
	_, srv := newTestBucket(t, "")
	missing, err := New(ctx, Config{Bucket: "not-created", Endpoint: srv.Endpoint, PathStyle: true,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	src, err := local.NewBucket(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Put(ctx, "a", strings.NewReader("a"), 1); err != nil {
		t.Fatal(err)
	}
	// Retries with a long delay: a permanent error must not wait for them.
	copier := stream.New(stream.Options{RetryDelay: time.Minute, IsRetryable: IsRetryable})
	start := time.Now()
	_, err = copier.Copy(ctx, provider.CopyRequest{Src: src, Dst: missing})
	if err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("copy into a missing bucket: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("a permanent error was retried for %s", d)
	}
}

// TestRequestChecksums shows why New sends SDK checksums only where S3
// requires them on an endpoint override: the gateway accepts them, but
// the SDK cannot attach one to a streamed body over plain HTTP and fails
// the upload instead.
func TestRequestChecksums(t *testing.T) {
	ctx := context.Background()
	b, _ := newTestBucket(t, "")
	sdkDefault := &Bucket{bucket: b.bucket, prefix: b.prefix}
	o := b.client.Options()
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
	o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	sdkDefault.client = s3.New(o)

	if _, err := sdkDefault.Put(ctx, "seekable", strings.NewReader("abc"), 3); err != nil {
		t.Errorf("gateway refused an SDK CRC32 checksum: %v", err)
	}
	if _, err := sdkDefault.Put(ctx, "streamed", streamBody{strings.NewReader("abc")}, 3); err == nil {
		t.Error("the SDK now checksums streamed bodies over HTTP; the endpoint rule in New can go")
	}
	for i, r := range []interface{ Read([]byte) (int, error) }{strings.NewReader("abc"), streamBody{strings.NewReader("abc")}} {
		key := fmt.Sprintf("k%d", i)
		if _, err := b.Put(ctx, key, r, 3); err != nil {
			t.Errorf("Put #%d: %v", i, err)
		} else if got := readAll(t, b, key, 0, -1); string(got) != "abc" {
			t.Errorf("Put #%d stored %q", i, got)
		}
	}
}
