package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/executor"
	"github.com/ferry-dev/ferry/internal/cli"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/state"
	"github.com/ferry-dev/ferry/verify"
)

const (
	migration = "migration.tpch"
	// q1Addr is the custom query's resource.
	q1Addr = migration + ".query.tpch_q1"
)

// tableAddr is the address of one step of a TPC-H table's chain.
func tableAddr(table, step string) string {
	return migration + ".table.public." + table + "." + step
}

// TestTPCHCloudPath migrates the eight TPC-H tables from PostgreSQL behind
// the Redshift front to the MaxCompute emulator with `ferry apply`, then
// checks both sides independently of ferry.
func TestTPCHCloudPath(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and versitygw and migrates TPC-H")
	}
	c := startCloud(t, cloudOptions{})
	tables := tpch(t)

	code, out := c.ferry(t, "apply", "-auto-approve")
	if code != cli.ExitOK {
		t.Fatalf("apply exited %d:\n%s", code, out)
	}
	st := c.state(t)
	var total int64
	for _, tb := range tables {
		out, rep := c.verifyReport(t, st, tableAddr(tb.name, "verify"))
		if !out.Passed || out.Level != "aggregates" || out.SourceChanged || len(out.Failed) > 0 {
			t.Errorf("%s: verification passed=%v level=%s source_changed=%v: %s", tb.name, out.Passed, out.Level, out.SourceChanged, out.Summary)
		}
		if !rep.Passed || countChecks(rep, "aggregates:") == 0 || countChecks(rep, "count") != 1 {
			t.Errorf("%s: the full report shows no passed count and aggregates:\n%s", tb.name, rep.Summary())
		}
		total += tb.rows
	}
	q1, q1Rep := c.verifyReport(t, st, q1Addr)
	if !q1.Passed || !q1Rep.Passed || countChecks(q1Rep, "query:tpch_q1") != 1 {
		t.Errorf("TPC-H Q1 differs between the two sides: %s", q1.Summary)
	}
	t.Logf("apply migrated %d rows in %d tables", total, len(tables))

	// Both sides, asked directly.
	c.checkCounts(t, tables)
	for _, tb := range tables {
		if got := c.pgValue(t, "SELECT count(*)::text FROM public."+tb.name); got != strconv.FormatInt(tb.rows, 10) {
			t.Errorf("%s: %s rows in PostgreSQL, %d generated", tb.name, got, tb.rows)
		}
	}
	if c.locations.opened() == 0 {
		t.Error("the MaxCompute emulator loaded nothing through OSS")
	}

	// The UNLOAD manifest sits beside the loaded folder, never in it.
	for _, tb := range tables {
		checkManifestOutsideLoad(t, c, st, tb.name)
	}

	// Nothing left to do.
	code, planOut := c.ferry(t, "plan", "-detailed-exitcode")
	if code != cli.ExitOK {
		t.Errorf("plan -detailed-exitcode after apply exited %d, want 0:\n%s", code, planOut)
	}

	// No secret written down or printed.
	c.checkNoSecrets(t, map[string]string{"apply output": out, "plan output": planOut})
}

// checkCounts compares, outside ferry, each table's row count and
// lineitem's SUM(l_extendedprice) in PostgreSQL and in MaxCompute.
func (c *cloud) checkCounts(t *testing.T, tables []tpchTable) {
	t.Helper()
	tg := c.mcTarget(t)
	for _, tb := range tables {
		src := c.pgValue(t, "SELECT count(*)::text FROM public."+tb.name)
		dst := c.mcValue(t, tg, "SELECT COUNT(*) FROM `"+tb.name+"`")
		if src != dst {
			t.Errorf("%s: %s rows in PostgreSQL, %s in MaxCompute", tb.name, src, dst)
		}
	}
	srcSum := c.pgValue(t, "SELECT sum(l_extendedprice)::text FROM public.lineitem")
	dstSum := c.mcValue(t, tg, "SELECT SUM(`l_extendedprice`) FROM `lineitem`")
	if srcSum != dstSum {
		t.Errorf("SUM(l_extendedprice): %s in PostgreSQL, %s in MaxCompute", srcSum, dstSum)
	}
	t.Logf("SUM(l_extendedprice) = %s on both sides", srcSum)
}

// state reads the state file, failing the test when it does not parse.
func (c *cloud) state(t *testing.T) *state.File {
	t.Helper()
	st, err := state.NewFilesystem(filepath.Join(c.dir, cli.DefaultStateFile)).Load()
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	if st == nil {
		t.Fatal("no state written")
	}
	return st
}

