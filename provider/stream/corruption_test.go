package stream_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/oss"
	"github.com/ferry-dev/ferry/provider/stream"
)

// damagedKey is the object whose second part OSS damages.
const damagedKey = "0003 damaged+part ü.parquet"

// corruptionSet is a few small objects and one multipart object.
func corruptionSet() map[string][]byte {
	return map[string][]byte{
		"0001_part_00.parquet": randomBytes(21, 3000),
		"0002_part_00.parquet": randomBytes(22, 0),
		damagedKey:             randomBytes(23, 4*256<<10+777),
		"0004_part_00.parquet": randomBytes(24, 1),
	}
}

// corruptionOptions send objects from 512 KiB in 256 KiB parts, so the
// damaged object has five parts, and retry quickly.
func corruptionOptions(retries int) stream.Options {
	return stream.Options{
		Transfers:          2,
		PartSize:           256 << 10,
		PartConcurrency:    3,
		MultipartThreshold: 512 << 10,
		Retries:            retries,
		RetryDelay:         time.Millisecond,
		IsRetryable:        oss.IsRetryable,
	}
}

// TestCopyRetriesObjectDamagedAtRest has OSS damage one stored part after
// acknowledging it. Every part upload looks fine to the client; only the
// CRC-64 OSS computes over the completed object differs from the one the
// engine computed over the bytes it sent. The engine must catch that,
// delete the object and copy it again, never accepting the damaged one.
func TestCopyRetriesObjectDamagedAtRest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	set := corruptionSet()
	src := newLocal(t)
	seed(t, src, srcPrefix, set)
	srv, dst := startOSS(t)

	srv.FlipByteInPart(2, 1)
	res, err := stream.New(corruptionOptions(3)).Copy(ctx, provider.CopyRequest{Src: src, SrcPrefix: srcPrefix, Dst: dst, DstPrefix: ossPrefix})
	if err != nil {
		t.Fatalf("copy with one damaged part: %v", err)
	}
	if n := srv.Flipped(); n != 1 {
		t.Fatalf("the emulator damaged %d parts, want 1: the test proves nothing", n)
	}
	if res.Copied != int64(len(set)) || res.Bytes != totalSize(set) {
		t.Errorf("result %s, want copied=%d bytes=%d (a retried object counts once)", describe(res), len(set), totalSize(set))
	}
	for key, data := range set {
		if got, ok := srv.Object(ossBucket, ossPrefix+key); !ok || !bytes.Equal(got, data) {
			t.Errorf("%q: OSS stores %d bytes (present %v) that differ from the source's %d", key, len(got), ok, len(data))
		}
	}
	for _, o := range res.Objects {
		if want := crcChecksum(set[strings.TrimPrefix(o.Key, ossPrefix)]); o.Checksum != want {
			t.Errorf("%q: result checksum %q, want %q", o.Key, o.Checksum, want)
		}
	}
	// The damaged object was uploaded twice, the others once.
	if n := srv.Requests(emulator.OpInitiateMultipartUpload); n != 2 {
		t.Errorf("%d multipart uploads started, want 2", n)
	}
	if n := srv.Requests(emulator.OpCompleteMultipartUpload); n != 2 {
		t.Errorf("%d multipart uploads completed, want 2", n)
	}
	if n := srv.Requests(emulator.OpPutObject); n != int64(len(set)-1) {
		t.Errorf("%d single uploads, want %d", n, len(set)-1)
	}
	if n := srv.Uploads(); n != 0 {
		t.Errorf("%d multipart uploads left open", n)
	}
}

// TestCopyFailsOnPersistentDamage has OSS damage the part on every
// attempt: the copy must fail with a ChecksumMismatchError naming the
// key after 1+Retries attempts, and leave no object behind for a later
// run to skip.
func TestCopyFailsOnPersistentDamage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	set := corruptionSet()
	src := newLocal(t)
	seed(t, src, srcPrefix, set)
	srv, dst := startOSS(t)

	const retries = 2
	srv.FlipByteInPart(2, -1)
	res, err := stream.New(corruptionOptions(retries)).Copy(ctx, provider.CopyRequest{Src: src, SrcPrefix: srcPrefix, Dst: dst, DstPrefix: ossPrefix})
	if err == nil {
		t.Fatalf("copy accepted a damaged object: %s", describe(res))
	}
	var mismatch *stream.ChecksumMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("error %v, want a *stream.ChecksumMismatchError", err)
	}
	if mismatch.Key != ossPrefix+damagedKey || !strings.Contains(err.Error(), srcPrefix+damagedKey) {
		t.Errorf("mismatch for %q, error %q; want it to name %q and the source key", mismatch.Key, err, ossPrefix+damagedKey)
	}
	if want := crcChecksum(set[damagedKey]); mismatch.Sent != want || mismatch.Stored == want {
		t.Errorf("mismatch sent %q stored %q; want sent %q and a different stored checksum", mismatch.Sent, mismatch.Stored, want)
	}
	if n := srv.Flipped(); n != 1+retries {
		t.Errorf("the object was uploaded %d times, want %d", n, 1+retries)
	}
	if _, ok := srv.Object(ossBucket, ossPrefix+damagedKey); ok {
		t.Error("the damaged object is left at the destination")
	}
	if n := srv.Uploads(); n != 0 {
		t.Errorf("%d multipart uploads left open", n)
	}

	// Once the store behaves, a rerun copies the damaged object and
	// whatever the failure cancelled, and skips what had landed.
	srv.FlipByteInPart(2, 0)
	landed, err := dst.List(ctx, ossPrefix)
	if err != nil {
		t.Fatal(err)
	}
	res, err = stream.New(corruptionOptions(retries)).Copy(ctx, provider.CopyRequest{Src: src, SrcPrefix: srcPrefix, Dst: dst, DstPrefix: ossPrefix})
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if res.Skipped != int64(len(landed)) || res.Copied != int64(len(set)-len(landed)) {
		t.Errorf("rerun %s, want skipped=%d copied=%d", describe(res), len(landed), len(set)-len(landed))
	}
	assertHolds(t, dst, ossPrefix, set)
}
