package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc64"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

func TestCopyRetriesChecksumMismatch(t *testing.T) {
	tests := []struct {
		name string
		key  string
		// op counts one call per attempt at the object.
		op string
	}{
		{"streamed object", srcPrefix + "0011_part_00.parquet", "put"},
		{"multipart object", largeKey, "complete"},
	}
	for _, tt := range tests {
		for _, persistent := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/persistent=%v", tt.name, persistent), func(t *testing.T) {
				src, keys := seedSource(t)
				dst := newMemBucket("dst")
				var (
					mu      sync.Mutex
					damaged int
				)
				dst.corrupt = func(key string, data []byte) []byte {
					mu.Lock()
					defer mu.Unlock()
					if key != dstKeyOf(tt.key) || (!persistent && damaged > 0) {
						return data
					}
					damaged++
					return flipFirst(bytes.Clone(data))
				}
				opts := fastOptions()
				opts.Retries = 2
				var last provider.CopyProgress
				res, err := New(opts).Copy(context.Background(), provider.CopyRequest{
					Src: src, SrcPrefix: srcPrefix, Dst: dst, DstPrefix: dstPrefix,
					Progress: func(p provider.CopyProgress) { last = p },
				})
				attempts := dst.count(tt.op + " " + dstKeyOf(tt.key))
				if !persistent {
					if err != nil {
						t.Fatalf("one damaged upload was not retried: %v", err)
					}
					assertCopied(t, src, dst, keys)
					if attempts != 2 || res.Copied != int64(len(keys)) {
						t.Errorf("%d attempts at the damaged object, %d copied; want 2 and %d", attempts, res.Copied, len(keys))
					}
					if last.Bytes != last.BytesTotal {
						t.Errorf("final progress %+v counts the discarded attempt", last)
					}
					return
				}
				var mismatch *ChecksumMismatchError
				if !errors.As(err, &mismatch) {
					t.Fatalf("error %v, want a checksum mismatch", err)
				}
				if mismatch.Key != dstKeyOf(tt.key) || !strings.Contains(err.Error(), tt.key) {
					t.Errorf("mismatch names %q (error %q), want %s", mismatch.Key, err, dstKeyOf(tt.key))
				}
				if mismatch.Sent == mismatch.Stored || mismatch.Sent == "" {
					t.Errorf("mismatch sent %q, stored %q", mismatch.Sent, mismatch.Stored)
				}
				if attempts != 1+opts.Retries {
					t.Errorf("%d attempts at the damaged object, want %d", attempts, 1+opts.Retries)
				}
				if _, ok := dst.get(dstKeyOf(tt.key)); ok {
					t.Error("corrupt object left at the destination")
				}
				if n := dst.openUploads(); n != 0 {
					t.Errorf("%d multipart uploads left open", n)
				}
			})
		}
	}
}

func TestCopyBoundsBufferedParts(t *testing.T) {
	const (
		transfers = 2
		parts     = 3
		partSize  = 256 << 10
	)
	rng := rand.New(rand.NewPCG(3, 4))
	src := newMemBucket("src")
	var keys []string
	for i := range 5 {
		key := fmt.Sprintf("%sbig%d.parquet", srcPrefix, i)
		src.set(key, randomBytes(rng, 2*MiB+i*7919))
		keys = append(keys, key)
	}
	dst := newMemBucket("dst")
	dst.partDelay = 5 * time.Millisecond
	c := New(Options{
		Transfers:          transfers,
		PartSize:           partSize,
		PartConcurrency:    parts,
		MultipartThreshold: 512 << 10,
		RetryDelay:         time.Millisecond,
	})
	if _, err := copyAll(context.Background(), c, src, dst); err != nil {
		t.Fatal(err)
	}
	assertCopied(t, src, dst, keys)

	const bound = transfers * parts * partSize
	if dst.peakBytes > bound {
		t.Errorf("peak bytes in UploadPart %d > %d", dst.peakBytes, bound)
	}
	if got := c.peakBuffered.Load(); got > bound || got < partSize {
		t.Errorf("peak bytes buffered %d, want between %d and %d", got, partSize, bound)
	}
	if dst.peakParts < 2 || dst.peakParts > transfers*parts {
		t.Errorf("peak concurrent parts %d, want 2..%d", dst.peakParts, transfers*parts)
	}
	if held := c.buffered.Load(); held != 0 {
		t.Errorf("%d bytes still counted as buffered after the copy", held)
	}
}

