package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

const (
	srcPrefix = "unload/t1/data/"
	dstPrefix = "stage/t1/data/"
	largeKey  = srcPrefix + "large.parquet"
	// largeSize is deliberately not a multiple of the part size.
	largeSize = 5*MiB + 12345
	testPart  = 1 * MiB
)

// fastOptions keeps parts small and retries quick.
func fastOptions() Options {
	return Options{
		Transfers:          4,
		PartSize:           testPart,
		PartConcurrency:    3,
		MultipartThreshold: 2 * MiB,
		RetryDelay:         time.Millisecond,
	}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// seedSource fills a bucket with many small objects of assorted sizes
// (including an empty one) and one large object, returning the keys.
func seedSource(t *testing.T) (*memBucket, []string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	src := newMemBucket("src")
	var keys []string
	for i := range 24 {
		key := fmt.Sprintf("%s%04d_part_00.parquet", srcPrefix, i)
		src.set(key, randomBytes(rng, i*i*173))
		keys = append(keys, key)
	}
	src.set(largeKey, randomBytes(rng, largeSize))
	keys = append(keys, largeKey)
	// Outside the prefix: must not be copied.
	src.set("unload/t2/data/other.parquet", []byte("other"))
	return src, keys
}

func dstKeyOf(key string) string { return dstPrefix + strings.TrimPrefix(key, srcPrefix) }

// assertCopied checks every key arrived byte for byte.
func assertCopied(t *testing.T, src, dst *memBucket, keys []string) {
	t.Helper()
	for _, k := range keys {
		want, _ := src.get(k)
		got, ok := dst.get(dstKeyOf(k))
		if !ok {
			t.Errorf("%s: missing at destination", k)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: destination has %d bytes that differ from the source's %d", k, len(got), len(want))
		}
	}
}

func copyAll(ctx context.Context, c *Copier, src, dst provider.Bucket) (*provider.CopyResult, error) {
	return c.Copy(ctx, provider.CopyRequest{Src: src, SrcPrefix: srcPrefix, Dst: dst, DstPrefix: dstPrefix})
}

func TestCopyCopiesBytes(t *testing.T) {
	for _, multipart := range []bool{true, false} {
		t.Run(fmt.Sprintf("multipart=%v", multipart), func(t *testing.T) {
			src, keys := seedSource(t)
			dst := newMemBucket("dst")
			var target provider.Bucket = dst
			if !multipart {
				target = plainBucket{dst}
			}
			var last provider.CopyProgress
			res, err := New(fastOptions()).Copy(context.Background(), provider.CopyRequest{
				Src: src, SrcPrefix: srcPrefix, Dst: target, DstPrefix: dstPrefix,
				Progress: func(p provider.CopyProgress) { last = p },
			})
			if err != nil {
				t.Fatal(err)
			}
			assertCopied(t, src, dst, keys)

			var total int64
			for _, k := range keys {
				d, _ := src.get(k)
				total += int64(len(d))
			}
			if res.Copied != int64(len(keys)) || res.Skipped != 0 || res.Bytes != total {
				t.Errorf("result copied=%d skipped=%d bytes=%d, want %d, 0, %d", res.Copied, res.Skipped, res.Bytes, len(keys), total)
			}
			if len(res.Objects) != len(keys) {
				t.Fatalf("result lists %d objects, want %d", len(res.Objects), len(keys))
			}
			for i, o := range res.Objects {
				if want := dstKeyOf(keys[i]); o.Key != want {
					t.Errorf("object %d is %q, want %q (sorted)", i, o.Key, want)
				}
				if d, _ := dst.get(o.Key); o != dst.object(o.Key, d) {
					t.Errorf("object %d = %+v, want the stored object", i, o)
				}
			}
			want := provider.CopyProgress{Objects: int64(len(keys)), ObjectsTotal: int64(len(keys)), Bytes: total, BytesTotal: total}
			if last != want {
				t.Errorf("final progress %+v, want %+v", last, want)
			}
			wantParts := 0
			if multipart {
				wantParts = (largeSize + testPart - 1) / testPart
			}
			if got := dst.count("part"); got != wantParts {
				t.Errorf("%d parts uploaded, want %d", got, wantParts)
			}
			if _, ok := dst.get("stage/t1/data/other.parquet"); ok {
				t.Error("object outside the source prefix was copied")
			}
		})
	}
}

func TestCopySecondRunSkipsEverything(t *testing.T) {
	src, keys := seedSource(t)
	dst := newMemBucket("dst")
	c := New(fastOptions())
	if _, err := copyAll(context.Background(), c, src, dst); err != nil {
		t.Fatal(err)
	}
	opens := src.count("open")
	res, err := copyAll(context.Background(), c, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 0 || res.Skipped != int64(len(keys)) || res.Bytes != 0 {
		t.Errorf("second run copied=%d skipped=%d bytes=%d, want 0, %d, 0", res.Copied, res.Skipped, res.Bytes, len(keys))
	}
	if len(res.Objects) != len(keys) {
		t.Errorf("second run lists %d objects, want %d", len(res.Objects), len(keys))
	}
	if got := src.count("open"); got != opens {
		t.Errorf("second run opened %d source objects", got-opens)
	}
}

func TestCopyRecopiesChangedObjects(t *testing.T) {
	key := srcPrefix + "0005_part_00.parquet"
	tests := []struct {
		name       string
		change     func(old []byte) []byte
		noChecksum bool
		wantCopied int64
	}{
		{"size changed", func(old []byte) []byte { return append(old, 'x') }, false, 1},
		{"content changed, checksums known", flipFirst, false, 1},
		{"content changed, no checksum: size decides", flipFirst, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, keys := seedSource(t)
			dst := newMemBucket("dst")
			dst.noChecksum = tt.noChecksum
			c := New(fastOptions())
			if _, err := copyAll(context.Background(), c, src, dst); err != nil {
				t.Fatal(err)
			}
			old, _ := src.get(key)
			src.set(key, tt.change(bytes.Clone(old)))
			res, err := copyAll(context.Background(), c, src, dst)
			if err != nil {
				t.Fatal(err)
			}
			if res.Copied != tt.wantCopied || res.Skipped != int64(len(keys))-tt.wantCopied {
				t.Errorf("copied=%d skipped=%d, want %d, %d", res.Copied, res.Skipped, tt.wantCopied, int64(len(keys))-tt.wantCopied)
			}
			if tt.wantCopied > 0 {
				assertCopied(t, src, dst, keys)
			}
		})
	}
}

func flipFirst(b []byte) []byte { b[0] ^= 0xff; return b }

func TestCopyRetriesTransientFaults(t *testing.T) {
	small := srcPrefix + "0007_part_00.parquet"
	tests := []struct {
		name   string
		onSrc  bool
		fault  fault
		counts string
	}{
		{"open of a small object", true, fault{op: "open", key: small, from: 1, times: 2}, "open"},
		{"open of a part", true, fault{op: "open", key: largeKey, from: 2, times: 3}, "open"},
		{"put", false, fault{op: "put", key: "0007", from: 1, times: 3}, "put"},
		{"upload part", false, fault{op: "part", from: 3, times: 2}, "part"},
		{"start upload", false, fault{op: "create", from: 1, times: 1}, "create"},
		{"complete upload", false, fault{op: "complete", from: 1, times: 2}, "complete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, keys := seedSource(t)
			dst := newMemBucket("dst")
			faulty := dst
			if tt.onSrc {
				faulty = src
			}
			faulty.failOn(tt.fault)
			var last provider.CopyProgress
			res, err := New(fastOptions()).Copy(context.Background(), provider.CopyRequest{
				Src: src, SrcPrefix: srcPrefix, Dst: dst, DstPrefix: dstPrefix,
				Progress: func(p provider.CopyProgress) { last = p },
			})
			if err != nil {
				t.Fatal(err)
			}
			assertCopied(t, src, dst, keys)
			if res.Copied != int64(len(keys)) {
				t.Errorf("copied %d, want %d", res.Copied, len(keys))
			}
			if last.Bytes != res.Bytes || last.Bytes != last.BytesTotal {
				t.Errorf("final progress %+v counts failed attempts (copied %d bytes)", last, res.Bytes)
			}
			if faulty.faults[0].seen < tt.fault.from+tt.fault.times {
				t.Errorf("fault saw %d calls; it never fired fully", faulty.faults[0].seen)
			}
			if n := dst.openUploads(); n != 0 {
				t.Errorf("%d multipart uploads left open", n)
			}
		})
	}
}

