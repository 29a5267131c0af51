// Command verifycost times the SQL that package verify generates for one
// table (the count, schema, aggregates and fingerprint statements, taken
// from a real verify.Run report) against plain full scans of the same
// table, on the target and on the source database. Run it through
// bench/verify-cost.sh, which prepares lineitem at TPC-H scale 1.
//
// The cost of a check is given relative to the all-column scan, one
// count(*), sum(hash(every column)): a full scan of a columnar table reads
// every column, and the goals (aggregates <= 1.5x, fingerprint <= 3x) are
// stated against it. The one-column scan, sum(hash(l_comment)), is shown
// as context. Every statement of a side is timed in the same rounds, so
// that load from other processes spreads over all of them alike.
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
	column := flag.String("column", "l_comment", "column of the one-column scan")
	runs := flag.Int("runs", 5, "timed runs per statement")
	flag.Parse()
	if err := run(*srcPath, *dstPath, *table, *column, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "verifycost:", err)
		os.Exit(1)
	}
}

// goals are the cost goals per check, as multiples of the all-column scan.
var goals = map[string]float64{"aggregates": 1.5, "fingerprint": 3}

// timed is one line of a side's table: statements run in sequence and
// timed together.
type timed struct {
	label string
	class string // the verify check, or "" for a reference scan
	stmts []string
	runs  []time.Duration
}

func (t *timed) median() time.Duration {
	ds := append([]time.Duration(nil), t.runs...)
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

func run(srcPath, dstPath, table, column string, runs int) error {
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
	fmt.Printf("verify.Run at level fingerprint on %s (%d columns, rows %s, fingerprint %s): passed=%v in %s (both sides, sequential)\n",
		table, len(cols), rowsOf(rep), rep.Fingerprint, rep.Passed, measure.Secs(time.Since(t0)))
	if !rep.Passed {
		return fmt.Errorf("verification failed: %s", rep.Summary())
	}
	fmt.Printf("median of %d timed runs after one warm-up, all statements of a side timed in the same rounds\n", runs)
	for _, side := range []string{"source", "target"} {
		q := provider.Querier(dst)
		name := table
		if side == "source" {
			q, name = src, "main."+table
		}
		one := &timed{label: fmt.Sprintf("one-column scan: count(*), sum(hash(%s))", column),
			stmts: []string{fmt.Sprintf("SELECT count(*), sum(hash(%q)) FROM %s", column, name)}}
		all := &timed{label: fmt.Sprintf("all-column scan: count(*), sum(hash(all %d columns))", len(cols)),
			stmts: []string{fmt.Sprintf("SELECT count(*), sum(hash(%s)) FROM %s", strings.Join(cols, ", "), name)}}
		lines := []*timed{one, all}
		byClass := map[string]*timed{}
		for _, s := range rep.Statements {
			if s.Side != side {
				continue
			}
			class := classify(s.SQL)
			t := byClass[class]
			if t == nil {
				label := "verify " + class
				if class == "fingerprint" {
					label += " (" + rep.Fingerprint + ")"
				}
				t = &timed{label: label, class: class}
				byClass[class] = t
				lines = append(lines, t)
			}
			t.stmts = append(t.stmts, s.SQL)
		}
		if err := timeRounds(ctx, q, lines, runs); err != nil {
			return err
		}
		base, ctxt := all.median().Seconds(), one.median().Seconds()
		var rows [][]string
		for _, t := range lines {
			d := t.median()
			goal, met := "-", "-"
			if g, ok := goals[t.class]; ok {
				goal = fmt.Sprintf("<= %.1fx", g)
				met = "yes"
				if d.Seconds() > g*base {
					met = "NO"
				}
			}
			rows = append(rows, []string{t.label, fmt.Sprint(len(t.stmts)), measure.Secs(d),
				measure.Ratio(d.Seconds(), base), measure.Ratio(d.Seconds(), ctxt), goal, met})
		}
		fmt.Printf("\n%s side (%s):\n", side, name)
		measure.Table(os.Stdout, []string{"statement(s)", "n", "median", "vs all-column scan", "vs one-column scan", "goal", "met"}, rows)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		fmt.Printf("\npeak RSS of this process (DuckDB both sides): %s\n", measure.MiB(int64(ru.Maxrss)*1024))
	}
	if os.Getenv("VERIFYCOST_SQL") != "" {
		for _, s := range rep.Statements {
			fmt.Printf("\n-- %s / %s\n%s\n", classify(s.SQL), s.Side, s.SQL)
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
	case strings.Contains(s, "FP_BUCKET"):
		return "fingerprint"
	case strings.Contains(s, " AS M0"):
		return "aggregates"
	}
	return "other"
}

// timeRounds runs every line's statements once as a warm-up, then runs
// rounds in which each line runs once, in order, recording its time.
func timeRounds(ctx context.Context, q provider.Querier, lines []*timed, runs int) error {
	for round := range runs + 1 {
		for _, t := range lines {
			t0 := time.Now()
			for _, s := range t.stmts {
				if _, err := q.Query(ctx, s); err != nil {
					return fmt.Errorf("%w\n%s", err, s)
				}
			}
			if round > 0 {
				t.runs = append(t.runs, time.Since(t0))
			}
		}
	}
	return nil
}
