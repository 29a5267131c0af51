package stream_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/oss"
	"github.com/ferry-dev/ferry/provider/s3"
	"github.com/ferry-dev/ferry/provider/stream"
)

// bigKey is the object of the mixed set larger than five parts.
const bigKey = "big file+ü 100%.parquet"

// bigSize is more than five parts and not a multiple of the part size.
const bigSize = 5*objectPart + 54321

// mixedSet is what an UNLOAD stages, and worse: an empty object, a
// one-byte object, many small objects, one object larger than five
// parts, and keys with spaces, '+', '%' and unicode.
func mixedSet() map[string][]byte {
	set := map[string][]byte{
		"empty.parquet":              {},
		"one byte.parquet":           {0x5a},
		bigKey:                       randomBytes(1, bigSize),
		"a+b=c.parquet":              randomBytes(2, 4097),
		"50% off/%2F%zz.parquet":     randomBytes(3, 1000),
		"ünïcødé/日本語 ☃ part.parquet": randomBytes(4, 70000),
		"sub/dir/ space .parquet":    randomBytes(5, 12),
	}
	for i := range 40 {
		set[fmt.Sprintf("%04d_part_00.parquet", i)] = randomBytes(uint64(10+i), i*i*97+1)
	}
	return set
}

// engineOptions are default options but for parts at the smallest size
// S3 accepts, so the big object has several parts at test sizes.
func engineOptions(isRetryable func(error) bool) stream.Options {
	return stream.Options{
		PartSize:           objectPart,
		MultipartThreshold: 2 * objectPart,
		RetryDelay:         10 * time.Millisecond,
		IsRetryable:        isRetryable,
	}
}

// TestCopyLocalToS3ToOSS copies the mixed set along ferry's whole path,
// local directory → S3 → OSS, with the stream engine, and checks the
// bytes at each destination, the checksums OSS reports, and that a second
// run transfers nothing.
func TestCopyLocalToS3ToOSS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	set := mixedSet()
	src := newLocal(t)
	seed(t, src, srcPrefix, set)
	s3b := startS3(t, "")
	srv, ossb := startOSS(t)

	hop := func(name string, c *stream.Copier, from provider.Bucket, fromPrefix string, to provider.Bucket, toPrefix string) *provider.CopyResult {
		t.Helper()
		var last provider.CopyProgress
		res, err := c.Copy(ctx, provider.CopyRequest{
			Src: from, SrcPrefix: fromPrefix, Dst: to, DstPrefix: toPrefix,
			Progress: func(p provider.CopyProgress) { last = p },
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		total := totalSize(set)
		if res.Copied != int64(len(set)) || res.Skipped != 0 || res.Bytes != total {
			t.Errorf("%s: %s, want copied=%d skipped=0 bytes=%d", name, describe(res), len(set), total)
		}
		if want := (provider.CopyProgress{Objects: int64(len(set)), ObjectsTotal: int64(len(set)), Bytes: total, BytesTotal: total}); last != want {
			t.Errorf("%s: final progress %+v, want %+v", name, last, want)
		}
		keys := sortedKeys(set)
		if len(res.Objects) != len(keys) {
			t.Fatalf("%s: result lists %d objects, want %d", name, len(res.Objects), len(keys))
		}
		for i, o := range res.Objects {
			if o.Key != toPrefix+keys[i] || o.Size != int64(len(set[keys[i]])) {
				t.Errorf("%s: object %d is %q (%d bytes), want %q (%d bytes)", name, i, o.Key, o.Size, toPrefix+keys[i], len(set[keys[i]]))
			}
		}
		return res
	}

	hop("local → S3", stream.New(engineOptions(s3.IsRetryable)), src, srcPrefix, s3b, s3Prefix)
	assertHolds(t, s3b, s3Prefix, set)

	ossCopier := stream.New(engineOptions(oss.IsRetryable))
	res := hop("S3 → OSS", ossCopier, s3b, s3Prefix, ossb, ossPrefix)
	// Read OSS's own storage too, not only through the client under test.
	for key, data := range set {
		if got, ok := srv.Object(ossBucket, ossPrefix+key); !ok || !bytes.Equal(got, data) {
			t.Errorf("emulator storage: %q holds %d bytes (present %v) that differ from the source's %d", ossPrefix+key, len(got), ok, len(data))
		}
	}
	assertHolds(t, ossb, ossPrefix, set)
	// OSS reports the CRC-64 of what it stored, which the engine checked.
	for _, o := range res.Objects {
		key := o.Key[len(ossPrefix):]
		if o.Checksum != crcChecksum(set[key]) {
			t.Errorf("%q: OSS checksum %q, want %q", o.Key, o.Checksum, crcChecksum(set[key]))
		}
	}
	wantParts := int64((bigSize + objectPart - 1) / objectPart)
	if n := srv.Requests(emulator.OpUploadPart); n != wantParts {
		t.Errorf("%d parts uploaded to OSS, want %d (the big object only)", n, wantParts)
	}
	if n := srv.Requests(emulator.OpPutObject); n != int64(len(set)-1) {
		t.Errorf("%d objects put to OSS in one request, want %d", n, len(set)-1)
	}
	if n := srv.Uploads(); n != 0 {
		t.Errorf("%d multipart uploads left open on OSS", n)
	}

	// A second run finds everything in place and sends nothing.
	sent := srv.Requests(emulator.OpPutObject, emulator.OpUploadPart, emulator.OpInitiateMultipartUpload)
	again, err := ossCopier.Copy(ctx, provider.CopyRequest{Src: s3b, SrcPrefix: s3Prefix, Dst: ossb, DstPrefix: ossPrefix})
	if err != nil {
		t.Fatal(err)
	}
	if again.Copied != 0 || again.Skipped != int64(len(set)) || again.Bytes != 0 || len(again.Objects) != len(set) {
		t.Errorf("second run: %s, want copied=0 skipped=%d bytes=0", describe(again), len(set))
	}
	if n := srv.Requests(emulator.OpPutObject, emulator.OpUploadPart, emulator.OpInitiateMultipartUpload) - sent; n != 0 {
		t.Errorf("second run sent %d uploads to OSS", n)
	}
}