func TestCopyPersistentFaultFails(t *testing.T) {
	small := srcPrefix + "0009_part_00.parquet"
	tests := []struct {
		name  string
		onSrc bool
		fault fault
		key   string
	}{
		{"put", false, fault{op: "put", key: "0009", from: 1, times: -1}, small},
		{"open", true, fault{op: "open", key: small, from: 1, times: -1}, small},
		{"upload part", false, fault{op: "part", from: 4, times: -1}, largeKey},
		{"complete", false, fault{op: "complete", from: 1, times: -1}, largeKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, _ := seedSource(t)
			dst := newMemBucket("dst")
			if tt.onSrc {
				src.failOn(tt.fault)
			} else {
				dst.failOn(tt.fault)
			}
			opts := fastOptions()
			opts.Retries = 2
			res, err := copyAll(context.Background(), New(opts), src, dst)
			if err == nil {
				t.Fatalf("copy succeeded: %+v", res)
			}
			if !strings.Contains(err.Error(), tt.key) {
				t.Errorf("error %q does not name %s", err, tt.key)
			}
			if !errors.Is(err, errTransient) {
				t.Errorf("error %q does not wrap the store's error", err)
			}
			if _, ok := dst.get(dstKeyOf(tt.key)); ok {
				t.Errorf("%s exists at the destination after failing", dstKeyOf(tt.key))
			}
			if n := dst.openUploads(); n != 0 {
				t.Errorf("%d multipart uploads left open", n)
			}
		})
	}
}

func TestCopyNotFoundIsNotRetried(t *testing.T) {
	src, _ := seedSource(t)
	listed, _ := src.List(context.Background(), srcPrefix)
	gone := listed[3].Key
	// The object disappears between listing and copying.
	lister := &staleLister{memBucket: src, listing: listed}
	src.Delete(context.Background(), []string{gone})
	_, err := copyAll(context.Background(), New(fastOptions()), lister, newMemBucket("dst"))
	if !errors.Is(err, provider.ErrNotFound) || !strings.Contains(err.Error(), gone) {
		t.Fatalf("error %v, want ErrNotFound naming %s", err, gone)
	}
	if n := src.count("open " + gone); n != 1 {
		t.Errorf("%s opened %d times, want 1: a missing object is not retried", gone, n)
	}
}

// staleLister returns a fixed listing, as a store would just before an
// object is deleted.
type staleLister struct {
	*memBucket
	listing []provider.Object
}

func (s *staleLister) List(context.Context, string) ([]provider.Object, error) { return s.listing, nil }
