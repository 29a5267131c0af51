package state

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lockHelperEnv, when set to a state path, turns the test binary into a
// process that takes the lock, reports it and waits to be killed.
const lockHelperEnv = "FERRY_STATE_TEST_LOCK_HELPER"

func TestMain(m *testing.M) {
	if path := os.Getenv(lockHelperEnv); path != "" {
		os.Exit(lockHelper(path))
	}
	os.Exit(m.Run())
}

func lockHelper(path string) int {
	_, err := NewFilesystem(path).Lock(context.Background(), LockInfo{
		ID: "child-lock", Operation: "apply", Who: "child", Host: "ci-runner",
	}, 0)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
	return 0
}

var created = time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)

func holderInfo() LockInfo {
	return LockInfo{ID: "f00d", Operation: "apply", Who: "alice", Host: "build-1", PID: 4242, Created: created}
}

const holderText = `state is locked by alice@build-1 (pid 4242, operation "apply", since 2026-05-04T03:02:01Z, lock ID f00d)`

func writeState(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	path := filepath.Join(dir, "ferry.state")
	data, _ := Marshal(sampleFile())
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestLockContention(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		release time.Duration // when the holder unlocks; 0: never
		wantErr string
		minWait time.Duration
	}{
		{"fails fast", 0, 0, holderText, 0},
		{"times out", 150 * time.Millisecond, 0, holderText, 150 * time.Millisecond},
		{"waits for release", 5 * time.Second, 100 * time.Millisecond, "", 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, data := writeState(t, t.TempDir())
			a, b := NewFilesystem(path), NewFilesystem(path)
			unlockA, err := a.Lock(context.Background(), holderInfo(), 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unlockA()
			assertMode(t, path+".lock", 0o600)
			assertMode(t, path+".lock.info", 0o600)
			if tt.release > 0 {
				time.AfterFunc(tt.release, func() { unlockA() })
			}

			start := time.Now()
			unlockB, err := b.Lock(context.Background(), LockInfo{Operation: "plan", Who: "bob"}, tt.timeout)
			waited := time.Since(start)
			if waited < tt.minWait {
				t.Errorf("returned after %v, want at least %v", waited, tt.minWait)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Lock after release: %v", err)
				}
				info, err := b.ReadLockInfo()
				if err != nil || info.Who != "bob" || info.Operation != "plan" || info.PID != os.Getpid() || len(info.ID) != 36 || info.Path != path {
					t.Errorf("new holder info = %+v, %v", info, err)
				}
				if err := unlockB(); err != nil {
					t.Fatal(err)
				}
				assertNotExist(t, path+".lock.info")
			} else {
				var le *LockedError
				if !errors.As(err, &le) {
					t.Fatalf("error %v (%T) is not *LockedError", err, err)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error\n got: %s\nwant: %s", err, tt.wantErr)
				}
				if tt.timeout == 0 && waited > 100*time.Millisecond {
					t.Errorf("timeout 0 waited %v", waited)
				}
			}
			if got := mustRead(t, path); string(got) != string(data) {
				t.Error("locking changed the state file")
			}
		})
	}
}

func TestLockContextCancelled(t *testing.T) {
	path, _ := writeState(t, t.TempDir())
	unlock, err := NewFilesystem(path).Lock(context.Background(), holderInfo(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = NewFilesystem(path).Lock(ctx, LockInfo{}, time.Minute)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}

func TestUnlockTwice(t *testing.T) {
	path, _ := writeState(t, t.TempDir())
	s := NewFilesystem(path)
	unlock, err := s.Lock(context.Background(), holderInfo(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	// Someone else takes it; a second unlock from the first holder must
	// not remove their info.
	unlock2, err := s.Lock(context.Background(), LockInfo{ID: "second"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock2()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if info, err := s.ReadLockInfo(); err != nil || info.ID != "second" {
		t.Errorf("info after stale unlock = %+v, %v", info, err)
	}
}

func TestLockSurvivesKilledHolder(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path, data := writeState(t, t.TempDir())
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("child said %q, %v", line, err)
	}

	s := NewFilesystem(path)
	_, err = s.Lock(context.Background(), LockInfo{}, 0)
	want := fmt.Sprintf(`state is locked by child@ci-runner (pid %d, operation "apply", since `, cmd.Process.Pid)
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), ", lock ID child-lock)") {
		t.Fatalf("error = %v, want prefix %s", err, want)
	}
	if err := s.ForceUnlock("child-lock"); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ForceUnlock of a live holder = %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// The kernel dropped the lock; the dead holder's info is still there
	// and is simply replaced.
	if info, err := s.ReadLockInfo(); err != nil || info.ID != "child-lock" {
		t.Fatalf("stale info = %+v, %v", info, err)
	}
	unlock, err := s.Lock(context.Background(), LockInfo{ID: "next"}, time.Second)
	if err != nil {
		t.Fatalf("Lock after holder was killed: %v", err)
	}
	if info, err := s.ReadLockInfo(); err != nil || info.ID != "next" {
		t.Errorf("info = %+v, %v", info, err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, path); string(got) != string(data) {
		t.Error("locking changed the state file")
	}
}

func TestForceUnlock(t *testing.T) {
	tests := []struct {
		name     string
		info     string // content of the info file; "" for none
		id       string
		want     string
		keepInfo bool
	}{
		{"not locked", "", "x", "force-unlock: state %s is not locked", false},
		{"wrong id", `{"id":"abc"}`, "abd", `force-unlock: lock ID "abd" does not match the current lock ID "abc"`, true},
		{"stale", `{"id":"abc"}`, "abc", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, _ := writeState(t, t.TempDir())
			s := NewFilesystem(path)
			if tt.info != "" {
				if err := os.WriteFile(s.LockInfoPath(), []byte(tt.info), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := s.ForceUnlock(tt.id)
			want := tt.want
			if strings.Contains(want, "%s") {
				want = fmt.Sprintf(want, path)
			}
			if got := fmt.Sprint(err); (want == "" && err != nil) || (want != "" && got != want) {
				t.Errorf("err = %v, want %q", err, want)
			}
			_, statErr := os.Stat(s.LockInfoPath())
			if (statErr == nil) != tt.keepInfo {
				t.Errorf("info file present = %v, want %v", statErr == nil, tt.keepInfo)
			}
		})
	}
}
