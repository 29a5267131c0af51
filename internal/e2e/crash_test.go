package e2e

import (
	"bytes"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/internal/cli"
	"github.com/ferry-dev/ferry/state"
)

// TestCloudPathConvergesAfterSIGKILL kills `ferry apply` on the emulator
// chain at random moments — mid-unload, mid-copy, mid-load, between
// actions, during state writes — re-runs it until it completes, and checks
// that the data then equals the source and the plan is clean. Each trial
// starts from an empty state against the same servers, so it also
// exercises adopting tables ferry created before. FERRY_CRASH_TRIALS sets
// the number of trials (default 2).
func TestCloudPathConvergesAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts every server")
	}
	trials := 2
	if v := os.Getenv("FERRY_CRASH_TRIALS"); v != "" {
		trials, _ = strconv.Atoi(v)
	}
	c := startCloud(t, cloudOptions{})
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ferry")
	if err := os.Symlink(exe, bin); err != nil {
		t.Fatal(err)
	}
	run := func() *exec.Cmd {
		cmd := exec.Command(bin, "apply", "-auto-approve", "-no-color")
		cmd.Dir = c.dir
		return cmd
	}
	start := time.Now()
	if out, err := run().CombinedOutput(); err != nil {
		t.Fatalf("clean apply: %v\n%s", err, out)
	}
	full := time.Since(start)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	t.Logf("clean apply took %s; kill seed %d", full, seed)
	coverage := map[string]int{}
	kills := 0
	statePath := filepath.Join(c.dir, cli.DefaultStateFile)
	for trial := 0; trial < trials; trial++ {
		for _, f := range []string{statePath, statePath + ".backup", filepath.Join(c.dir, "ferry.state.history.jsonl")} {
			os.Remove(f)
		}
		for attempt := 0; ; attempt++ {
			if attempt > 15 {
				t.Fatalf("trial %d did not converge", trial)
			}
			cmd := run()
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			delay := time.Duration(rng.Int63n(int64(full)))
			if attempt >= 3 {
				delay = 100 * full
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("trial %d attempt %d: %v\n%s", trial, attempt, err, out.String())
				}
			case <-time.After(delay):
				_ = cmd.Process.Signal(syscall.SIGKILL)
				<-done
				kills++
				st, err := state.NewFilesystem(statePath).Load()
				if err != nil {
					t.Fatalf("state unreadable after SIGKILL: %v", err)
				}
				point := "before the first action"
				if st != nil {
					point = "between actions"
					for _, r := range st.Resources {
						if r.Status == state.StatusRunning {
							point = "mid-" + r.Kind
							break
						}
					}
				}
				coverage[point]++
				continue
			}
			break
		}
		if code, out := c.ferry(t, "plan", "-detailed-exitcode"); code != 0 {
			t.Fatalf("trial %d: plan after convergence exited %d\n%s", trial, code, out)
		}
		c.checkCounts(t, tpch(t))
	}
	t.Logf("%d trials, %d kills; kill points: %v", trials, kills, coverage)
}
