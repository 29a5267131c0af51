package e2e

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite examples/tpch-redshift/plan-against-emulators.txt")

// TestExamplePlan plans the runbook's TPC-H migration against the test
// servers; with -update it records the plan in the example's folder, so the
// example shows a real plan.
func TestExamplePlan(t *testing.T) {
	if testing.Short() {
		t.Skip("starts every server")
	}
	c := startCloud(t, cloudOptions{})
	code, out := c.ferry(t, "plan")
	if code != 0 {
		t.Fatalf("plan exited %d\n%s", code, out)
	}
	for _, table := range []string{"customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"} {
		if !strings.Contains(out, "# migration.tpch.table.public."+table+" ") {
			t.Errorf("the plan lacks %s", table)
		}
	}
	if !strings.Contains(out, "Plan: 41 to create, 0 to replace, 0 to forget.") {
		t.Errorf("unexpected summary:\n%s", out)
	}
	if *update {
		path := filepath.Join("..", "..", "examples", "tpch-redshift", "plan-against-emulators.txt")
		if err := os.WriteFile(path, []byte("$ ferry plan\n"+out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
