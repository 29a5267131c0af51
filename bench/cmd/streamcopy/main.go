// Command streamcopy measures ferry's stream copy engine copying a data set
// between two buckets of a versitygw S3 server on loopback, against rclone
// at the same concurrency and against a raw GET->PUT pipe. Run it through
// bench/stream-copy.sh, which builds rclone.
//
// Each measured copy runs in its own child process (this binary with
// -mode ferry or -mode raw, or rclone), so that wall time and peak RSS
// belong to that copy alone.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ferry-dev/ferry/bench/internal/measure"
	"github.com/ferry-dev/ferry/provider/s3"
	"github.com/ferry-dev/ferry/provider/stream"
)

const (
	accessKey = "ferrybenchaccess"
	secretKey = "ferrybenchsecret0123456789"
	region    = "us-east-1"
	srcBucket = "bench-src"
	dstBucket = "bench-dst"
)

type options struct {
	mode, endpoint      string
	versitygw, rclone   string
	work                string
	runs                int
	transfers, parts    int
	largeSize           int64
	smallCount          int
	smallSize           int64
	skipRclone, skipRaw bool
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "bench", "bench (orchestrate), ferry, raw or raw1 (child processes)")
	flag.StringVar(&o.endpoint, "endpoint", "", "S3 endpoint (child modes)")
	flag.StringVar(&o.versitygw, "versitygw", "versitygw", "versitygw binary")
	flag.StringVar(&o.rclone, "rclone", "", "rclone binary (empty: skip)")
	flag.StringVar(&o.work, "work", filepath.Join(os.TempDir(), "ferry-bench", "stream-copy"), "working directory (server data)")
	flag.IntVar(&o.runs, "runs", 3, "timed runs per tool")
	flag.IntVar(&o.transfers, "transfers", 4, "objects copied at once (ferry Transfers, rclone --transfers)")
	flag.IntVar(&o.parts, "part-concurrency", 4, "parts of one object in flight (ferry PartConcurrency, rclone --multi-thread-streams)")
	flag.Int64Var(&o.largeSize, "large", 1<<30, "size of the large object")
	flag.IntVar(&o.smallCount, "small-count", 2000, "number of small objects")
	flag.Int64Var(&o.smallSize, "small-size", 512<<10, "size of each small object")
	flag.BoolVar(&o.skipRaw, "skip-raw", false, "do not run the raw pipe")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this process to `FILE` (child modes)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "streamcopy:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var err error
	switch o.mode {
	case "bench":
		err = orchestrate(o)
	case "ferry":
		err = copyFerry(o)
	case "raw":
		err = copyRaw(o, o.transfers)
	case "raw1":
		err = copyRaw(o, 1)
	default:
		err = fmt.Errorf("unknown -mode %q", o.mode)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "streamcopy:", err)
		os.Exit(1)
	}
}

