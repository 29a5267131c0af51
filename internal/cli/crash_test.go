package cli

import (
	"bytes"
	"database/sql"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/state"
)

const crashConfig = `
source "duckdb" "redshift" {
  path       = "src/redshift.duckdb"
  tpch_scale = 0.01
}
bucket "local" "s3" {
  path = ".ferry/s3"
}
bucket "local" "oss" {
  path = ".ferry/oss"
}
target "duckdb" "mc" {
  path = ".ferry/maxcompute.duckdb"
}
migration "tpch" {
  from   = source.duckdb.redshift
  via    = [bucket.local.s3, bucket.local.oss]
  to     = target.duckdb.mc
  tables = ["main.*"]
  verify {
    level = "aggregates"
  }
}
`

// ferryBinary returns a path that runs this test binary as the ferry
// command (TestMain dispatches on the program name).
func ferryBinary(t *testing.T) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ferry")
	if err := os.Symlink(exe, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

func runFerry(t *testing.T, bin, dir string, args ...string) (int, string) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// TestApplyConvergesAfterSIGKILL kills apply at random moments, re-runs it
// until it completes, and checks that the target then holds exactly the
// source's data and a new plan has nothing to do. FERRY_CRASH_TRIALS sets
// the number of trials (default 3; raise it for long runs).
func TestApplyConvergesAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("crash trials take a few seconds each")
	}
	trials := 3
	if v := os.Getenv("FERRY_CRASH_TRIALS"); v != "" {
		trials, _ = strconv.Atoi(v)
	}
	bin := ferryBinary(t)
	seedDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(seedDir, "main.ferry.hcl"), []byte(crashConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	// Planning once seeds the source; a clean apply on a copy measures
	// how long an apply takes, so kill points spread over its length.
	if code, out := runFerry(t, bin, seedDir, "plan"); code != 0 {
		t.Fatalf("plan exited %d:\n%s", code, out)
	}
	cleanDir := t.TempDir()
	copyFile(t, filepath.Join(seedDir, "main.ferry.hcl"), filepath.Join(cleanDir, "main.ferry.hcl"))
	copyFile(t, filepath.Join(seedDir, "src", "redshift.duckdb"), filepath.Join(cleanDir, "src", "redshift.duckdb"))
	start := time.Now()
	if code, out := runFerry(t, bin, cleanDir, "apply", "-auto-approve"); code != 0 {
		t.Fatalf("clean apply exited %d:\n%s", code, out)
	}
	full := time.Since(start)
	seed := time.Now().UnixNano()
	t.Logf("clean apply took %s; kill seed %d", full, seed)
	rng := rand.New(rand.NewSource(seed))
	kills := 0
	coverage := map[string]int{}
	for trial := 0; trial < trials; trial++ {
		dir := t.TempDir()
		copyFile(t, filepath.Join(seedDir, "main.ferry.hcl"), filepath.Join(dir, "main.ferry.hcl"))
		copyFile(t, filepath.Join(seedDir, "src", "redshift.duckdb"), filepath.Join(dir, "src", "redshift.duckdb"))
		for attempt := 0; ; attempt++ {
			if attempt > 20 {
				t.Fatalf("trial %d: apply did not converge after %d attempts", trial, attempt)
			}
			cmd := exec.Command(bin, "apply", "-auto-approve")
			cmd.Dir = dir
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			delay := time.Duration(rng.Int63n(int64(full)))
			if attempt >= 3 {
				delay = full * 100 // let it finish
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("trial %d attempt %d: apply failed: %v\n%s", trial, attempt, err, out.String())
				}
			case <-time.After(delay):
				_ = cmd.Process.Signal(syscall.SIGKILL)
				<-done
				kills++
				// The state must always parse after a kill.
				st, err := state.NewFilesystem(filepath.Join(dir, DefaultStateFile)).Load()
				if err != nil {
					t.Fatalf("trial %d: state unreadable after SIGKILL at %s: %v", trial, delay, err)
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
		if code, out := runFerry(t, bin, dir, "plan", "-detailed-exitcode"); code != 0 {
			t.Fatalf("trial %d: plan after convergence exited %d:\n%s", trial, code, out)
		}
		assertSameData(t, filepath.Join(dir, "src", "redshift.duckdb"), filepath.Join(dir, ".ferry", "maxcompute.duckdb"))
	}
	t.Logf("%d trials, %d kills; kill points: %v", trials, kills, coverage)
}

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// assertSameData compares every TPC-H table's row count, distinct row
// count and a checksum over all columns between source and target.
func assertSameData(t *testing.T, src, dst string) {
	t.Helper()
	tables := []string{"customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"}
	q := func(path, table string) string {
		db, err := sql.Open("duckdb", path+"?access_mode=read_only")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n, distinct int64
		var sum string
		err = db.QueryRow(fmt.Sprintf(`SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT * FROM %[1]s)),
			CAST(sum(hash(t::VARCHAR)) AS VARCHAR) FROM %[1]s t`, table)).Scan(&n, &distinct, &sum)
		if err != nil {
			t.Fatalf("%s %s: %v", path, table, err)
		}
		return fmt.Sprintf("%d rows, %d distinct, %s", n, distinct, sum)
	}
	for _, table := range tables {
		if s, d := q(src, table), q(dst, table); s != d {
			t.Errorf("%s: source %s, target %s", table, s, d)
		}
	}
}
