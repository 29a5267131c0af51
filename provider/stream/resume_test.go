package stream_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
	"github.com/ferry-dev/ferry/provider/stream"
)

// Environment variables that make the test binary run the copy to be
// killed instead of the test: the source directory and the OSS endpoint.
const (
	resumeSrcEnv = "FERRY_STREAM_RESUME_SRC"
	resumeOSSEnv = "FERRY_STREAM_RESUME_OSS"
)

const (
	// resumeBigKey sorts third, so the copy starts it early and is still
	// sending it when the kill comes.
	resumeBigKey = "0002 big+ü.parquet"
	// resumeLimit is the child's bandwidth: slow enough that it is killed
	// mid-copy, after some objects landed.
	resumeLimit = 2 * stream.MiB
	// resumeKillAfter is how many objects must have landed before the
	// kill.
	resumeKillAfter = 4
)

// resumeSet is sixteen objects: fifteen small ones and one sent in parts.
func resumeSet() map[string][]byte {
	set := map[string][]byte{resumeBigKey: randomBytes(31, 4*stream.MiB+99)}
	for i := range 16 {
		if i != 2 {
			set[fmt.Sprintf("%04d_part_00.parquet", i)] = randomBytes(uint64(40+i), 256<<10+i)
		}
	}
	return set
}

// resumeOptions are the child's options; the in-process rerun drops the
// bandwidth limit.
func resumeOptions(limit int64) stream.Options {
	return stream.Options{
		Transfers:          2,
		PartSize:           512 << 10,
		PartConcurrency:    2,
		MultipartThreshold: 1 * stream.MiB,
		BandwidthLimit:     limit,
		RetryDelay:         10 * time.Millisecond,
	}
}

// TestCopyResumesAfterKill runs a bandwidth-limited copy in a child
// process, SIGKILLs it once some objects have landed and another is half
// sent, and reruns the copy here: only the objects that had not landed
// are read and sent again, and the destination ends up whole.
func TestCopyResumesAfterKill(t *testing.T) {
	if dir := os.Getenv(resumeSrcEnv); dir != "" {
		runResumeChild(t, dir, os.Getenv(resumeOSSEnv))
		return
	}
	set := resumeSet()
	srcDir := t.TempDir()
	src, err := local.NewBucket(srcDir, "")
	if err != nil {
		t.Fatal(err)
	}
	seed(t, src, srcPrefix, set)
	srv, dst := startOSS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cmd := exec.Command(os.Args[0], "-test.run=^TestCopyResumesAfterKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), resumeSrcEnv+"="+srcDir, resumeOSSEnv+"="+srv.Endpoint())
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	landedBeforeKill := waitForLanded(t, dst, exited, out)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	// Let the emulator finish with the requests the kill cut off.
	time.Sleep(300 * time.Millisecond)

	landed, err := dst.List(ctx, ossPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(landed) < landedBeforeKill || len(landed) >= len(set) {
		t.Fatalf("%d of %d objects landed before the kill; the test needs some but not all", len(landed), len(set))
	}
	t.Logf("%d of %d objects landed before the kill, %d multipart upload(s) open", len(landed), len(set), srv.Uploads())
	done := map[string]bool{}
	for _, o := range landed {
		done[o.Key[len(ossPrefix):]] = true
	}
	if done[resumeBigKey] || srv.Uploads() == 0 {
		t.Fatalf("the kill did not cut the multipart object short (landed %v, open uploads %d)", done[resumeBigKey], srv.Uploads())
	}
	var wantOpened []string
	var wantBytes int64
	for _, key := range sortedKeys(set) {
		if !done[key] {
			wantOpened = append(wantOpened, srcPrefix+key)
			wantBytes += int64(len(set[key]))
		}
	}

	before := map[string]int64{}
	ops := []string{emulator.OpPutObject, emulator.OpInitiateMultipartUpload, emulator.OpCompleteMultipartUpload}
	for _, op := range ops {
		before[op] = srv.Requests(op)
	}
	counted := &openCounter{Bucket: src}
	res, err := stream.New(resumeOptions(0)).Copy(ctx, provider.CopyRequest{Src: counted, SrcPrefix: srcPrefix, Dst: dst, DstPrefix: ossPrefix})
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	notDone := int64(len(set) - len(done))
	if res.Copied != notDone || res.Skipped != int64(len(done)) || res.Bytes != wantBytes {
		t.Errorf("rerun %s, want copied=%d skipped=%d bytes=%d", describe(res), notDone, len(done), wantBytes)
	}
	if got := counted.keys(); !slices.Equal(got, wantOpened) {
		t.Errorf("rerun read %v, want only the objects that had not landed: %v", got, wantOpened)
	}
	want := map[string]int64{
		emulator.OpPutObject:               notDone - 1,
		emulator.OpInitiateMultipartUpload: 1,
		emulator.OpCompleteMultipartUpload: 1,
	}
	for _, op := range ops {
		if n := srv.Requests(op) - before[op]; n != want[op] {
			t.Errorf("rerun sent %d %s requests, want %d", n, op, want[op])
		}
	}
	assertHolds(t, dst, ossPrefix, set)
}

// waitForLanded polls the destination until resumeKillAfter objects have
// landed and returns how many it saw. It fails the test when the child
// exits first or nothing lands in time.
func waitForLanded(t *testing.T, dst provider.Bucket, exited <-chan error, out *syncBuffer) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("the copy ended before it was killed (%v); output:\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		objs, err := dst.List(context.Background(), ossPrefix)
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) >= resumeKillAfter {
			return len(objs)
		}
	}
	t.Fatalf("fewer than %d objects landed in 30s; output:\n%s", resumeKillAfter, out.String())
	return 0
}

// runResumeChild is the child process: a bandwidth-limited copy of the
// source directory to the OSS emulator, meant to be killed.
func runResumeChild(t *testing.T, dir, endpoint string) {
	src, err := local.NewBucket(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = stream.New(resumeOptions(resumeLimit)).Copy(context.Background(), provider.CopyRequest{
		Src: src, SrcPrefix: srcPrefix, Dst: ossOn(t, endpoint), DstPrefix: ossPrefix,
	})
	if err != nil {
		t.Fatal(err)
	}
}
