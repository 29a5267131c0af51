// Command planscale measures `ferry plan` on generated configurations of
// many tables against OpenTofu planning the same number of terraform_data
// resources with a state of the same size. Run it through bench/plan-scale.sh,
// which builds both binaries.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ferry-dev/ferry/bench/internal/measure"
	"github.com/ferry-dev/ferry/provider/local"
)

func main() {
	ferry := flag.String("ferry", "", "ferry binary")
	tofu := flag.String("tofu", "", "OpenTofu binary (empty: skip the baseline)")
	work := flag.String("work", filepath.Join(os.TempDir(), "ferry-bench", "plan-scale"), "working directory (generated sources, states)")
	sizes := flag.String("tables", "1000,10000", "comma-separated table counts")
	runs := flag.Int("runs", 3, "timed runs per measurement")
	flag.DurationVar(&tofuTimeout, "tofu-timeout", 15*time.Minute, "give up on an OpenTofu plan after this long")
	flag.IntVar(&tofuRuns, "tofu-runs", 0, "timed runs of OpenTofu (0: -runs)")
	flag.IntVar(&realApplyMax, "real-apply-max", 0, "converge with a real full apply up to this many tables; above, synthesize the state")
	applyTimeout := flag.Duration("apply-timeout", 5*time.Minute, "give up on the real apply after this long and synthesize the state")
	prepare := flag.Bool("prepare", false, "only create the sources and configurations (for profiling by hand)")
	flag.Parse()
	prepareOnly = *prepare
	if *ferry == "" && !prepareOnly {
		fail(errors.New("-ferry is required"))
	}
	fmt.Printf("machine: %s\n\n", measure.Machine())
	var rows [][]string
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			fail(err)
		}
		r, err := bench(*ferry, *tofu, filepath.Join(*work, strconv.Itoa(n)), n, *runs, *applyTimeout)
		if err != nil {
			fail(err)
		}
		rows = append(rows, r)
	}
	if prepareOnly {
		return
	}
	fmt.Println()
	measure.Table(os.Stdout, []string{"tables", "resources", "ferry state", "ferry -refresh=false", "RSS", "ferry (refresh)", "RSS", "tofu -refresh=false", "RSS", "tofu state", "tofu/ferry time / RSS (both -refresh=false)", "ferry state from"}, rows)
}

var (
	prepareOnly  bool
	tofuRuns     int
	tofuTimeout  time.Duration
	realApplyMax int
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, "planscale:", err)
	os.Exit(1)
}