func orchestrate(o options) error {
	fmt.Printf("machine: %s\n", measure.Machine())
	dataDir := filepath.Join(o.work, "gw")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	endpoint, stop, err := startGateway(o.versitygw, dataDir)
	if err != nil {
		return err
	}
	defer stop()
	total := o.largeSize + int64(o.smallCount)*o.smallSize
	fmt.Printf("data set: 1 x %s + %d x %s = %s on versitygw %s (posix %s)\n",
		measure.MiB(o.largeSize), o.smallCount, measure.MiB(o.smallSize), measure.MiB(total), endpoint, dataDir)
	if err := seed(endpoint, dataDir, o); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	common := []string{"-endpoint", endpoint, "-transfers", strconv.Itoa(o.transfers), "-part-concurrency", strconv.Itoa(o.parts),
		"-large", strconv.FormatInt(o.largeSize, 10), "-small-count", strconv.Itoa(o.smallCount), "-small-size", strconv.FormatInt(o.smallSize, 10)}
	type tool struct {
		name string
		cmd  measure.Cmd
	}
	tools := []tool{{"ferry stream", measure.Cmd{Path: self, Args: append([]string{"-mode", "ferry"}, common...)}}}
	if o.rclone != "" {
		tools = append(tools, tool{"rclone", rcloneCmd(o, endpoint)})
	}
	if !o.skipRaw {
		tools = append(tools, tool{fmt.Sprintf("raw GET->PUT x%d", o.transfers), measure.Cmd{Path: self, Args: append([]string{"-mode", "raw"}, common...)}})
	}
	series := make([]measure.Series, len(tools))
	for i := range tools {
		series[i].Name = tools[i].name
	}
	clear := func() error { return clearBucket(filepath.Join(dataDir, dstBucket)) }
	// Interleave the tools so that background noise spreads over all.
	for r := range o.runs {
		for i, t := range tools {
			if err := clear(); err != nil {
				return err
			}
			s, err := measure.Run(t.cmd)
			if err != nil {
				return err
			}
			if err := checkCopied(filepath.Join(dataDir, dstBucket), o); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			series[i].Samples = append(series[i].Samples, s)
			fmt.Printf("run %d %-18s %s  %7.1f MiB/s  peak RSS %s\n", r+1, t.name, measure.Secs(s.Wall),
				float64(total)/(1<<20)/s.Wall.Seconds(), measure.MiB(s.MaxRSS))
		}
	}
	// The single-stream ceiling: one GET piped into one PUT, the large
	// object alone.
	var single measure.Series
	if !o.skipRaw {
		single.Name = "raw GET->PUT x1 (large object)"
		for range o.runs {
			if err := clear(); err != nil {
				return err
			}
			s, err := measure.Run(measure.Cmd{Path: self, Args: append([]string{"-mode", "raw1"}, common...)})
			if err != nil {
				return err
			}
			single.Samples = append(single.Samples, s)
		}
	}
	fmt.Println()
	var rows [][]string
	base := series[0]
	for i, s := range series {
		rows = append(rows, []string{s.Name, measure.Secs(s.Wall()), fmt.Sprintf("%.1f", float64(total)/(1<<20)/s.Wall().Seconds()),
			measure.MiB(s.RSS()), measure.Ratio(tp(total, s), tp(total, series[min(1, len(series)-1)])), vsFerry(i, base, s, total)})
	}
	if len(single.Samples) > 0 {
		rows = append(rows, []string{single.Name, measure.Secs(single.Wall()), fmt.Sprintf("%.1f", float64(o.largeSize)/(1<<20)/single.Wall().Seconds()),
			measure.MiB(single.RSS()), "-", "-"})
	}
	measure.Table(os.Stdout, []string{"tool", "median wall", "MiB/s", "peak RSS", "throughput vs rclone", "ferry throughput / this"}, rows)
	if o.rclone != "" && len(series) > 1 {
		fmt.Printf("\nferry/rclone throughput: %s (target >= 1.20x); ferry/rclone peak RSS: %s (target <= 1.00x)\n",
			measure.Ratio(tp(total, series[0]), tp(total, series[1])), measure.Ratio(float64(series[0].RSS()), float64(series[1].RSS())))
	}
	return nil
}

func tp(total int64, s measure.Series) float64 { return float64(total) / s.Wall().Seconds() }

func vsFerry(i int, ferry, s measure.Series, total int64) string {
	if i == 0 {
		return "1.00x"
	}
	return measure.Ratio(tp(total, ferry), tp(total, s))
}

// rcloneCmd copies with rclone between two remotes of the same server, so
// that rclone streams the bytes instead of asking for a server-side copy.
// Part size, multipart cutoff and concurrencies match ferry's defaults:
// 8 MiB parts from 64 MiB, Transfers objects, PartConcurrency parts each.
func rcloneCmd(o options, endpoint string) measure.Cmd {
	var env []string
	for _, r := range []string{"SRC", "DST"} {
		p := "RCLONE_CONFIG_" + r + "_"
		env = append(env, p+"TYPE=s3", p+"PROVIDER=Other", p+"ACCESS_KEY_ID="+accessKey, p+"SECRET_ACCESS_KEY="+secretKey,
			p+"ENDPOINT="+endpoint, p+"REGION="+region, p+"FORCE_PATH_STYLE=true")
	}
	env = append(env, "RCLONE_CONFIG=/dev/null")
	return measure.Cmd{Path: o.rclone, Env: env, Args: []string{
		"copy", "src:" + srcBucket, "dst:" + dstBucket,
		"--transfers", strconv.Itoa(o.transfers),
		"--checkers", strconv.Itoa(o.transfers),
		"--multi-thread-streams", strconv.Itoa(o.parts),
		"--multi-thread-cutoff", "64Mi",
		"--multi-thread-chunk-size", "8Mi",
		"--s3-chunk-size", "8Mi",
		"--s3-upload-cutoff", "64Mi",
		"--s3-upload-concurrency", strconv.Itoa(o.parts),
		"--s3-no-check-bucket",
		"--stats", "0",
	}}
}

