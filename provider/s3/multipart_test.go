package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferry-dev/ferry/provider"
)

// partSize is the smallest part S3 accepts for any but the last part.
const partSize = 5 << 20

func TestMultipartOutOfOrderConcurrent(t *testing.T) {
	ctx := context.Background()
	b, _ := newTestBucket(t, "mp")
	// Odd size: the last part is short and not a multiple of anything.
	data := randomBytes(1, 3*partSize+12345)
	nparts := (len(data) + partSize - 1) / partSize

	up, err := b.CreateMultipart(ctx, "t1/data/big.parquet")
	if err != nil {
		t.Fatal(err)
	}
	// Part 2 first gets the wrong bytes; sending it again replaces it,
	// which is how a failed part is retried.
	if err := up.UploadPart(ctx, 2, bytes.NewReader(make([]byte, partSize)), partSize); err != nil {
		t.Fatal(err)
	}
	// Nothing is visible before Complete.
	if got := listing(t, b, ""); len(got) != 0 {
		t.Errorf("List during upload = %v, want nothing", got)
	}

	var wg sync.WaitGroup
	errs := make([]error, nparts)
	for i := nparts - 1; i >= 0; i-- {
		chunk := data[i*partSize : min((i+1)*partSize, len(data))]
		var r io.Reader = bytes.NewReader(chunk)
		if i%2 == 0 {
			r = streamBody{r} // both upload paths end up in one object
		}
		wg.Go(func() { errs[i] = up.UploadPart(ctx, i+1, r, int64(len(chunk))) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
	}
	obj, err := up.Complete(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (provider.Object{Key: "t1/data/big.parquet", Size: int64(len(data))}); obj != want {
		t.Errorf("Complete = %+v, want %+v", obj, want)
	}
	if got := readAll(t, b, "t1/data/big.parquet", 0, -1); !bytes.Equal(got, data) {
		t.Fatalf("object differs from the parts joined in order (%d bytes, want %d)", len(got), len(data))
	}
	// A range across the boundary of parts 1 and 2.
	if got := readAll(t, b, "t1/data/big.parquet", partSize-3, 6); !bytes.Equal(got, data[partSize-3:partSize+3]) {
		t.Errorf("range across parts = %x, want %x", got, data[partSize-3:partSize+3])
	}
	// Aborting after Complete is harmless and keeps the object.
	if err := up.Abort(ctx); err != nil {
		t.Errorf("Abort after Complete: %v", err)
	}
	if got := listing(t, b, ""); len(got) != 1 {
		t.Errorf("List after Complete and Abort = %v", got)
	}
}

func TestMultipartAbortLeavesNothing(t *testing.T) {
	ctx := context.Background()
	b, srv := newTestBucket(t, "mp")
	up, err := b.CreateMultipart(ctx, "t1/aborted")
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		if err := up.UploadPart(ctx, n, bytes.NewReader(randomBytes(uint64(n), partSize)), partSize); err != nil {
			t.Fatal(err)
		}
	}
	if err := up.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if got := listing(t, b, ""); len(got) != 0 {
		t.Errorf("List after Abort = %v", got)
	}
	if _, err := b.Open(ctx, "t1/aborted", 0, -1); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("Open after Abort: %v, want ErrNotFound", err)
	}
	// The store holds no upload, and a second Abort is not an error.
	uploads, err := rootClient(srv).ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(testBucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(uploads.Uploads) != 0 {
		t.Errorf("%d uploads still open after Abort", len(uploads.Uploads))
	}
	if err := up.Abort(ctx); err != nil {
		t.Errorf("second Abort: %v", err)
	}
	// A completed upload can no longer take parts or complete.
	if err := up.UploadPart(ctx, 3, strings.NewReader("x"), 1); err == nil || IsRetryable(err) {
		t.Errorf("UploadPart after Abort: %v, want a permanent error", err)
	}
}

func TestMultipartCompleteNeedsEveryPart(t *testing.T) {
	ctx := context.Background()
	b, _ := newTestBucket(t, "")
	up, err := b.CreateMultipart(ctx, "gappy")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Abort(ctx)
	if _, err := up.Complete(ctx); err == nil {
		t.Error("Complete with no parts: want error")
	}
	for _, n := range []int{1, 3} {
		if err := up.UploadPart(ctx, n, bytes.NewReader(randomBytes(uint64(n), partSize)), partSize); err != nil {
			t.Fatal(err)
		}
	}
	_, err = up.Complete(ctx)
	if err == nil || !strings.Contains(err.Error(), "part 2 is missing") {
		t.Errorf("Complete without part 2: %v", err)
	}
	if _, err := b.Open(ctx, "gappy", 0, -1); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("an incomplete upload was published: %v", err)
	}
	for _, n := range []int{0, 10001} {
		if err := up.UploadPart(ctx, n, strings.NewReader("x"), 1); err == nil {
			t.Errorf("UploadPart(%d): want error", n)
		}
	}
}