func bench(ferry, tofu, dir string, n, runs int, applyTimeout time.Duration) ([]string, error) {
	fmt.Printf("== %d tables (%d resources) in %s\n", n, 5*n, dir)
	fdir := filepath.Join(dir, "ferry")
	if err := os.MkdirAll(filepath.Join(fdir, ".ferry"), 0o755); err != nil {
		return nil, err
	}
	src := filepath.Join(fdir, ".ferry", "source.duckdb")
	if _, err := os.Stat(src); err != nil {
		t0 := time.Now()
		if err := makeSource(src, n); err != nil {
			return nil, err
		}
		fmt.Printf("source: %d tables created in %s\n", n, measure.Secs(time.Since(t0)))
	}
	if err := os.WriteFile(filepath.Join(fdir, "main.ferry.hcl"), []byte(ferryConfig), 0o644); err != nil {
		return nil, err
	}
	if prepareOnly {
		return nil, nil
	}
	stateFrom := "cached"
	statePath := filepath.Join(fdir, "ferry.state.json")
	if _, err := os.Stat(statePath); err != nil {
		if n <= realApplyMax {
			s, err := applyOnce(ferry, fdir, applyTimeout)
			if err != nil {
				return nil, err
			}
			stateFrom = fmt.Sprintf("real apply %s, %s RSS", measure.Secs(s.Wall), measure.MiB(s.MaxRSS))
		} else {
			if err := synthesize(ferry, fdir, n); err != nil {
				return nil, err
			}
			stateFrom = "synthesized"
		}
		if err := os.WriteFile(filepath.Join(fdir, "state-from.txt"), []byte(stateFrom), 0o644); err != nil {
			return nil, err
		}
	} else if b, err := os.ReadFile(filepath.Join(fdir, "state-from.txt")); err == nil {
		stateFrom = string(b) + " (cached)"
	}
	st, _ := os.Stat(statePath)
	// Generating a source writes gigabytes; their writeback must not run
	// during the timed plans.
	syscall.Sync()
	// Both plans must find nothing to do: the benchmark measures a no-op
	// plan of a converged state, as users run it daily.
	noRefresh := measure.Cmd{Path: ferry, Args: []string{"plan", "-no-color", "-detailed-exitcode", "-refresh=false"}, Dir: fdir}
	refresh := measure.Cmd{Path: ferry, Args: []string{"plan", "-no-color", "-detailed-exitcode"}, Dir: fdir}
	for _, c := range []measure.Cmd{noRefresh, refresh} {
		if _, err := measure.Run(c); err != nil {
			return nil, fmt.Errorf("ferry plan is not a no-op: %w", err)
		}
	}
	nr, err := measure.Repeat("ferry plan -refresh=false", runs, nil, noRefresh)
	if err != nil {
		return nil, err
	}
	report(nr)
	rf, err := measure.Repeat("ferry plan", runs, nil, refresh)
	if err != nil {
		return nil, err
	}
	report(rf)
	row := []string{strconv.Itoa(n), strconv.Itoa(5 * n), measure.MiB(st.Size()),
		measure.Secs(nr.Wall()), measure.MiB(nr.RSS()), measure.Secs(rf.Wall()), measure.MiB(rf.RSS()),
		"-", "-", "-", "-", stateFrom}
	if tofu == "" {
		return row, nil
	}
	tdir := filepath.Join(dir, "tofu-blocks")
	if err := tofuSetup(tofu, tdir, 5*n); err != nil {
		return nil, err
	}
	tplan := measure.Cmd{Path: tofu, Args: []string{"plan", "-refresh=false", "-input=false", "-no-color", "-detailed-exitcode"}, Dir: tdir, Env: tofuEnv}
	if tofuRuns <= 0 {
		tofuRuns = runs
	}
	ts := measure.Series{Name: "tofu plan -refresh=false"}
	for range tofuRuns {
		smp, err := measure.RunTimeout(tplan, tofuTimeout)
		if err != nil {
			if smp.Wall >= tofuTimeout {
				fmt.Printf("tofu plan -refresh=false: killed after %s\n", measure.Secs(smp.Wall))
				row[7] = "> " + measure.Secs(tofuTimeout)
				row[10] = "> " + measure.Ratio(tofuTimeout.Seconds(), nr.Wall().Seconds())
				return row, nil
			}
			return nil, err
		}
		ts.Samples = append(ts.Samples, smp)
	}
	report(ts)
	tst, _ := os.Stat(filepath.Join(tdir, "terraform.tfstate"))
	row[7], row[8], row[9] = measure.Secs(ts.Wall()), measure.MiB(ts.RSS()), measure.MiB(tst.Size())
	row[10] = measure.Ratio(ts.Wall().Seconds(), nr.Wall().Seconds()) + " / " + measure.Ratio(float64(ts.RSS()), float64(nr.RSS()))
	return row, nil
}

func report(s measure.Series) {
	fmt.Printf("%-26s median %s, peak RSS %s (runs: %s s)\n", s.Name+":", measure.Secs(s.Wall()), measure.MiB(s.RSS()), strings.Join(walls(s), ", "))
}

func walls(s measure.Series) []string {
	var out []string
	for _, x := range s.Samples {
		out = append(out, fmt.Sprintf("%.3f", x.Wall.Seconds()))
	}
	return out
}

const ferryConfig = `# Generated by bench/cmd/planscale.
source "duckdb" "redshift" {
  path = ".ferry/source.duckdb"
}

bucket "local" "s3_unload" {
  path   = ".ferry/s3"
  prefix = "unload"
}

bucket "local" "oss_landing" {
  path   = ".ferry/oss"
  prefix = "landing"
}

target "duckdb" "maxcompute" {
  path = ".ferry/target.duckdb"
}

migration "many" {
  from   = source.duckdb.redshift
  via    = [bucket.local.s3_unload, bucket.local.oss_landing]
  to     = target.duckdb.maxcompute
  copy   = { engine = "stream" }
  tables = ["main.*"]

  verify {
    level = "count"
  }
}
`

