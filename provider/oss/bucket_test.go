package oss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/oss"
)

const (
	testAK     = "LTAI5tFerryTestKey"
	testSecret = "ferry-test-secret-0123456789"
	testRegion = "ap-southeast-1"
	testBucket = "landing"
)

// startOSS runs an OSS emulator with the test bucket.
func startOSS(t *testing.T) *emulator.Server {
	t.Helper()
	srv := emulator.Start(t, emulator.Options{AccessKeyID: testAK, AccessKeySecret: testSecret, Region: testRegion})
	srv.CreateBucket(testBucket)
	return srv
}

// newBucket returns a Bucket on srv, V4-signed unless edit clears Region.
func newBucket(t *testing.T, srv *emulator.Server, edit func(*oss.Config)) *oss.Bucket {
	t.Helper()
	cfg := oss.Config{
		Bucket: testBucket, Endpoint: srv.Endpoint(), Region: testRegion,
		AccessKeyID: testAK, AccessKeySecret: testSecret,
	}
	if edit != nil {
		edit(&cfg)
	}
	b, err := oss.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0xfeed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func crcChecksum(b []byte) string {
	return "crc64ecma:" + strconv.FormatUint(crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)), 10)
}

// onlyReader hides every method but Read, so the body cannot be measured
// or rewound and must stream.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func readAll(t *testing.T, b *oss.Bucket, key string, off, n int64) []byte {
	t.Helper()
	rc, err := b.Open(context.Background(), key, off, n)
	if err != nil {
		t.Fatalf("open %s [%d,%d]: %v", key, off, n, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data
}

func TestPutOpenRoundTrip(t *testing.T) {
	for _, signing := range []string{"v1", "v4"} {
		t.Run(signing, func(t *testing.T) {
			srv := startOSS(t)
			b := newBucket(t, srv, func(c *oss.Config) {
				c.Prefix = "from_redshift"
				if signing == "v1" {
					c.Region = ""
				}
			})
			ctx := context.Background()
			data := randomBytes(1, 1<<20+17)
			key := "tpch/lineitem/gen-1/0000_part_00.parquet"
			obj, err := b.Put(ctx, key, onlyReader{bytes.NewReader(data)}, int64(len(data)))
			if err != nil {
				t.Fatalf("put: %v", err)
			}
			want := provider.Object{Key: key, Size: int64(len(data)), Checksum: crcChecksum(data)}
			if obj != want {
				t.Errorf("put returned %+v, want %+v", obj, want)
			}
			if got, _ := srv.Object(testBucket, "from_redshift/"+key); !bytes.Equal(got, data) {
				t.Fatal("the stored object is not the bytes put under the prefix")
			}
			if got := readAll(t, b, key, 0, -1); !bytes.Equal(got, data) {
				t.Error("whole read differs")
			}
			for _, r := range []struct{ off, n int64 }{{0, 1}, {5, 100}, {1 << 19, 1 << 19}, {int64(len(data)) - 17, 17}, {1000, -1}} {
				end := int64(len(data))
				if r.n >= 0 {
					end = r.off + r.n
				}
				if got := readAll(t, b, key, r.off, r.n); !bytes.Equal(got, data[r.off:end]) {
					t.Errorf("range [%d,+%d) returned %d bytes that differ", r.off, r.n, len(got))
				}
			}
			if got := readAll(t, b, key, 10, 0); len(got) != 0 {
				t.Errorf("zero-length read returned %d bytes", len(got))
			}

			// Unknown size: sent chunked.
			obj, err = b.Put(ctx, "small", onlyReader{strings.NewReader("hello")}, -1)
			if err != nil || obj.Size != 5 || obj.Checksum != crcChecksum([]byte("hello")) {
				t.Errorf("put of unknown size = %+v, %v", obj, err)
			}
			// Empty object.
			obj, err = b.Put(ctx, "empty", strings.NewReader(""), 0)
			if err != nil || obj.Size != 0 || obj.Checksum != "crc64ecma:0" {
				t.Errorf("put of an empty object = %+v, %v", obj, err)
			}
			if got := readAll(t, b, "empty", 0, -1); len(got) != 0 {
				t.Errorf("empty object read %d bytes", len(got))
			}
		})
	}
}

func TestOpenMissing(t *testing.T) {
	srv := startOSS(t)
	b := newBucket(t, srv, nil)
	for _, n := range []int64{-1, 0, 10} {
		_, err := b.Open(context.Background(), "no/such/key", 0, n)
		if !errors.Is(err, provider.ErrNotFound) {
			t.Errorf("length %d: error %v does not wrap ErrNotFound", n, err)
		}
		if oss.IsRetryable(err) {
			t.Errorf("length %d: a missing key is retryable", n)
		}
	}
}

func TestOpenDetectsCorruptCRC(t *testing.T) {
	srv := startOSS(t)
	b := newBucket(t, srv, nil)
	if _, err := b.Put(context.Background(), "k", strings.NewReader("payload"), 7); err != nil {
		t.Fatal(err)
	}
	srv.CorruptCRC(emulator.OpGetObject)
	rc, err := b.Open(context.Background(), "k", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadAll(rc); !errors.Is(err, oss.ErrChecksumMismatch) {
		t.Errorf("reading an object whose CRC disagrees gave %v", err)
	}
}

func TestListEncodingTrap(t *testing.T) {
	srv := startOSS(t)
	b := newBucket(t, srv, func(c *oss.Config) { c.Prefix = "/stage/" })
	ctx := context.Background()
	keys := []string{
		"t1/a b.parquet", "t1/a+b.parquet", "t1/100%.parquet", "t1/%20.parquet", "t1/ключ/数据.parquet",
		"t1/x=1/y z+w%/part 0.parquet", "t1/tab\there", "t10/other.parquet",
	}
	for _, k := range keys {
		if _, err := b.Put(ctx, k, strings.NewReader(k), int64(len(k))); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
	// Outside the prefix: must not be listed.
	outside := newBucket(t, srv, nil)
	if _, err := outside.Put(ctx, "t1/not-staged", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	got, err := b.List(ctx, "t1/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range got {
		names = append(names, o.Key)
		if o.Size != int64(len(o.Key)) {
			t.Errorf("%q: size %d, want %d", o.Key, o.Size, len(o.Key))
		}
	}
	want := []string{
		"t1/%20.parquet", "t1/100%.parquet", "t1/a b.parquet", "t1/a+b.parquet", "t1/tab\there",
		"t1/x=1/y z+w%/part 0.parquet", "t1/ключ/数据.parquet",
	}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("listed:\n%q\nwant:\n%q", names, want)
	}
	for _, k := range names {
		if got := readAll(t, b, k, 0, -1); string(got) != k {
			t.Errorf("%q read back as %q", k, got)
		}
	}
}

func TestListPaginatesAndDeleteBatches(t *testing.T) {
	srv := startOSS(t)
	b := newBucket(t, srv, nil)
	ctx := context.Background()
	const n = 2345
	var keys []string
	for i := range n {
		k := fmt.Sprintf("many/%05d", i)
		keys = append(keys, k)
		if _, err := b.Put(ctx, k, strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.List(ctx, "many/")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n || got[0].Key != keys[0] || got[n-1].Key != keys[n-1] {
		t.Fatalf("listed %d objects (first %v), want %d", len(got), got[0], n)
	}
	if err := b.Delete(ctx, append(keys, "many/missing")); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if got, err := b.List(ctx, "many/"); err != nil || len(got) != 0 {
		t.Errorf("after delete: %d objects, %v", len(got), err)
	}
	if err := b.Delete(ctx, nil); err != nil {
		t.Errorf("deleting nothing: %v", err)
	}
}

func TestURLs(t *testing.T) {
	for _, tc := range []struct {
		endpoint, internal, prefix string
		url, location              string
	}{
		{"oss-ap-southeast-1.aliyuncs.com", "", "from_redshift",
			"oss://landing/from_redshift/t/", "oss://oss-ap-southeast-1-internal.aliyuncs.com/landing/from_redshift/t/"},
		{"https://oss-cn-hangzhou-internal.aliyuncs.com", "", "",
			"oss://landing/t/", "oss://oss-cn-hangzhou-internal.aliyuncs.com/landing/t/"},
		{"http://127.0.0.1:9000", "", "a/b/",
			"oss://landing/a/b/t/", "oss://127.0.0.1:9000/landing/a/b/t/"},
		{"oss-cn-beijing.aliyuncs.com", "oss-cn-beijing.aliyuncs.com", "",
			"oss://landing/t/", "oss://oss-cn-beijing.aliyuncs.com/landing/t/"},
	} {
		b, err := oss.New(context.Background(), oss.Config{
			Bucket: testBucket, Endpoint: tc.endpoint, InternalEndpoint: tc.internal, Prefix: tc.prefix,
			AccessKeyID: testAK, AccessKeySecret: testSecret,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := b.URL("t/"); got != tc.url {
			t.Errorf("%s: URL = %s, want %s", tc.endpoint, got, tc.url)
		}
		if got := b.LocationURL("t/"); got != tc.location {
			t.Errorf("%s: LocationURL = %s, want %s", tc.endpoint, got, tc.location)
		}
	}
}
