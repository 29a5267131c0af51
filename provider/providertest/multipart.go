package providertest

import (
	"bytes"
	"sync"
	"testing"

	"github.com/ferry-dev/ferry/provider"
)

// partSize is the smallest part S3 and OSS accept for any but the last
// part of an upload.
const partSize = 5 << 20

// runMultipart runs the multipart subtests when the bucket implements
// provider.MultipartBucket.
func runMultipart(t *testing.T, newBucket func(t *testing.T) provider.Bucket) {
	mb, ok := newBucket(t).(provider.MultipartBucket)
	if !ok {
		t.Skip("the bucket does not implement provider.MultipartBucket")
	}
	t.Run("OutOfOrderConcurrent", func(t *testing.T) { testMultipartOutOfOrder(t, mb) })
	t.Run("Abort", func(t *testing.T) { testMultipartAbort(t, newBucket(t).(provider.MultipartBucket)) })
	t.Run("Incomplete", func(t *testing.T) { testMultipartIncomplete(t, newBucket(t).(provider.MultipartBucket)) })
}

// uploadParts uploads the given parts of data (numbered from 1)
// concurrently, failing the test on the first error.
func uploadParts(t *testing.T, up provider.MultipartUpload, data []byte, numbers ...int) {
	t.Helper()
	ctx := testContext(t)
	errs := make([]error, len(numbers))
	var wg sync.WaitGroup
	for i, n := range numbers {
		chunk := data[(n-1)*partSize : min(n*partSize, len(data))]
		wg.Go(func() {
			var r = bytes.NewReader(chunk)
			if n%2 == 0 {
				// Both a seekable and a streamed body end up in one object.
				errs[i] = up.UploadPart(ctx, n, streamOnly{r}, int64(len(chunk)))
				return
			}
			errs[i] = up.UploadPart(ctx, n, r, int64(len(chunk)))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("UploadPart(%d): %v", numbers[i], err)
		}
	}
}

func testMultipartOutOfOrder(t *testing.T, b provider.MultipartBucket) {
	ctx := testContext(t)
	const key = "mp/data/big file+ü.parquet"
	// The last part is short and of odd length.
	data := randomBytes(7, 3*partSize+12345)
	previous := randomBytes(8, 300)
	put(t, ctx, b, key, previous, false)

	up, err := b.CreateMultipart(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	// Part 3 first arrives with the wrong bytes; sending it again
	// replaces it, which is how a failed part is retried.
	wrong := make([]byte, partSize)
	if err := up.UploadPart(ctx, 3, bytes.NewReader(wrong), partSize); err != nil {
		t.Fatalf("UploadPart(3): %v", err)
	}
	uploadParts(t, up, data, 4, 2, 3, 1)

	// Until Complete, readers see the previous object.
	expectContent(t, ctx, b, key, previous)
	if objs := list(t, ctx, b, "mp/"); len(objs) != 1 || objs[0].Size != int64(len(previous)) {
		t.Errorf("List during the upload = %+v, want only the previous object", objs)
	}

	obj, err := up.Complete(ctx)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if obj.Key != key || obj.Size != int64(len(data)) {
		t.Errorf("Complete returned key %q size %d, want %q size %d", obj.Key, obj.Size, key, len(data))
	}
	checkChecksum(t, "Complete "+key, obj.Checksum, data)
	expectContent(t, ctx, b, key, data)
	// A range across the boundary of parts 1 and 2.
	if got := read(t, ctx, b, key, partSize-3, 6); !bytes.Equal(got, data[partSize-3:partSize+3]) {
		t.Errorf("range across parts 1 and 2 = %x, want %x", got, data[partSize-3:partSize+3])
	}
	objs := list(t, ctx, b, "mp/")
	if len(objs) != 1 || objs[0].Key != key || objs[0].Size != int64(len(data)) {
		t.Errorf("List after Complete = %+v, want %q of %d bytes", objs, key, len(data))
	}
	for _, o := range objs {
		checkChecksum(t, "List "+o.Key, o.Checksum, data)
	}
}

func testMultipartAbort(t *testing.T, b provider.MultipartBucket) {
	ctx := testContext(t)
	data := randomBytes(9, 2*partSize+1)

	// An upload to a new key leaves nothing at all.
	up, err := b.CreateMultipart(ctx, "ab/new")
	if err != nil {
		t.Fatal(err)
	}
	uploadParts(t, up, data, 2, 1, 3)
	if err := up.Abort(ctx); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	expectMissing(t, ctx, b, "ab/new")
	if objs := list(t, ctx, b, ""); len(objs) != 0 {
		t.Errorf("List after Abort = %v, want nothing", keysOf(objs))
	}
	if err := up.Abort(ctx); err != nil {
		t.Errorf("second Abort: %v", err)
	}

	// An upload over an existing object leaves that object as it was.
	previous := []byte("previous")
	put(t, ctx, b, "ab/old", previous, false)
	up, err = b.CreateMultipart(ctx, "ab/old")
	if err != nil {
		t.Fatal(err)
	}
	uploadParts(t, up, data, 1)
	if err := up.Abort(ctx); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	expectContent(t, ctx, b, "ab/old", previous)
	if objs := list(t, ctx, b, ""); len(objs) != 1 || objs[0].Key != "ab/old" {
		t.Errorf("List after Abort = %v, want only ab/old", keysOf(objs))
	}
}

func testMultipartIncomplete(t *testing.T, b provider.MultipartBucket) {
	ctx := testContext(t)
	data := randomBytes(10, 2*partSize+100)
	up, err := b.CreateMultipart(ctx, "inc/key")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = up.Abort(ctx) })
	// Parts 1 and 3 without 2: Complete must join 1..n in order, so it
	// has to refuse rather than publish parts 1 and 3 back to back.
	uploadParts(t, up, data, 3, 1)
	if obj, err := up.Complete(ctx); err == nil {
		t.Errorf("Complete with part 2 missing published %+v", obj)
	}
	expectMissing(t, ctx, b, "inc/key")

	// Sending the missing part lets the same upload complete in order.
	uploadParts(t, up, data, 2)
	obj, err := up.Complete(ctx)
	if err != nil {
		t.Fatalf("Complete once part 2 arrived: %v", err)
	}
	checkChecksum(t, "Complete inc/key", obj.Checksum, data)
	expectContent(t, ctx, b, "inc/key", data)
}