// makeSource creates n small tables (three columns, two rows) in one
// transaction. The name column declares a Redshift VARCHAR(32) in its
// comment, the way provider/local reads declared types.
func makeSource(path string, n int) error {
	tmp := path + ".tmp"
	os.Remove(tmp)
	os.Remove(tmp + ".wal")
	// In the format of the files ferry creates (the quickstart's source
	// and every local target), set the way ferry sets it: see
	// local.StorageVersion.
	db, err := sql.Open("duckdb", tmp+"?storage_compatibility_version="+local.StorageVersion)
	if err != nil {
		return err
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	var b strings.Builder
	for i := range n {
		t := fmt.Sprintf("t%06d", i)
		fmt.Fprintf(&b, "CREATE TABLE main.%s (id INTEGER NOT NULL, name VARCHAR, amount DECIMAL(12,2));\n", t)
		fmt.Fprintf(&b, "COMMENT ON COLUMN main.%s.name IS 'VARCHAR(32)';\n", t)
		fmt.Fprintf(&b, "INSERT INTO main.%s VALUES (1, 'a%d', 1.25), (2, NULL, %d.50);\n", t, i, i)
		if (i+1)%200 == 0 || i == n-1 {
			if _, err := conn.ExecContext(ctx, b.String()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return err
	}
	conn.Close()
	if err := db.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// applyOnce converges the state with a real apply, timed.
func applyOnce(ferry, dir string, timeout time.Duration) (measure.Sample, error) {
	fmt.Printf("apply: running ferry apply -auto-approve (timeout %s)\n", timeout)
	log, err := os.Create(filepath.Join(dir, "apply.log"))
	if err != nil {
		return measure.Sample{}, err
	}
	defer log.Close()
	s, err := measure.RunTimeout(measure.Cmd{Path: ferry, Args: []string{"apply", "-auto-approve", "-no-color"}, Dir: dir, Stdout: log}, timeout)
	if err != nil {
		return s, fmt.Errorf("apply: %w", err)
	}
	fmt.Printf("apply: %s, peak RSS %s\n", measure.Secs(s.Wall), measure.MiB(s.MaxRSS))
	return s, nil
}

var tofuEnv = []string{"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_CLI_CONFIG_FILE=/dev/null"}

// tofuSetup writes a configuration of n terraform_data resources and a
// matching synthesized v4 state, then checks that the plan is a no-op.
func tofuSetup(tofu, dir string, n int) error {
	if _, err := os.Stat(filepath.Join(dir, "terraform.tfstate")); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// One resource block per resource, five per table as ferry has. A
	// single block with count = n is not what a configuration of distinct
	// steps looks like, and OpenTofu plans it far slower (5,000 instances:
	// 39.4 s with count, 2.75 s as blocks on this machine).
	var cfg strings.Builder
	for i := range n {
		fmt.Fprintf(&cfg, "resource \"terraform_data\" %q {\n  input = %q\n}\n", tofuName(i), tofuInput(i))
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	if err := writeTofuState(filepath.Join(dir, "terraform.tfstate"), n); err != nil {
		return err
	}
	if _, err := measure.Run(measure.Cmd{Path: tofu, Args: []string{"init", "-input=false", "-no-color"}, Dir: dir, Env: tofuEnv}); err != nil {
		return err
	}
	// No separate no-op check: every timed run uses -detailed-exitcode, so
	// a plan with changes fails the benchmark.
	return nil
}

// tofuKinds are the five resources of one table.
var tofuKinds = [...]string{"unload", "copy", "table", "load", "verify"}

// tofuName is the name of the i-th terraform_data resource: t000012_copy.
func tofuName(i int) string { return fmt.Sprintf("t%06d_%s", i/5, tofuKinds[i%5]) }

// tofuInput is its input, the table it belongs to.
func tofuInput(i int) string { return fmt.Sprintf("main.t%06d", i/5) }

func writeTofuState(path string, n int) error {
	type dyn struct {
		Value string `json:"value"`
		Type  string `json:"type"`
	}
	type instance struct {
		SchemaVersion int            `json:"schema_version"`
		Attributes    map[string]any `json:"attributes"`
		Sensitive     []any          `json:"sensitive_attributes"`
	}
	resources := make([]any, n)
	for i := range resources {
		v := dyn{Value: tofuInput(i), Type: "string"}
		resources[i] = map[string]any{
			"mode": "managed", "type": "terraform_data", "name": tofuName(i),
			"provider": `provider["terraform.io/builtin/terraform"]`,
			"instances": []instance{{Attributes: map[string]any{
				"id":               fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
				"input":            v,
				"output":           v,
				"triggers_replace": nil,
			}, Sensitive: []any{}}},
		}
	}
	st := map[string]any{
		"version":           4,
		"terraform_version": "1.12.6",
		"serial":            1,
		"lineage":           "5f0c1b9e-0000-4000-8000-000000000000",
		"outputs":           map[string]any{},
		"resources":         resources,
		"check_results":     nil,
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(st); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