func TestCopyRespectsBandwidthLimit(t *testing.T) {
	const limit = 4 * MiB
	rng := rand.New(rand.NewPCG(5, 6))
	src := newMemBucket("src")
	var keys []string
	for i := range 4 {
		key := fmt.Sprintf("%s%d.parquet", srcPrefix, i)
		src.set(key, randomBytes(rng, 512<<10)) // 2 MiB in all
		keys = append(keys, key)
	}
	dst := newMemBucket("dst")
	opts := fastOptions()
	opts.BandwidthLimit = limit
	var (
		mu    sync.Mutex
		calls []provider.CopyProgress
	)
	start := time.Now()
	_, err := New(opts).Copy(context.Background(), provider.CopyRequest{
		Src: src, SrcPrefix: srcPrefix, Dst: dst, DstPrefix: dstPrefix,
		Progress: func(p provider.CopyProgress) { mu.Lock(); calls = append(calls, p); mu.Unlock() },
	})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	assertCopied(t, src, dst, keys)
	// 2 MiB at 4 MiB/s is 0.5s; allow for timer slack but not for the
	// limit being ignored (an unlimited copy takes milliseconds).
	if elapsed < 400*time.Millisecond {
		t.Errorf("2 MiB copied in %v at a 4 MiB/s limit", elapsed)
	}

	// Progress: throttled, never decreasing, ending on the totals.
	if max := int(elapsed/progressInterval) + 2; len(calls) > max {
		t.Errorf("%d progress reports in %v, want at most %d", len(calls), elapsed, max)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i].Bytes < calls[i-1].Bytes || calls[i].Objects < calls[i-1].Objects {
			t.Errorf("progress went backwards: %+v then %+v", calls[i-1], calls[i])
		}
	}
	want := provider.CopyProgress{Objects: 4, ObjectsTotal: 4, Bytes: 2 * MiB, BytesTotal: 2 * MiB}
	if len(calls) < 2 || calls[len(calls)-1] != want {
		t.Errorf("progress reports %+v, want some running totals then %+v", calls, want)
	}
}

func TestCopyCancelled(t *testing.T) {
	src, _ := seedSource(t)
	dst := newMemBucket("dst")
	ctx, cancel := context.WithCancel(context.Background())
	opts := fastOptions()
	opts.BandwidthLimit = 1 * MiB
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := copyAll(ctx, New(opts), src, dst)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if _, ok := dst.get(dstKeyOf(largeKey)); ok {
		t.Error("large object published although the copy was cancelled")
	}
	if n := dst.openUploads(); n != 0 {
		t.Errorf("%d multipart uploads left open", n)
	}
}

func TestCRCCombine(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	table := crc64.MakeTable(crc64.ECMA)
	for i := range 200 {
		data := randomBytes(rng, rng.IntN(5000))
		// Cut into 1..5 pieces at random points, some of them empty.
		cuts := []int{0, len(data)}
		for range rng.IntN(5) {
			cuts = append(cuts, rng.IntN(len(data)+1))
		}
		slices.Sort(cuts)
		crc := crc64.Checksum(data[:cuts[1]], table)
		for j := 1; j+1 < len(cuts); j++ {
			piece := data[cuts[j]:cuts[j+1]]
			crc = crcCombine(crc, crc64.Checksum(piece, table), int64(len(piece)))
		}
		if want := crc64.Checksum(data, table); crc != want {
			t.Fatalf("case %d (len %d, cuts %v): combined %x, want %x", i, len(data), cuts, crc, want)
		}
	}
}

func TestChecksum(t *testing.T) {
	// 0x995DC9BBDF1939FA is the published CRC-64/XZ check value.
	got, err := Checksum(strings.NewReader("123456789"))
	if want := "crc64ecma:11051210869376104954"; err != nil || got != want {
		t.Errorf("Checksum = %q, %v; want %q", got, err, want)
	}
	if crc, ok := parseCRC(got); !ok || crc != 0x995DC9BBDF1939FA {
		t.Errorf("parseCRC(%q) = %x, %v", got, crc, ok)
	}
	for _, bad := range []string{"", "md5:abc", "crc64ecma:", "crc64ecma:x1"} {
		if _, ok := parseCRC(bad); ok {
			t.Errorf("parseCRC(%q) accepted", bad)
		}
	}
}

func TestOptionsHelpers(t *testing.T) {
	t.Run("part size", func(t *testing.T) {
		tests := []struct {
			set, size, want int64
		}{
			{0, 100 * MiB, MinPartSize},
			{0, 100000 * MiB, 10 * MiB},
			{0, 80000*MiB + 1, 9 * MiB},
			{2 * MiB, 100 * MiB, 2 * MiB},
			{2 * MiB, 50000 * MiB, 5 * MiB},
		}
		for _, tt := range tests {
			got := Options{PartSize: tt.set}.partSizeFor(tt.size)
			if got != tt.want || (tt.size+got-1)/got > MaxParts {
				t.Errorf("partSizeFor(%d) with PartSize %d = %d, want %d", tt.size, tt.set, got, tt.want)
			}
		}
	})
	t.Run("retryable", func(t *testing.T) {
		tests := []struct {
			err  error
			want bool
		}{
			{errTransient, true},
			{fmt.Errorf("open: %w", provider.ErrNotFound), false},
			{fmt.Errorf("put: %w", context.Canceled), false},
			{context.DeadlineExceeded, false},
		}
		for _, tt := range tests {
			if got := DefaultIsRetryable(tt.err); got != tt.want {
				t.Errorf("DefaultIsRetryable(%v) = %v", tt.err, got)
			}
		}
	})
	t.Run("dest key", func(t *testing.T) {
		tests := []struct{ key, src, dst, want string }{
			{"a/data/x", "a/data/", "b/t1/", "b/t1/x"},
			{"a/data/x", "a/data/", "b/t1", "b/t1/x"},
			{"a/data/part-1", "a/data/part-", "b/part-", "b/part-1"},
			{"a/x", "", "b/", "b/a/x"},
			{"a/x", "a/", "", "x"},
		}
		for _, tt := range tests {
			if got := destKey(tt.key, tt.src, tt.dst); got != tt.want {
				t.Errorf("destKey(%q, %q, %q) = %q, want %q", tt.key, tt.src, tt.dst, got, tt.want)
			}
		}
	})
}
