package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/state/remote"
)

// TestConcurrentAppliesOnRemoteState runs several applies at once against
// one state kept in S3 (a real S3 server): one runs, every other one fails
// fast naming the holder, and the state stays intact and complete.
func TestConcurrentAppliesOnRemoteState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an S3 server and runs applies")
	}
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, "team-state")
	bin := ferryBinary(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`
variable "state_secret" {
  type      = string
  sensitive = true
}
source "duckdb" "src" {
  path       = "src.duckdb"
  tpch_scale = 0.01
}
bucket "local" "s3" {
  path = "s3"
}
target "duckdb" "mc" {
  path = "mc.duckdb"
}
backend "s3" {
  bucket     = "team-state"
  key        = "ferry/tpch.state.json"
  endpoint   = %q
  region     = %q
  path_style = true
  access_key = %q
  secret_key = var.state_secret
}
migration "m" {
  from   = source.duckdb.src
  via    = [bucket.local.s3]
  to     = target.duckdb.mc
  tables = ["main.nation", "main.region", "main.supplier"]
}
`, srv.Endpoint, srv.Region, srv.AccessKey)
	if err := os.WriteFile(filepath.Join(dir, "main.ferry.hcl"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FERRY_VAR_state_secret", srv.SecretKey)
	if code, out := runFerry(t, bin, dir, "validate"); code != 0 {
		t.Fatalf("validate: %d\n%s", code, out)
	}
	// Seed the source once so every apply below does the same work.
	if code, out := runFerry(t, bin, dir, "plan"); code != 0 {
		t.Fatalf("plan: %d\n%s", code, out)
	}

	const n = 4
	var wg sync.WaitGroup
	codes := make([]int, n)
	outs := make([]string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i], outs[i] = runFerry(t, bin, dir, "apply", "-auto-approve")
		}(i)
	}
	wg.Wait()
	won := 0
	for i := 0; i < n; i++ {
		switch {
		case codes[i] == 0 && strings.Contains(outs[i], "Apply complete!"):
			won++
		case codes[i] == 0 && strings.Contains(outs[i], "No changes."):
			// Started after the winner finished: nothing left to do.
		case codes[i] == 1 && strings.Contains(outs[i], "state is locked by") && strings.Contains(outs[i], `operation "apply"`):
		default:
			t.Errorf("apply %d: exit %d\n%s", i, codes[i], outs[i])
		}
		if strings.Contains(outs[i], srv.SecretKey) {
			t.Errorf("apply %d printed the state backend's secret", i)
		}
	}
	if won != 1 {
		t.Fatalf("%d applies completed work, want exactly 1", won)
	}
	be, err := remote.NewS3(context.Background(), remote.S3Config{
		Bucket: "team-state", Key: "ferry/tpch.state.json", Endpoint: srv.Endpoint, Region: srv.Region,
		PathStyle: true, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := be.Load()
	if err != nil || st == nil {
		t.Fatalf("remote state after the race: %v", err)
	}
	if len(st.Resources) != 15 {
		t.Errorf("remote state has %d resources, want 15", len(st.Resources))
	}
	recs, err := be.ReadHistory()
	if err != nil || len(recs) != 15 {
		t.Errorf("remote history: %d records, %v; want 15", len(recs), err)
	}
	if _, err := os.Stat(filepath.Join(dir, DefaultStateFile)); err == nil {
		t.Error("a local state file was written although the backend is remote")
	}
	if code, out := runFerry(t, bin, dir, "plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the race: %d\n%s", code, out)
	}
	// With a lock timeout, waiting runs succeed one after another.
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i], outs[i] = runFerry(t, bin, dir, "apply", "-auto-approve", "-lock-timeout", "60s", "-replace", "migration.m.table.main.region")
		}(i)
	}
	wg.Wait()
	for i := 0; i < 2; i++ {
		if codes[i] != 0 {
			t.Errorf("waiting apply %d: exit %d\n%s", i, codes[i], outs[i])
		}
	}
}
