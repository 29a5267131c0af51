package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/state"
)

// lockConfig is the smallest useful migration: one small table through
// one local bucket into a DuckDB target.
const lockConfig = `
source "duckdb" "redshift" {
  path       = "src.duckdb"
  tpch_scale = 0.01
}
bucket "local" "s3" {
  path = "s3"
}
target "duckdb" "mc" {
  path = "mc.duckdb"
}
migration "m" {
  from   = source.duckdb.redshift
  via    = [bucket.local.s3]
  to     = target.duckdb.mc
  tables = ["main.region"]
}
`

// ferryRun is one finished ferry process.
type ferryRun struct {
	args []string
	code int
	out  string
	took time.Duration
}

// runConcurrently starts one ferry process per element of argv at once
// and waits for all of them.
func runConcurrently(t *testing.T, bin, dir string, argv [][]string) []ferryRun {
	t.Helper()
	runs := make([]ferryRun, len(argv))
	var wg sync.WaitGroup
	for i, args := range argv {
		wg.Go(func() {
			start := time.Now()
			code, out := runFerry(t, bin, dir, args...)
			runs[i] = ferryRun{args: args, code: code, out: out, took: time.Since(start)}
		})
	}
	wg.Wait()
	return runs
}

var applyComplete = regexp.MustCompile(`Apply complete! (\d+) actions done\.`)

// TestConcurrentRunsShareOneState starts many ferry processes on one state.
// While another holder has the lock, every plan and apply fails at once
// naming it; once it is released, concurrent applies that wait for the
// lock run one at a time: the first does the work, the rest find nothing
// to do, and the history holds each action exactly once.
func TestConcurrentRunsShareOneState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 120 ferry processes")
	}
	bin := ferryBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ferry.hcl"), []byte(lockConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	// The first plan seeds the source; contending processes must not
	// race to do that.
	if code, out := runFerry(t, bin, dir, "plan"); code != 0 {
		t.Fatalf("seeding plan exited %d:\n%s", code, out)
	}
	statePath := filepath.Join(dir, DefaultStateFile)
	fs := state.NewFilesystem(statePath)

	unlock, err := fs.Lock(context.Background(), state.LockInfo{Operation: "apply", Who: "holder", Host: "lock-test"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	const contenders = 100
	var argv [][]string
	for i := range contenders {
		if i%10 == 0 {
			argv = append(argv, []string{"apply", "-auto-approve", "--lock-timeout", "0"})
		} else {
			argv = append(argv, []string{"plan", "--lock-timeout", "0"})
		}
	}
	start := time.Now()
	runs := runConcurrently(t, bin, dir, argv)
	locked := time.Since(start)
	var slowest time.Duration
	for _, r := range runs {
		slowest = max(slowest, r.took)
		if r.code != ExitError || !strings.Contains(r.out, "state is locked by holder@lock-test (pid "+strconv.Itoa(os.Getpid())) {
			t.Errorf("ferry %s while locked: exit %d, want %d naming the holder:\n%s",
				strings.Join(r.args, " "), r.code, ExitError, r.out)
		}
	}
	t.Logf("%d runs refused in %s (slowest process %s)", contenders, locked, slowest)
	// Each process fails on its first try; the total is process start-up
	// on a loaded machine, not waiting.
	if locked > 10*time.Second {
		t.Errorf("%d refused runs took %s: they did not fail fast", contenders, locked)
	}
	if _, err := os.Stat(statePath); err == nil {
		t.Error("a refused run wrote the state")
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}

	const appliers = 20
	argv = argv[:0]
	for range appliers {
		argv = append(argv, []string{"apply", "-auto-approve", "--lock-timeout", "60s"})
	}
	start = time.Now()
	runs = runConcurrently(t, bin, dir, argv)
	t.Logf("%d waiting applies finished in %s", appliers, time.Since(start))
	winners, actions := 0, 0
	for _, r := range runs {
		if r.code != 0 {
			t.Errorf("waiting apply exited %d:\n%s", r.code, r.out)
			continue
		}
		if m := applyComplete.FindStringSubmatch(r.out); m != nil {
			winners++
			actions, _ = strconv.Atoi(m[1])
		} else if !strings.Contains(r.out, plan.NoChangesMessage) {
			t.Errorf("apply neither applied nor found no changes:\n%s", r.out)
		}
	}
	if winners != 1 {
		t.Fatalf("%d applies did the work, want exactly 1", winners)
	}

	st, err := fs.Load()
	if err != nil || st == nil {
		t.Fatalf("state after concurrent applies: %v", err)
	}
	for _, r := range st.Resources {
		if r.Status != state.StatusDone {
			t.Errorf("%s is %s, want done", r.Addr, r.Status)
		}
	}
	recs, err := state.ReadHistory(filepath.Join(dir, "ferry.state.history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := state.VerifyChain(recs); err != nil {
		t.Errorf("history chain: %v", err)
	}
	if len(recs) != actions || len(recs) != len(st.Resources) {
		t.Errorf("history has %d records, the winner did %d actions, the state has %d resources",
			len(recs), actions, len(st.Resources))
	}
	seen := map[string]bool{}
	for _, rec := range recs {
		if seen[rec.Addr] {
			t.Errorf("%s ran twice", rec.Addr)
		}
		seen[rec.Addr] = true
		if rec.PlanID != recs[0].PlanID {
			t.Errorf("%s ran under plan %s, the first action under %s: two applies did work", rec.Addr, rec.PlanID, recs[0].PlanID)
		}
		if rec.Result != "ok" {
			t.Errorf("%s: result %q", rec.Addr, rec.Result)
		}
	}
	if code, out := runFerry(t, bin, dir, "plan", "-detailed-exitcode"); code != 0 {
		t.Errorf("plan after the applies exited %d:\n%s", code, out)
	}
}
