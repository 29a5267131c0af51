package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/provider"
)

const testBucket = "stage"

// newTestBucket starts a gateway with one bucket and returns a Bucket on
// it under prefix.
func newTestBucket(t *testing.T, prefix string) (*Bucket, *testserver.S3Server) {
	t.Helper()
	isolateAWSEnv(t)
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, testBucket)
	return bucketOn(t, srv, prefix), srv
}

// bucketOn returns a Bucket on an existing server's test bucket.
func bucketOn(t *testing.T, srv *testserver.S3Server, prefix string) *Bucket {
	t.Helper()
	b, err := New(context.Background(), Config{
		Bucket:    testBucket,
		Prefix:    prefix,
		Region:    srv.Region,
		Endpoint:  srv.Endpoint,
		PathStyle: true,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// streamBody hides everything but Read, as a network body would.
type streamBody struct{ r io.Reader }

func (s streamBody) Read(p []byte) (int, error) { return s.r.Read(p) }

func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func readAll(t *testing.T, b *Bucket, key string, off, n int64) []byte {
	t.Helper()
	r, err := b.Open(context.Background(), key, off, n)
	if err != nil {
		t.Fatalf("Open(%s, %d, %d): %v", key, off, n, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data
}

func listing(t *testing.T, b *Bucket, prefix string) []string {
	t.Helper()
	objs, err := b.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, o := range objs {
		out = append(out, fmt.Sprintf("%s:%d%s", o.Key, o.Size, o.Checksum))
	}
	return out
}

func TestBucketPutListOpenDelete(t *testing.T) {
	ctx := context.Background()
	b, srv := newTestBucket(t, "/unload_from_redshift")
	body := []byte(strings.Repeat("0123456789", 100))

	// A streamed body and a seekable one take different upload paths.
	obj, err := b.Put(ctx, "t1/data/0000_part_00.parquet", streamBody{bytes.NewReader(body)}, int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	if want := (provider.Object{Key: "t1/data/0000_part_00.parquet", Size: 1000}); obj != want {
		t.Errorf("Put = %+v, want %+v", obj, want)
	}
	for key, data := range map[string]string{"t1/manifest": "{}", "t1/data/0001_part_00.parquet": "PAR1", "t2/x": "x", "t1/empty": ""} {
		if _, err := b.Put(ctx, key, strings.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("Put %s: %v", key, err)
		}
	}
	// Another prefix of the same bucket is another Bucket's business.
	other := bucketOn(t, srv, "elsewhere/")
	if _, err := other.Put(ctx, "t1/hidden", strings.NewReader("h"), 1); err != nil {
		t.Fatal(err)
	}

	want := []string{"t1/data/0000_part_00.parquet:1000", "t1/data/0001_part_00.parquet:4", "t1/empty:0", "t1/manifest:2"}
	if diff := cmp.Diff(want, listing(t, b, "t1/")); diff != "" {
		t.Errorf("List(t1/) (-want +got):\n%s", diff)
	}
	if got := listing(t, b, ""); len(got) != 5 {
		t.Errorf("List(\"\") = %v, want 5 objects", got)
	}
	if got := listing(t, other, ""); len(got) != 1 || got[0] != "t1/hidden:1" {
		t.Errorf("other prefix lists %v", got)
	}

	for _, tc := range []struct {
		off, n int64
		want   string
	}{
		{0, -1, string(body)},
		{5, 3, "567"},
		{995, -1, "56789"},
		{998, 10, "89"},
		{0, 1, "0"},
		{7, 0, ""},
		{1000, -1, ""},
		{2000, 5, ""},
	} {
		if got := readAll(t, b, "t1/data/0000_part_00.parquet", tc.off, tc.n); string(got) != tc.want {
			t.Errorf("Open(%d, %d) = %q, want %q", tc.off, tc.n, got, tc.want)
		}
	}
	if got := readAll(t, b, "t1/empty", 0, -1); len(got) != 0 {
		t.Errorf("empty object reads %q", got)
	}

	if got := b.URL("t1/data/"); got != "s3://stage/unload_from_redshift/t1/data/" {
		t.Errorf("URL = %s", got)
	}

	if err := b.Delete(ctx, []string{"t1/data/0000_part_00.parquet", "t1/empty", "never/existed"}); err != nil {
		t.Fatal(err)
	}
	want = []string{"t1/data/0001_part_00.parquet:4", "t1/manifest:2"}
	if diff := cmp.Diff(want, listing(t, b, "t1/")); diff != "" {
		t.Errorf("List after Delete (-want +got):\n%s", diff)
	}
	if _, err := b.Open(ctx, "t1/data/0000_part_00.parquet", 0, -1); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("Open deleted key: %v, want ErrNotFound", err)
	}
	if err := b.Delete(ctx, nil); err != nil {
		t.Errorf("Delete(nil): %v", err)
	}
}

func TestBucketMissingKeyIsNotFound(t *testing.T) {
	ctx := context.Background()
	b, srv := newTestBucket(t, "p")
	for _, n := range []int64{-1, 10, 0} {
		_, err := b.Open(ctx, "t1/nope.parquet", 0, n)
		if !errors.Is(err, provider.ErrNotFound) {
			t.Fatalf("Open(length %d) of a missing key: %v, want ErrNotFound", n, err)
		}
		if !strings.Contains(err.Error(), "s3://stage/p/t1/nope.parquet") {
			t.Errorf("error does not name the object: %v", err)
		}
		if IsRetryable(err) {
			t.Errorf("missing key is retryable: %v", err)
		}
	}

	// A missing bucket is a configuration error, not a missing object.
	nb, err := New(ctx, Config{Bucket: "no-such-bucket", Endpoint: srv.Endpoint, PathStyle: true,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{-1, 0} {
		_, err = nb.Open(ctx, "k", 0, n)
		if err == nil || errors.Is(err, provider.ErrNotFound) || IsRetryable(err) {
			t.Errorf("Open(length %d) in a missing bucket: %v; want a permanent error that is not ErrNotFound", n, err)
		}
	}
	if _, err := nb.List(ctx, ""); err == nil || IsRetryable(err) || !strings.Contains(err.Error(), "s3://no-such-bucket/") {
		t.Errorf("List of a missing bucket: %v", err)
	}
}

func TestBucketPutRejectsWrongSize(t *testing.T) {
	ctx := context.Background()
	b, _ := newTestBucket(t, "")
	if _, err := b.Put(ctx, "k", strings.NewReader("original"), 8); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		r    io.Reader
		size int64
	}{
		"short stream":   {streamBody{strings.NewReader("abc")}, 10},
		"long stream":    {streamBody{strings.NewReader("abcdefghijk")}, 10},
		"non-empty as 0": {streamBody{strings.NewReader("a")}, 0},
		"short seekable": {strings.NewReader("abc"), 10},
		"long seekable":  {strings.NewReader("abcdefghijk"), 10},
		"unknown size":   {strings.NewReader("abc"), -1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := b.Put(ctx, "k", tc.r, tc.size)
			if err == nil {
				t.Fatal("want error")
			}
			if IsRetryable(err) {
				t.Errorf("retryable: %v", err)
			}
			// The failed upload left the previous object untouched.
			if got := readAll(t, b, "k", 0, -1); string(got) != "original" {
				t.Errorf("object after failed Put = %q", got)
			}
		})
	}
}

func TestBucketListAndDeleteManyKeys(t *testing.T) {
	ctx := context.Background()
	b, _ := newTestBucket(t, "many")
	// More than one ListObjectsV2 page and one DeleteObjects batch.
	const n = deleteBatch + 7
	keys := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for i := range keys {
		keys[i] = fmt.Sprintf("t/%05d", n-i)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := b.Put(ctx, keys[i], strings.NewReader("x"), 1); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	objs, err := b.List(ctx, "t/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != n {
		t.Fatalf("List found %d objects, want %d", len(objs), n)
	}
	for i, o := range objs {
		if want := fmt.Sprintf("t/%05d", i+1); o.Key != want {
			t.Fatalf("List[%d] = %s, want %s", i, o.Key, want)
		}
	}
	if err := b.Delete(ctx, keys); err != nil {
		t.Fatal(err)
	}
	if got := listing(t, b, ""); len(got) != 0 {
		t.Errorf("%d objects left after Delete: %v", len(got), got[:min(5, len(got))])
	}
}
