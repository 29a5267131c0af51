package faultproxy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/ferry-dev/ferry/internal/faultproxy"
	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
	"github.com/ferry-dev/ferry/provider/s3"
	"github.com/ferry-dev/ferry/provider/stream"
)

const (
	faultBucket = "ferry-faults"
	// partSize is the smallest part S3 accepts for any but the last part.
	partSize = 5 << 20
)

// isolateAWS keeps the developer's AWS settings out of the SDK.
func isolateAWS(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	} {
		t.Setenv(name, "")
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// s3Through returns a ferry S3 bucket that reaches srv through the proxy.
func s3Through(t *testing.T, srv *testserver.S3Server, p *faultproxy.Proxy) *s3.Bucket {
	b, err := s3.New(context.Background(), s3.Config{
		Bucket:    faultBucket,
		Region:    srv.Region,
		Endpoint:  p.URL(),
		PathStyle: true,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// localWith returns a directory bucket holding files.
func localWith(t *testing.T, files map[string][]byte) *local.Bucket {
	b, err := local.NewBucket(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	for key, data := range files {
		if _, err := b.Put(context.Background(), key, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestStreamCopySurvivesTransientFaults copies a table's files to S3 and
// back while a fifth of all requests (list, put, multipart, get) fail with
// 500, 503 or a reset connection, and checks every byte arrived.
func TestStreamCopySurvivesTransientFaults(t *testing.T) {
	isolateAWS(t)
	seed := uint64(6)
	if v := os.Getenv("FAULTPROXY_SEED"); v != "" {
		fmt.Sscan(v, &seed)
	}
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, faultBucket)
	p := faultproxy.Start(t, srv.Endpoint, faultproxy.Options{
		Rate:     0.2,
		Seed:     seed,
		Faults:   []faultproxy.Fault{faultproxy.Status(500), faultproxy.Status(503), faultproxy.Reset},
		S3Errors: true,
	})
	files := map[string][]byte{
		"orders/data/0000_part_00.parquet": randomBytes(1, 2*partSize+777), // multipart
		"orders/data/0001_part_00.parquet": {},
	}
	for i := range 10 {
		files[fmt.Sprintf("orders/data/%04d_part_00.parquet", i+2)] = randomBytes(uint64(i+2), 1+i*40_000)
	}
	src := localWith(t, files)
	dst := s3Through(t, srv, p)
	back := localWith(t, nil)
	copier := stream.New(stream.Options{
		PartSize:           partSize,
		PartConcurrency:    2,
		MultipartThreshold: partSize + 1,
		Retries:            8,
		RetryDelay:         10 * time.Millisecond,
		IsRetryable:        s3.IsRetryable,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	up, err := copier.Copy(ctx, provider.CopyRequest{Src: src, SrcPrefix: "orders/", Dst: dst, DstPrefix: "gen1/orders/"})
	if err != nil {
		t.Fatalf("upload through faults: %v (injected %v)", err, p.Injected())
	}
	if up.Copied != int64(len(files)) {
		t.Errorf("upload copied %d objects, want %d", up.Copied, len(files))
	}
	down, err := copier.Copy(ctx, provider.CopyRequest{Src: dst, SrcPrefix: "gen1/orders/", Dst: back, DstPrefix: "orders/"})
	if err != nil {
		t.Fatalf("download through faults: %v (injected %v)", err, p.Injected())
	}
	if down.Copied != int64(len(files)) {
		t.Errorf("download copied %d objects, want %d", down.Copied, len(files))
	}
	for key, want := range files {
		// What the server stored, read behind the proxy's back, and what
		// came back through it.
		stored, err := os.ReadFile(filepath.Join(srv.Dir, faultBucket, "gen1", key))
		if err != nil {
			t.Errorf("%s not stored: %v", key, err)
		} else if !bytes.Equal(stored, want) {
			t.Errorf("%s stored with %d bytes, want %d equal bytes", key, len(stored), len(want))
		}
		got, err := os.ReadFile(back.Path(key))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s came back with %d bytes (%v), want %d equal bytes", key, len(got), err, len(want))
		}
	}
	injected := p.Injected()
	t.Logf("%d requests, faults injected: %v", p.Requests(), injected)
	if p.Total() == 0 {
		t.Fatal("no fault was injected: the test proved nothing")
	}
	for _, f := range []faultproxy.Fault{faultproxy.Status(500), faultproxy.Status(503), faultproxy.Reset} {
		if injected[f] == 0 {
			t.Errorf("fault %s was never injected; pick another seed", f)
		}
	}
}

// TestStreamCopyFailsFastOnPermanentFault refuses every PUT with 403
// AccessDenied, as a missing s3:PutObject permission would, and checks
// the copy gives up at once, without retrying, naming the error.
func TestStreamCopyFailsFastOnPermanentFault(t *testing.T) {
	isolateAWS(t)
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, faultBucket)
	p := faultproxy.Start(t, srv.Endpoint, faultproxy.Options{
		Rate:     1,
		Faults:   []faultproxy.Fault{faultproxy.Status(403)},
		Methods:  []string{"PUT"},
		S3Errors: true,
	})
	files := map[string][]byte{
		"orders/data/0000_part_00.parquet": randomBytes(1, 1000),
		"orders/data/0001_part_00.parquet": randomBytes(2, 2000),
		"orders/data/0002_part_00.parquet": randomBytes(3, 3000),
	}
	copier := stream.New(stream.Options{RetryDelay: 200 * time.Millisecond, IsRetryable: s3.IsRetryable})
	start := time.Now()
	_, err := copier.Copy(context.Background(), provider.CopyRequest{
		Src: localWith(t, files), SrcPrefix: "orders/", Dst: s3Through(t, srv, p), DstPrefix: "gen1/orders/",
	})
	took := time.Since(start)
	if err == nil {
		t.Fatal("copy succeeded although every PUT is refused")
	}
	t.Logf("failed after %s: %v", took, err)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Errorf("error %v does not carry S3's AccessDenied", err)
	}
	if s3.IsRetryable(err) {
		t.Error("AccessDenied classified as retryable")
	}
	if msg := err.Error(); !strings.Contains(msg, "s3://"+faultBucket+"/gen1/orders/data/") || !strings.Contains(msg, "403") {
		t.Errorf("error %q names neither the object nor the status", msg)
	}
	// One refused PUT per object at most: nothing was retried.
	if n := p.Count(faultproxy.Status(403)); n < 1 || n > len(files) {
		t.Errorf("%d PUTs refused for %d objects: permanent errors were retried", n, len(files))
	}
	// The retry delay is 200ms; a retried permanent error would take
	// seconds. Allow for a slow machine, not for retries.
	if took > 3*time.Second {
		t.Errorf("took %s to fail", took)
	}
	entries, _ := os.ReadDir(filepath.Join(srv.Dir, faultBucket, "gen1", "orders", "data"))
	if len(entries) != 0 {
		t.Errorf("%d objects stored although every PUT was refused", len(entries))
	}
}
