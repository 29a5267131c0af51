package remote

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/state"
)

const bucketName = "ferry-state"

// harness is one store under test: how to open backends on a key, and
// what its writes guarantee.
type harness struct {
	name string
	// open returns a new backend (as a new process would have) on key.
	open func(t *testing.T, key string) *objectBackend
	// helperConfig is the JSON a child process decodes to open the same
	// backend (see TestMain).
	helperConfig func(key string) helperConfig
	// atomicOverwrite: a conditional overwrite is checked by the store
	// atomically with the write, so racing writers need no lock.
	atomicOverwrite bool
}

// helperConfig is what a lock-holding child process needs.
type helperConfig struct {
	S3  *S3Config  `json:",omitempty"`
	OSS *OSSConfig `json:",omitempty"`
}

func (c helperConfig) open(ctx context.Context) (state.Backend, error) {
	if c.S3 != nil {
		return NewS3(ctx, *c.S3)
	}
	return NewOSS(ctx, *c.OSS)
}

func s3Harness(t *testing.T) harness {
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, bucketName)
	cfg := func(key string) S3Config {
		return S3Config{
			Bucket: bucketName, Key: key, Region: srv.Region, Endpoint: srv.Endpoint, PathStyle: true,
			AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
		}
	}
	return harness{
		name: "s3",
		open: func(t *testing.T, key string) *objectBackend {
			t.Helper()
			b, err := NewS3(t.Context(), cfg(key))
			if err != nil {
				t.Fatal(err)
			}
			return b.objectBackend
		},
		helperConfig:    func(key string) helperConfig { c := cfg(key); return helperConfig{S3: &c} },
		atomicOverwrite: true,
	}
}

const (
	ossAccessKeyID     = "LTAI5tFerryTestKey"
	ossAccessKeySecret = "ferry-oss-test-secret-0123456789"
)

func ossHarness(t *testing.T) harness {
	srv := oss.Start(t, oss.Options{AccessKeyID: ossAccessKeyID, AccessKeySecret: ossAccessKeySecret})
	srv.CreateBucket(bucketName)
	cfg := func(key string) OSSConfig {
		return OSSConfig{
			Bucket: bucketName, Key: key, Endpoint: srv.Endpoint(),
			AccessKeyID: ossAccessKeyID, AccessKeySecret: ossAccessKeySecret,
		}
	}
	return harness{
		name: "oss",
		open: func(t *testing.T, key string) *objectBackend {
			t.Helper()
			b, err := NewOSS(t.Context(), cfg(key))
			if err != nil {
				t.Fatal(err)
			}
			return b.objectBackend
		},
		helperConfig: func(key string) helperConfig { c := cfg(key); return helperConfig{OSS: &c} },
	}
}

// lockHelperEnv, when set to a helperConfig as JSON, turns the test
// binary into a process that takes the remote lock, reports it and waits
// to be killed.
const lockHelperEnv = "FERRY_REMOTE_TEST_LOCK_HELPER"

func TestMain(m *testing.M) {
	if cfg := os.Getenv(lockHelperEnv); cfg != "" {
		os.Exit(lockHelper(cfg))
	}
	os.Exit(m.Run())
}

func lockHelper(cfgJSON string) int {
	var cfg helperConfig
	if err := json.Unmarshal([]byte(cfgJSON), &cfg); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	ctx := context.Background()
	b, err := cfg.open(ctx)
	if err == nil {
		_, err = b.Lock(ctx, state.LockInfo{Operation: "apply", Who: "ci", Host: "runner-7"}, 0)
	}
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
	return 0
}

// startKilledHolder runs a child process that takes the lock of key, and
// kills it (SIGKILL, no chance to unlock) once it has. It returns the
// child's pid.
func startKilledHolder(t *testing.T, h harness, key string) int {
	t.Helper()
	cfg, err := json.Marshal(h.helperConfig(key))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+string(cfg))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("lock helper: %q", line)
	}
	pid := cmd.Process.Pid
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	return pid
}

// rawGet and rawPut reach the store beneath a backend, for tests that
// look at or damage objects as another tool would.
func rawGet(t *testing.T, b *objectBackend, key string) ([]byte, bool) {
	t.Helper()
	data, _, err := b.store.get(t.Context(), key)
	if err != nil {
		if errors.Is(err, errNotFound) {
			return nil, false
		}
		t.Fatalf("get %s: %v", key, err)
	}
	return data, true
}

func rawPut(t *testing.T, b *objectBackend, key string, data []byte) {
	t.Helper()
	if _, err := b.store.put(t.Context(), key, data, condition{}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}