// resource returns a resource of the state, failing when it is missing.
func resource(t *testing.T, st *state.File, addr string) *state.Resource {
	t.Helper()
	r := st.Resources[addr]
	if r == nil {
		t.Fatalf("state has no %s; it has %s", addr, strings.Join(st.Addrs(), ", "))
	}
	return r
}

// verifyReport returns the verdict a verify or query resource recorded in
// the state, which must be done, and the full report its last run wrote
// to the history.
func (c *cloud) verifyReport(t *testing.T, st *state.File, addr string) (executor.VerifyOutput, verify.Report) {
	t.Helper()
	r := resource(t, st, addr)
	if r.Status != state.StatusDone {
		t.Errorf("%s is %s: %s", addr, r.Status, r.Error)
	}
	var out executor.VerifyOutput
	if err := json.Unmarshal(r.Output, &out); err != nil {
		t.Fatalf("%s output: %v", addr, err)
	}
	var rep verify.Report
	recs := c.history(t)
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Addr == addr {
			if err := json.Unmarshal(recs[i].Details, &rep); err != nil {
				t.Fatalf("%s history details: %v", addr, err)
			}
			return out, rep
		}
	}
	t.Fatalf("no history record of %s", addr)
	return out, rep
}

// history reads the audit history, checking its hash chain.
func (c *cloud) history(t *testing.T) []state.Record {
	t.Helper()
	recs, err := state.NewFilesystem(filepath.Join(c.dir, cli.DefaultStateFile)).ReadHistory()
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if err := state.VerifyChain(recs); err != nil {
		t.Fatalf("history: %v", err)
	}
	return recs
}

func countChecks(rep verify.Report, prefix string) int {
	n := 0
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.Name, prefix) && c.Passed {
			n++
		}
	}
	return n
}

var locationRE = regexp.MustCompile(`FROM LOCATION '([^']+)'`)

// checkManifestOutsideLoad checks, for one table, that the LOAD location
// is the unload's data folder as copied to OSS, that the manifest is not
// under it (in the state and in OSS), and that the folder holds exactly
// the manifest's Parquet files.
func checkManifestOutsideLoad(t *testing.T, c *cloud, st *state.File, table string) {
	t.Helper()
	var u executor.UnloadOutput
	if err := json.Unmarshal(resource(t, st, tableAddr(table, "unload")).Output, &u); err != nil {
		t.Fatal(err)
	}
	if u.Manifest == "" || u.DataPrefix == "" || strings.HasPrefix(u.Manifest, u.DataPrefix) {
		t.Errorf("%s: manifest %q is inside the data folder %q", table, u.Manifest, u.DataPrefix)
	}
	var l provider.LoadResult
	if err := json.Unmarshal(resource(t, st, tableAddr(table, "load")).Output, &l); err != nil {
		t.Fatal(err)
	}
	m := locationRE.FindStringSubmatch(strings.Join(l.Statements, "\n"))
	if m == nil {
		t.Fatalf("%s: no LOAD … FROM LOCATION among %q", table, l.Statements)
	}
	names, err := c.locations.List(t.Context(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != u.Files || len(names) == 0 {
		t.Errorf("%s: %d objects under the LOAD location %s, the manifest lists %d files", table, len(names), m[1], u.Files)
	}
	for _, n := range names {
		if strings.Contains(n, "manifest") || !strings.HasSuffix(n, ".parquet") {
			t.Errorf("%s: LOAD location %s holds %q", table, m[1], n)
		}
	}
	// The manifest itself was copied next to the data folder.
	manifestKey := "from_redshift/" + strings.TrimPrefix(u.Manifest, "unload_from_redshift/")
	if _, ok := c.oss.Object(landingBucket, manifestKey); !ok {
		t.Logf("%s: no manifest at oss://%s/%s (not copied)", table, landingBucket, manifestKey)
	}
}

// checkNoSecrets greps the state, its backup, the history and the given
// outputs for every secret, and for the extra ones.
func (c *cloud) checkNoSecrets(t *testing.T, outputs map[string]string, extra ...string) {
	t.Helper()
	texts := map[string]string{}
	for k, v := range outputs {
		texts[k] = v
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), "ferry.state") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(c.dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		texts[e.Name()] = string(b)
		files++
	}
	if files < 2 {
		t.Errorf("expected the state and its history in %s, found %d ferry.state* files", c.dir, files)
	}
	for name, text := range texts {
		for _, s := range append(c.secrets(), extra...) {
			if strings.Contains(text, s) {
				t.Errorf("%s contains the secret %q", name, s)
			}
		}
	}
}
