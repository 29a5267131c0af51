package stream_test

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
	"github.com/ferry-dev/ferry/provider/oss"
	"github.com/ferry-dev/ferry/provider/s3"
	"github.com/ferry-dev/ferry/provider/stream"
)

// Credentials and names of the stores the engine tests copy between.
const (
	ossKeyID   = "LTAI5tStreamTestKey"
	ossSecret  = "stream-test-secret-0123456789"
	ossRegion  = "ap-southeast-1"
	ossBucket  = "landing"
	s3Bucket   = "staging"
	srcPrefix  = "unload/lineitem/gen-1/data/"
	s3Prefix   = "unload_from_redshift/lineitem/data/"
	ossPrefix  = "tpch/lineitem/gen-1/data/"
	objectPart = 5 * stream.MiB
)

// newLocal returns an empty directory bucket.
func newLocal(t *testing.T) *local.Bucket {
	t.Helper()
	b, err := local.NewBucket(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startS3 starts a versitygw gateway (skipping the test without the
// binary, unless CI=true) and returns a bucket on it under prefix. The AWS
// environment of the developer is hidden from the SDK.
func startS3(t *testing.T, prefix string) *s3.Bucket {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(name, "")
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, s3Bucket)
	b, err := s3.New(context.Background(), s3.Config{
		Bucket: s3Bucket, Prefix: prefix, Region: srv.Region, Endpoint: srv.Endpoint,
		PathStyle: true, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startOSS starts an OSS emulator with one bucket and returns it with a
// ferry bucket on it.
func startOSS(t *testing.T) (*emulator.Server, *oss.Bucket) {
	t.Helper()
	srv := emulator.Start(t, emulator.Options{AccessKeyID: ossKeyID, AccessKeySecret: ossSecret, Region: ossRegion})
	srv.CreateBucket(ossBucket)
	return srv, ossOn(t, srv.Endpoint())
}

// ossOn returns a ferry bucket on the emulator at endpoint.
func ossOn(t testing.TB, endpoint string) *oss.Bucket {
	t.Helper()
	b, err := oss.New(context.Background(), oss.Config{
		Bucket: ossBucket, Endpoint: endpoint, Region: ossRegion,
		AccessKeyID: ossKeyID, AccessKeySecret: ossSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed*31+7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// crcChecksum is the Object checksum of data.
func crcChecksum(data []byte) string {
	return "crc64ecma:" + strconv.FormatUint(crc64.Checksum(data, crc64.MakeTable(crc64.ECMA)), 10)
}

// seed puts every object of set under prefix in b.
func seed(t *testing.T, b provider.Bucket, prefix string, set map[string][]byte) {
	t.Helper()
	for key, data := range set {
		if _, err := b.Put(context.Background(), prefix+key, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
	}
}

// sortedKeys returns the keys of set in byte order.
func sortedKeys(set map[string][]byte) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// totalSize is the number of bytes in set.
func totalSize(set map[string][]byte) int64 {
	var n int64
	for _, d := range set {
		n += int64(len(d))
	}
	return n
}

// readObject reads key from b whole.
func readObject(t *testing.T, b provider.Bucket, key string) []byte {
	t.Helper()
	rc, err := b.Open(context.Background(), key, 0, -1)
	if err != nil {
		t.Fatalf("open %s: %v", b.URL(key), err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", b.URL(key), err)
	}
	return data
}

// assertHolds checks that prefix in b holds exactly set: the same keys,
// byte for byte, and nothing else.
func assertHolds(t *testing.T, b provider.Bucket, prefix string, set map[string][]byte) {
	t.Helper()
	objs, err := b.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(set) {
		t.Errorf("%s holds %d objects, want %d", b.URL(prefix), len(objs), len(set))
	}
	for _, key := range sortedKeys(set) {
		if got := readObject(t, b, prefix+key); !bytes.Equal(got, set[key]) {
			t.Errorf("%s: %d bytes that differ from the source's %d", b.URL(prefix+key), len(got), len(set[key]))
		}
	}
}

// openCounter is a bucket that records which keys were opened, so a test
// can tell which objects a copy read.
type openCounter struct {
	provider.Bucket
	mu     sync.Mutex
	opened map[string]int
}

// Open records key and opens it.
func (o *openCounter) Open(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	o.mu.Lock()
	if o.opened == nil {
		o.opened = map[string]int{}
	}
	o.opened[key]++
	o.mu.Unlock()
	return o.Bucket.Open(ctx, key, off, n)
}

// keys returns the keys opened, sorted.
func (o *openCounter) keys() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for k := range o.opened {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// describe renders a copy result's counts for error messages.
func describe(res *provider.CopyResult) string {
	if res == nil {
		return "<nil>"
	}
	return fmt.Sprintf("copied=%d skipped=%d bytes=%d objects=%d", res.Copied, res.Skipped, res.Bytes, len(res.Objects))
}

// syncBuffer collects a child process's output while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
