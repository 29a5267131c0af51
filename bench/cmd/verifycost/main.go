// Command verifycost times the SQL that package verify generates for one
// table (the count, aggregates and fingerprint statements, taken from a
// real verify.Run report) against one plain full scan of the same table,
// on the target and on the source database. Run it through
// bench/verify-cost.sh, which prepares lineitem at TPC-H scale 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ferry-dev/ferry/bench/internal/measure"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
	"github.com/ferry-dev/ferry/verify"
)

func main() {
	srcPath := flag.String("source", "", "source DuckDB file")
	dstPath := flag.String("target", "", "target DuckDB file")
	table := flag.String("table", "lineitem", "table to verify")
	runs := flag.Int("runs", 5, "timed runs per statement")
	flag.Parse()
	if err := run(*srcPath, *dstPath, *table, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "verifycost:", err)
		os.Exit(1)
	}
}

func run(srcPath, dstPath, table string, runs int) error {
	ctx := context.Background()
	fmt.Printf("machine: %s\n", measure.Machine())
	src, err := local.OpenSource(srcPath, 0)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := local.OpenTarget(dstPath)
	if err != nil {
		return err
	}
	defer dst.Close()
	tts, err := dst.Tables(ctx)
	if err != nil {
		return err
	}
	var tt *provider.TargetTable
	for i := range tts {
		if strings.EqualFold(tts[i].Name, table) {
			tt = &tts[i]
		}
	}
	if tt == nil {
		return fmt.Errorf("target has no table %s", table)
	}
	check := verify.TableCheck{SourceTable: "main." + table, TargetTable: table, Level: verify.LevelFingerprint,
		ManifestRows: -1, SourceRowsAtUnload: -1, TargetColumns: tt.Columns}
	var cols []string
	for _, c := range tt.Columns {
		check.Columns = append(check.Columns, verify.ColumnPair{Source: c.Name, Target: c.Name, Type: verify.FamilyOf(c.Type), TargetType: c.Type})
		cols = append(cols, fmt.Sprintf("%q", c.Name))
	}
	t0 := time.Now()
	rep, err := verify.Run(ctx, src, dst, check, nil)
	if err != nil {
		return err
	}
	fmt.Printf("verify.Run at level fingerprint on %s (%d columns, rows %s): passed=%v in %s (both sides, sequential)\n",
		table, len(cols), rowsOf(rep), rep.Passed, measure.Secs(time.Since(t0)))
	if !rep.Passed {
		return fmt.Errorf("verification failed: %s", rep.Summary())
	}
	// Group the report's statements by check and side.
	type key struct{ class, side string }
	stmts := map[key][]string{}
	var order []key
	for _, s := range rep.Statements {
		k := key{classify(s.SQL), s.Side}
		if _, ok := stmts[k]; !ok {
			order = append(order, k)
		}
		stmts[k] = append(stmts[k], s.SQL)
	}
	baseline := fmt.Sprintf("SELECT count(*), sum(hash(l_comment)) FROM %s", table)
	wide := fmt.Sprintf("SELECT count(*), sum(hash(%s)) FROM %s", strings.Join(cols, ", "), table)
	for _, side := range []string{"source", "target"} {
		q := provider.Querier(dst)
		name := table
		if side == "source" {
			q, name = src, "main."+table
		}
		b := strings.Replace(baseline, "FROM "+table, "FROM "+name, 1)
		w := strings.Replace(wide, "FROM "+table, "FROM "+name, 1)
		base, err := timeSQL(ctx, q, []string{b}, runs)
		if err != nil {
			return err
		}
		wideT, err := timeSQL(ctx, q, []string{w}, runs)
		if err != nil {
			return err
		}
		fmt.Printf("\n%s side (%s):\n", side, name)
		rows := [][]string{
			{"baseline: count(*), sum(hash(l_comment))", "1", measure.Secs(base), "1.00x", "-"},
			{"all-column scan: count(*), sum(hash(all columns))", "1", measure.Secs(wideT), measure.Ratio(wideT.Seconds(), base.Seconds()), "-"},
		}
		for _, k := range order {
			if k.side != side {
				continue
			}
			d, err := timeSQL(ctx, q, stmts[k], runs)
			if err != nil {
				return err
			}
			target := "-"
			switch k.class {
			case "aggregates":
				target = "<= 1.5x"
			case "fingerprint":
				target = "<= 3x"
			}
			rows = append(rows, []string{"verify " + k.class, fmt.Sprint(len(stmts[k])), measure.Secs(d), measure.Ratio(d.Seconds(), base.Seconds()), target})
		}
		measure.Table(os.Stdout, []string{"statement(s)", "n", "median", "vs baseline", "target"}, rows)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		fmt.Printf("\npeak RSS of this process (DuckDB both sides): %s\n", measure.MiB(int64(ru.Maxrss)*1024))
	}
	if os.Getenv("VERIFYCOST_SQL") != "" {
		for _, k := range order {
			fmt.Printf("\n-- %s / %s\n%s\n", k.class, k.side, strings.Join(stmts[k], ";\n"))
		}
	}
	return nil
}

func rowsOf(r *verify.Report) string {
	for _, c := range r.Checks {
		if c.Name == "count" {
			return c.Target
		}
	}
	return "?"
}

// classify names the check a statement belongs to by its shape.
func classify(sql string) string {
	s := strings.ToUpper(sql)
	switch {
	case strings.Contains(s, "WHERE 1 = 0"):
		return "schema"
	case strings.Contains(s, "ROW_COUNT"):
		return "count"
	case strings.Contains(s, "HASH") || strings.Contains(s, "MD5") || strings.Contains(s, "BUCKET"):
		return "fingerprint"
	case strings.Contains(s, " AS M0"):
		return "aggregates"
	}
	return "other"
}

// timeSQL runs the statements in sequence, runs times after one warm-up,
// and returns the median total.
func timeSQL(ctx context.Context, q provider.Querier, stmts []string, runs int) (time.Duration, error) {
	var ds []time.Duration
	for i := range runs + 1 {
		t0 := time.Now()
		for _, s := range stmts {
			if _, err := q.Query(ctx, s); err != nil {
				return 0, fmt.Errorf("%w\n%s", err, s)
			}
		}
		if i > 0 {
			ds = append(ds, time.Since(t0))
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], nil
}
