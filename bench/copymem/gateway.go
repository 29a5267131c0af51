package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// The gateway's fixed settings: it listens on loopback only and lives for
// one measurement, so the credentials protect nothing.
const (
	gatewayAccess = "copymemaccess"
	gatewaySecret = "copymemsecret0123456789"
	gatewayRegion = "us-east-1"
	gatewayBucket = "copymem"
	startTimeout  = 20 * time.Second
)

// gateway is a running versitygw process.
type gateway struct {
	endpoint string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// findVersitygw looks for the gateway binary on PATH, then in $GOBIN and
// in the bin folder of $(go env GOPATH).
func findVersitygw() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, gp := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(gp, "bin"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errNoGateway
}

// startGateway runs versitygw with a posix backend in dir on a free
// loopback port, waits until it answers, and creates the bucket.
func startGateway(ctx context.Context, bin, dir string) (*gateway, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()

	cmd := exec.Command(bin, "--access", gatewayAccess, "--secret", gatewaySecret,
		"--region", gatewayRegion, "--port", addr, "--quiet", "posix", dir)
	cmd.Env = gatewayEnv()
	// The gateway's chatter stays in its log unless it fails to start.
	logPath := filepath.Join(dir, "..", "versitygw.log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start versitygw: %w", err)
	}
	gw := &gateway{endpoint: "http://" + addr, cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(gw.exited)
	}()
	if err := gw.waitReady(); err != nil {
		gw.stop()
		out, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("%w; output:\n%s", err, out)
	}
	client := awss3.New(awss3.Options{
		Region:       gatewayRegion,
		BaseEndpoint: aws.String(gw.endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(gatewayAccess, gatewaySecret, ""),
	})
	if _, err := client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(gatewayBucket)}); err != nil {
		gw.stop()
		return nil, fmt.Errorf("create bucket: %w", err)
	}
	return gw, nil
}

// waitReady polls the gateway until it gives any HTTP answer.
func (g *gateway) waitReady() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		resp, err := client.Get(g.endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-g.exited:
			return errors.New("versitygw exited before answering")
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("versitygw did not answer within %s", startTimeout)
}

// stop terminates the gateway, killing it if it does not exit promptly.
func (g *gateway) stop() {
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(5 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.exited
	}
}

// gatewayEnv is this process's environment without the variables
// versitygw reads settings from, so a developer's own gateway setup does
// not change the measurement.
func gatewayEnv() []string {
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
