package oss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
	"github.com/ferry-dev/ferry/provider/oss"
	"github.com/ferry-dev/ferry/provider/stream"
)

const (
	srcPrefix = "unload/lineitem/gen-1/data/"
	dstPrefix = "tpch/lineitem/gen-1/data/"
)

// seedLocal writes many small objects and two that the copier sends in
// parts into a local directory bucket, returning their contents by key.
func seedLocal(t *testing.T) (*local.Bucket, map[string][]byte) {
	t.Helper()
	src, err := local.NewBucket(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	put := func(key string, data []byte) {
		if _, err := src.Put(context.Background(), key, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		want[key] = data
	}
	for i := range 20 {
		put(fmt.Sprintf("%s%04d_part_00.parquet", srcPrefix, i), randomBytes(uint64(i), i*i*311))
	}
	put(srcPrefix+"large a+b.parquet", randomBytes(100, 3*stream.MiB+12345))
	put(srcPrefix+"large 2.parquet", randomBytes(101, 2*stream.MiB+1))
	return src, want
}

// copier returns a stream copier with small parts, quick retries and the
// OSS retry classifier.
func copier() *stream.Copier {
	return stream.New(stream.Options{
		Transfers:          4,
		PartSize:           512 * 1024,
		PartConcurrency:    3,
		MultipartThreshold: 1 * stream.MiB,
		Retries:            8,
		RetryDelay:         time.Millisecond,
		IsRetryable:        oss.IsRetryable,
	})
}

// assertLanded checks every source object arrived byte for byte.
func assertLanded(t *testing.T, srv *emulator.Server, want map[string][]byte) {
	t.Helper()
	for key, data := range want {
		dst := dstPrefix + key[len(srcPrefix):]
		got, ok := srv.Object(testBucket, "landing-zone/"+dst)
		if !ok {
			t.Errorf("%s: missing in OSS", dst)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s: OSS holds %d bytes that differ from the source's %d", dst, len(got), len(data))
		}
	}
}

func TestStreamCopyThroughFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults emulator.Faults
	}{
		{"503", emulator.Faults{Rate: 0.3, Codes: []int{503}, Seed: 42}},
		{"reset-and-500", emulator.Faults{Rate: 0.2, Codes: []int{500}, Reset: true, Seed: 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startOSS(t)
			dst := newBucket(t, srv, func(c *oss.Config) { c.Prefix = "landing-zone" })
			src, want := seedLocal(t)
			srv.SetFaults(&tc.faults)

			ctx := context.Background()
			req := provider.CopyRequest{Src: src, SrcPrefix: srcPrefix, Dst: dst, DstPrefix: dstPrefix}
			res, err := copier().Copy(ctx, req)
			if err != nil {
				t.Fatalf("copy through faults: %v", err)
			}
			if srv.Injected() == 0 {
				t.Fatal("no fault was injected; the test proves nothing")
			}
			t.Logf("%d faults injected", srv.Injected())
			if res.Copied != int64(len(want)) || res.Skipped != 0 {
				t.Errorf("first copy: copied %d, skipped %d, want %d copied", res.Copied, res.Skipped, len(want))
			}
			for _, o := range res.Objects {
				data := want[srcPrefix+o.Key[len(dstPrefix):]]
				if o.Checksum != crcChecksum(data) {
					t.Errorf("%s: result checksum %s, want %s", o.Key, o.Checksum, crcChecksum(data))
				}
			}
			assertLanded(t, srv, want)
			if srv.Uploads() != 0 {
				t.Errorf("%d multipart uploads left open", srv.Uploads())
			}

			before := srv.Injected()
			res, err = copier().Copy(ctx, req)
			if err != nil {
				t.Fatalf("second copy: %v", err)
			}
			if res.Copied != 0 || res.Skipped != int64(len(want)) || res.Bytes != 0 {
				t.Errorf("second copy: copied %d (%d bytes), skipped %d; want every object skipped", res.Copied, res.Bytes, res.Skipped)
			}
			t.Logf("%d faults injected in the second copy", srv.Injected()-before)
		})
	}
}

func TestStreamCopyDetectsCorruptCRC(t *testing.T) {
	t.Run("put", func(t *testing.T) {
		srv := startOSS(t)
		dst := newBucket(t, srv, func(c *oss.Config) { c.Prefix = "landing-zone" })
		src, _ := seedLocal(t)
		srv.CorruptCRC(emulator.OpPutObject)
		_, err := copier().Copy(context.Background(), provider.CopyRequest{Src: src, SrcPrefix: srcPrefix + "0003", Dst: dst, DstPrefix: dstPrefix + "0003"})
		if !errors.Is(err, oss.ErrChecksumMismatch) {
			t.Fatalf("copy with a corrupted put CRC: %v", err)
		}
		if _, ok := srv.Object(testBucket, "landing-zone/"+dstPrefix+"0003_part_00.parquet"); ok {
			t.Error("the object whose CRC disagreed was left in OSS")
		}
	})
	t.Run("complete", func(t *testing.T) {
		srv := startOSS(t)
		dst := newBucket(t, srv, func(c *oss.Config) { c.Prefix = "landing-zone" })
		src, _ := seedLocal(t)
		srv.CorruptCRC(emulator.OpCompleteMultipartUpload)
		_, err := copier().Copy(context.Background(), provider.CopyRequest{Src: src, SrcPrefix: srcPrefix + "large 2", Dst: dst, DstPrefix: dstPrefix + "large 2"})
		var mismatch *stream.ChecksumMismatchError
		if !errors.As(err, &mismatch) {
			t.Fatalf("copy with a corrupted multipart CRC: %v", err)
		}
		if _, ok := srv.Object(testBucket, "landing-zone/"+dstPrefix+"large 2.parquet"); ok {
			t.Error("the multipart object whose CRC disagreed was left in OSS")
		}
	})
}
