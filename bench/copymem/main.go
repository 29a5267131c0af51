// Command copymem measures the memory the stream copy engine needs for one
// large object: it stages a 2 GiB object in a local directory bucket,
// copies it with default Options to an S3 bucket on a versitygw gateway it
// starts (or, without the gateway binary, to another local directory
// bucket), and prints the throughput and the process's peak resident set
// size. The engine's budget is Transfers × PartConcurrency × PartSize of
// part buffers (128 MiB at the defaults for many large objects, 32 MiB for
// one); the target for the whole process is under 256 MiB.
//
// Usage:
//
//	go run ./bench/copymem [-size 2147483648] [-dir /tmp] [-local] [-verify=false]
//
// The object is written from a generated pseudo-random stream, so neither
// the source nor the copy ever holds it in memory. The versitygw binary is
// looked up on PATH, then in $GOBIN and $(go env GOPATH)/bin.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
	"github.com/ferry-dev/ferry/provider/s3"
	"github.com/ferry-dev/ferry/provider/stream"
)

// objectKey is the staged object, shaped like an UNLOAD output file.
const objectKey = "unload/lineitem/data/0000_part_00.parquet"

// targetRSS is the peak resident set size the engine should stay under.
const targetRSS = 256 << 20

func main() { os.Exit(run()) }

// run does the measurement and returns the exit code: 0 when the copy
// succeeded (and verified), 1 on any error. Exceeding the RSS target is
// reported, not an error, since it is a figure to track.
func run() int {
	size := flag.Int64("size", 2<<30, "object size in bytes")
	dir := flag.String("dir", os.TempDir(), "directory for the source and destination data")
	forceLocal := flag.Bool("local", false, "copy to a local directory bucket even when versitygw is available")
	verify := flag.Bool("verify", true, "read the destination back and compare its CRC-64 with the source's")
	flag.Parse()

	if err := measure(*size, *dir, *forceLocal, *verify); err != nil {
		fmt.Fprintln(os.Stderr, "copymem:", err)
		return 1
	}
	return 0
}

// measure stages the object, copies it and prints the figures.
func measure(size int64, dir string, forceLocal, verify bool) error {
	ctx := context.Background()
	work, err := os.MkdirTemp(dir, "copymem-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	src, err := local.NewBucket(filepath.Join(work, "src"), "")
	if err != nil {
		return err
	}
	start := time.Now()
	crc, err := stage(ctx, src, size)
	if err != nil {
		return fmt.Errorf("stage source: %w", err)
	}
	fmt.Printf("staged     %s in %s (%s)\n", humanBytes(size), time.Since(start).Round(time.Millisecond), src.URL(objectKey))

	dst, kind, stop, err := destination(ctx, work, forceLocal)
	if err != nil {
		return err
	}
	defer stop()
	rssBefore := peakRSS()

	c := stream.New(stream.Options{})
	start = time.Now()
	res, err := c.Copy(ctx, provider.CopyRequest{Src: src, SrcPrefix: "unload/", Dst: dst, DstPrefix: "stage/"})
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	rss := peakRSS()
	if res.Copied != 1 || res.Bytes != size {
		return fmt.Errorf("copy result: copied %d objects, %d bytes; want 1 object of %d bytes", res.Copied, res.Bytes, size)
	}
	throughput := float64(size) / elapsed.Seconds()
	fmt.Printf("copied     %s local → %s in %s: %s/s\n", humanBytes(size), kind, elapsed.Round(time.Millisecond), humanBytes(int64(throughput)))
	fmt.Printf("peak RSS   %s (%s before the copy); target < %s: %s\n", humanBytes(rss), humanBytes(rssBefore), humanBytes(targetRSS), verdict(rss))

	if verify {
		got, err := checksum(ctx, dst, "stage/"+objectKey[len("unload/"):])
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		if got != crc {
			return fmt.Errorf("verify: destination CRC-64 %d, source %d", got, crc)
		}
		fmt.Printf("verified   destination CRC-64/ECMA %d matches the source\n", got)
	}
	return nil
}

// destination returns the bucket to copy to, a name for it, and a
// function that releases it: an S3 bucket on a fresh versitygw gateway,
// or a local directory bucket when there is no gateway (or forceLocal).
func destination(ctx context.Context, work string, forceLocal bool) (provider.Bucket, string, func(), error) {
	localDst := func(why string) (provider.Bucket, string, func(), error) {
		b, err := local.NewBucket(filepath.Join(work, "dst"), "")
		if err != nil {
			return nil, "", nil, err
		}
		fmt.Printf("destination local directory bucket (%s)\n", why)
		return b, "local", func() {}, nil
	}
	if forceLocal {
		return localDst("-local")
	}
	bin, err := findVersitygw()
	if err != nil {
		return localDst(err.Error())
	}
	gw, err := startGateway(ctx, bin, filepath.Join(work, "gw"))
	if err != nil {
		return nil, "", nil, err
	}
	b, err := s3.New(ctx, s3.Config{
		Bucket: gatewayBucket, Region: gatewayRegion, Endpoint: gw.endpoint, PathStyle: true,
		AccessKey: gatewayAccess, SecretKey: gatewaySecret,
	})
	if err != nil {
		gw.stop()
		return nil, "", nil, err
	}
	fmt.Printf("destination versitygw S3 %s (%s)\n", gw.endpoint, bin)
	return b, "S3 (versitygw)", gw.stop, nil
}

// stage writes size generated bytes to the source object and returns
// their CRC-64/ECMA.
func stage(ctx context.Context, b *local.Bucket, size int64) (uint64, error) {
	gen := rand.NewChaCha8([32]byte{'f', 'e', 'r', 'r', 'y'})
	h := crc64.New(crc64.MakeTable(crc64.ECMA))
	body := io.TeeReader(io.LimitReader(gen, size), h)
	obj, err := b.Put(ctx, objectKey, body, size)
	if err != nil {
		return 0, err
	}
	if obj.Size != size {
		return 0, fmt.Errorf("staged %d bytes, want %d", obj.Size, size)
	}
	return h.Sum64(), nil
}

// checksum reads key from b and returns its CRC-64/ECMA.
func checksum(ctx context.Context, b provider.Bucket, key string) (uint64, error) {
	rc, err := b.Open(ctx, key, 0, -1)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	h := crc64.New(crc64.MakeTable(crc64.ECMA))
	if _, err := io.Copy(h, rc); err != nil {
		return 0, err
	}
	return h.Sum64(), nil
}

// peakRSS returns the process's peak resident set size in bytes, from
// getrusage (ru_maxrss is in KiB on Linux).
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Maxrss) * 1024
}

// verdict says whether rss meets the target.
func verdict(rss int64) string {
	if rss < targetRSS {
		return "met"
	}
	return "MISSED"
}

// humanBytes renders n in binary units.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// errNoGateway is returned when the versitygw binary cannot be found.
var errNoGateway = errors.New("versitygw not found on PATH, in $GOBIN or in $(go env GOPATH)/bin")