func s3Bucket(endpoint, name string) (*s3.Bucket, error) {
	return s3.New(context.Background(), s3.Config{
		Bucket: name, Endpoint: endpoint, PathStyle: true, Region: region,
		AccessKey: accessKey, SecretKey: secretKey,
	})
}

// copyFerry is one copy by the stream engine with ferry's defaults and the
// requested concurrency.
func copyFerry(o options) error {
	src, err := s3Bucket(o.endpoint, srcBucket)
	if err != nil {
		return err
	}
	dst, err := s3Bucket(o.endpoint, dstBucket)
	if err != nil {
		return err
	}
	c := stream.New(stream.Options{Transfers: o.transfers, PartConcurrency: o.parts, IsRetryable: s3.IsRetryable})
	res, err := c.Copy(context.Background(), providerCopyRequest(src, dst))
	if err != nil {
		return err
	}
	if res.Copied != int64(o.smallCount+1) {
		return fmt.Errorf("ferry copied %d objects, want %d", res.Copied, o.smallCount+1)
	}
	return nil
}

// startGateway runs versitygw on a free loopback port until stop.
func startGateway(bin, dir string) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--access", accessKey, "--secret", secretKey, "--region", region, "--port", addr, "--quiet", "posix", dir)
	log, err := os.Create(filepath.Join(filepath.Dir(dir), "versitygw.log"))
	if err != nil {
		return "", nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		log.Close()
	}
	endpoint := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(endpoint)
		if err == nil {
			resp.Body.Close()
			return endpoint, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("versitygw did not start: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// seed creates both buckets and uploads the data set once; later
// invocations find it in the working directory.
func seed(endpoint, dataDir string, o options) error {
	marker := filepath.Join(dataDir, ".."+"/seeded.json")
	want, _ := json.Marshal(map[string]any{"large": o.largeSize, "count": o.smallCount, "size": o.smallSize})
	if got, err := os.ReadFile(marker); err == nil && string(got) == string(want) {
		return nil
	}
	t0 := time.Now()
	cl := newRawClient(endpoint)
	for _, b := range []string{srcBucket, dstBucket} {
		if _, err := os.Stat(filepath.Join(dataDir, b)); err == nil {
			continue
		}
		if err := cl.do(http.MethodPut, "/"+b, nil, 0); err != nil {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	if err := clearBucket(filepath.Join(dataDir, srcBucket)); err != nil {
		return err
	}
	put := func(key string, size int64, seed uint64) error {
		return cl.do(http.MethodPut, "/"+srcBucket+"/"+key, io.LimitReader(newRandReader(seed), size), size)
	}
	if err := put("large/object-0000.bin", o.largeSize, 1); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, o.smallCount)
	sem := make(chan struct{}, 4)
	for i := range o.smallCount {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := put(fmt.Sprintf("small/part-%05d.bin", i), o.smallSize, uint64(i)+2); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("seeded the source bucket in %s\n", measure.Secs(time.Since(t0)))
	return os.WriteFile(marker, want, 0o644)
}

// clearBucket empties a bucket of the posix backend directly on disk.
func clearBucket(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// checkCopied checks that the destination holds every object at its size.
func checkCopied(dir string, o options) error {
	var n int
	var bytes int64
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			if strings.HasPrefix(info.Name(), ".sgw") {
				return filepath.SkipDir
			}
			return nil
		}
		n++
		bytes += info.Size()
		return nil
	})
	if err != nil {
		return err
	}
	if want := o.largeSize + int64(o.smallCount)*o.smallSize; n != o.smallCount+1 || bytes != want {
		return fmt.Errorf("destination holds %d objects, %d bytes; want %d, %d", n, bytes, o.smallCount+1, want)
	}
	return nil
}

// randReader is a fast deterministic stream of incompressible bytes.
type randReader struct{ r *rand.ChaCha8 }

func newRandReader(seed uint64) io.Reader {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return &randReader{rand.NewChaCha8(s)}
}

func (r *randReader) Read(p []byte) (int, error) { return r.r.Read(p) }
