package oss_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	sdk "github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/oss"
)

func TestMultipartConcurrentOutOfOrder(t *testing.T) {
	srv := startOSS(t)
	b := newBucket(t, srv, func(c *oss.Config) { c.Prefix = "stage" })
	var mb provider.MultipartBucket = b
	ctx := context.Background()

	const partSize = 200 * 1024
	data := randomBytes(9, 7*partSize+4321)
	nparts := (len(data) + partSize - 1) / partSize
	up, err := mb.CreateMultipart(ctx, "big/file.parquet")
	if err != nil {
		t.Fatal(err)
	}
	order := rand.New(rand.NewPCG(3, 4)).Perm(nparts)
	errs := make([]error, nparts)
	var wg sync.WaitGroup
	for _, i := range order {
		wg.Go(func() {
			lo, hi := i*partSize, min((i+1)*partSize, len(data))
			var r interface{ Read([]byte) (int, error) } = bytes.NewReader(data[lo:hi])
			if i%2 == 1 {
				r = onlyReader{r} // some parts cannot be rewound
			}
			errs[i] = up.UploadPart(ctx, i+1, r, int64(hi-lo))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
	}
	// Replacing a part is how a failed part is retried.
	if err := up.UploadPart(ctx, 2, bytes.NewReader(data[partSize:2*partSize]), partSize); err != nil {
		t.Fatalf("re-upload part 2: %v", err)
	}
	if _, ok := srv.Object(testBucket, "stage/big/file.parquet"); ok {
		t.Fatal("object visible before Complete")
	}
	obj, err := up.Complete(ctx)
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	want := provider.Object{Key: "big/file.parquet", Size: int64(len(data)), Checksum: crcChecksum(data)}
	if obj != want {
		t.Errorf("Complete returned %+v, want %+v", obj, want)
	}
	if got, _ := srv.Object(testBucket, "stage/big/file.parquet"); !bytes.Equal(got, data) {
		t.Error("the completed object is not the parts in order")
	}
	if srv.Uploads() != 0 {
		t.Errorf("%d uploads left open", srv.Uploads())
	}
	if err := up.Abort(ctx); err != nil {
		t.Errorf("abort after complete: %v", err)
	}
}

func TestMultipartMissingPartAndAbort(t *testing.T) {
	srv := startOSS(t)
	b := newBucket(t, srv, nil)
	ctx := context.Background()
	up, err := b.CreateMultipart(ctx, "gap")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3} {
		if err := up.UploadPart(ctx, n, strings.NewReader(strings.Repeat("x", 100*1024)), 100*1024); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := up.Complete(ctx); err == nil || !strings.Contains(err.Error(), "part 2 is missing") {
		t.Errorf("completing with a gap: %v", err)
	}
	if err := up.UploadPart(ctx, 0, strings.NewReader("x"), 1); err == nil {
		t.Error("part number 0 was accepted")
	}
	if err := up.Abort(ctx); err != nil {
		t.Fatalf("abort: %v", err)
	}
	if err := up.Abort(ctx); err != nil {
		t.Errorf("second abort: %v", err)
	}
	if srv.Uploads() != 0 {
		t.Errorf("%d uploads left open after Abort", srv.Uploads())
	}
	if _, ok := srv.Object(testBucket, "gap"); ok {
		t.Error("an aborted upload left an object")
	}
	err = up.UploadPart(ctx, 2, strings.NewReader("x"), 1)
	var se sdk.ServiceError
	if !errors.As(err, &se) || se.Code != "NoSuchUpload" || oss.IsRetryable(err) {
		t.Errorf("part after abort: %v", err)
	}
}

func TestBadSecretIsPermanentAndRedacted(t *testing.T) {
	srv := startOSS(t)
	const wrong = "this-is-the-wrong-secret-42"
	for _, region := range []string{"", testRegion} {
		b := newBucket(t, srv, func(c *oss.Config) { c.AccessKeySecret = wrong; c.Region = region })
		ctx := context.Background()
		_, err := b.Put(ctx, "k", strings.NewReader("x"), 1)
		var se sdk.ServiceError
		if !errors.As(err, &se) || se.StatusCode != 403 || se.Code != "SignatureDoesNotMatch" {
			t.Fatalf("region %q: put with a bad secret: %v", region, err)
		}
		if oss.IsRetryable(err) {
			t.Errorf("region %q: a signature error is retryable", region)
		}
		for _, e := range []error{err, listErr(b)} {
			if e == nil {
				t.Fatalf("region %q: no error", region)
			}
			if strings.Contains(e.Error(), wrong) || strings.Contains(e.Error(), testSecret) {
				t.Errorf("region %q: error text holds a secret: %s", region, e)
			}
		}
		if _, ok := srv.Object(testBucket, "k"); ok {
			t.Error("a badly signed put stored the object")
		}
	}
}

func listErr(b *oss.Bucket) error {
	_, err := b.List(context.Background(), "")
	return err
}
