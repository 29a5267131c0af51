package testserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// VersitygwInstall is the command that installs the gateway binary the
// tests expect; it is printed when the binary cannot be found.
const VersitygwInstall = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

const (
	// Fixed root credentials: the server only listens on loopback and
	// lives for one test, so there is nothing to protect.
	rootAccessKey = "ferrytestaccess"
	rootSecretKey = "ferrytestsecret0123456789"
	// region is the gateway's default, passed explicitly so that a
	// VGW_REGION in the environment cannot change it.
	region = "us-east-1"

	startTimeout = 20 * time.Second
	stopTimeout  = 5 * time.Second
	// startAttempts covers the small window in which another process can
	// take the free port between choosing it and the gateway binding it.
	startAttempts = 3
)

// S3Server is a running S3-compatible server reachable on loopback.
type S3Server struct {
	// Endpoint is the base URL ("http://127.0.0.1:PORT"). Clients must use
	// path-style addressing: there is no DNS for virtual-host buckets.
	Endpoint string
	// AccessKey and SecretKey are the root user's credentials, allowed
	// to do everything.
	AccessKey string
	SecretKey string
	// Region is the region the server signs for.
	Region string
	// Dir is the posix backend's root: every bucket is a directory in it
	// and every object a file, which lets a test inspect or damage the
	// stored data directly.
	Dir string
}

// Versitygw starts a versitygw S3 gateway with a posix backend in a
// temporary directory and returns it once it answers requests. The server
// is stopped when the test ends. Each call starts its own server, so tests
// never see each other's buckets.
//
// A missing binary skips the test with the install command, or fails it
// when the CI environment variable is "true".
func Versitygw(t testing.TB) *S3Server {
	t.Helper()
	bin, err := findVersitygw()
	if err != nil {
		msg := fmt.Sprintf("versitygw not found (%v); install it with: %s", err, VersitygwInstall)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	var lastErr error
	for range startAttempts {
		srv, err := startVersitygw(t, bin, dir)
		if err == nil {
			return srv
		}
		lastErr = err
	}
	t.Fatalf("start versitygw: %v", lastErr)
	return nil
}

// CreateBucket creates a bucket on the server, failing the test if the
// server refuses.
func (s *S3Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := s.client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	if err != nil {
		t.Fatalf("create bucket %q: %v", name, err)
	}
}

// client returns an SDK client for the root user, path-style.
func (s *S3Server) client() *s3.Client {
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
}

// findVersitygw looks for the binary on PATH, then where go install puts
// it: $GOBIN, else the bin folder of each $GOPATH entry.
func findVersitygw() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("not on PATH nor in %s", strings.Join(dirs, ", "))
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockedBuffer collects a child's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startVersitygw runs one gateway on a fresh port and waits until it
// answers. On failure the process is gone and the error carries its
// output.
func startVersitygw(t testing.TB, bin, dir string) (*S3Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin,
		"--access", rootAccessKey,
		"--secret", rootSecretKey,
		"--region", region,
		"--port", addr,
		"--quiet",
		"posix", dir)
	cmd.Env = childEnv()
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	srv := &S3Server{
		Endpoint:  "http://" + addr,
		AccessKey: rootAccessKey,
		SecretKey: rootSecretKey,
		Region:    region,
		Dir:       dir,
	}
	if err := waitReady(srv.Endpoint, exited); err != nil {
		stop()
		return nil, fmt.Errorf("%w; output:\n%s", err, out.String())
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("versitygw output:\n%s", out.String())
		}
	})
	return srv, nil
}

// waitReady polls endpoint until it gives any HTTP answer (an anonymous
// request is refused, which proves the S3 front end is up), the process
// exits, or startTimeout passes.
func waitReady(endpoint string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for delay := 10 * time.Millisecond; ; delay = min(delay*2, 200*time.Millisecond) {
		resp, err := client.Get(endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New("versitygw exited before answering")
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("versitygw did not answer within %s: %v", startTimeout, err)
		}
	}
}

// childEnv is the test's environment without the variables versitygw
// reads its settings from, so that a developer's own gateway setup cannot
// change the server under test.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "VGW_") || strings.HasPrefix(name, "ROOT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
