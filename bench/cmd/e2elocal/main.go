// Command e2elocal times the quickstart pipeline at TPC-H scale 1:
// `ferry apply -auto-approve -var tpch_scale=1` against a hand-written
// DuckDB program doing the same work directly (COPY each table to
// Parquet, copy the files to the landing folder, load them into the
// target database, TPC-H Q1 on both). The source is seeded once, outside
// the timed region, and copied fresh before every run of either side.
// Run it through bench/e2e-local.sh.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ferry-dev/ferry/bench/internal/measure"
	"github.com/ferry-dev/ferry/provider/local"
)

var tables = []string{"region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"}

func main() {
	mode := flag.String("mode", "bench", "bench, or script (the baseline, as a child process)")
	ferry := flag.String("ferry", "", "ferry binary")
	repo := flag.String("repo", ".", "repository root (for examples/quickstart)")
	work := flag.String("work", filepath.Join(os.TempDir(), "ferry-bench", "e2e-local"), "working directory")
	scale := flag.Float64("scale", 1, "TPC-H scale factor")
	runs := flag.Int("runs", 3, "timed runs per side")
	dir := flag.String("dir", "", "run directory (script mode)")
	flag.Parse()
	var err error
	if *mode == "script" {
		err = script(*dir)
	} else {
		err = bench(*ferry, *repo, *work, *scale, *runs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2elocal:", err)
		os.Exit(1)
	}
}

func bench(ferry, repo, work string, scale float64, runs int) error {
	fmt.Printf("machine: %s\n", measure.Machine())
	seed := filepath.Join(work, "seed", fmt.Sprintf("tpch-sf%g.duckdb", scale))
	if _, err := os.Stat(seed); err != nil {
		t0 := time.Now()
		src, err := local.OpenSource(seed, scale)
		if err != nil {
			return err
		}
		src.Close()
		fmt.Printf("seeded TPC-H sf%g in %s (once, not timed)\n", scale, measure.Secs(time.Since(t0)))
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	runDir := filepath.Join(work, "run")
	qs := filepath.Join(repo, "examples", "quickstart")
	prepare := func() error {
		if err := os.RemoveAll(runDir); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(runDir, ".ferry"), 0o755); err != nil {
			return err
		}
		for _, f := range []string{"main.ferry.hcl", "queries/q1.sql"} {
			if err := copyFile(filepath.Join(qs, f), filepath.Join(runDir, f), true); err != nil {
				return err
			}
		}
		if err := copyFile(seed, filepath.Join(runDir, ".ferry", "redshift.duckdb"), true); err != nil {
			return err
		}
		return syncAll()
	}
	ferryCmd := measure.Cmd{Path: ferry, Dir: runDir, Args: []string{"apply", "-auto-approve", "-no-color", "-var", fmt.Sprintf("tpch_scale=%g", scale)}}
	scriptCmd := measure.Cmd{Path: self, Args: []string{"-mode", "script", "-dir", runDir}}
	fs := measure.Series{Name: "ferry apply"}
	ss := measure.Series{Name: "duckdb script"}
	for r := range runs {
		for _, x := range []struct {
			s *measure.Series
			c measure.Cmd
		}{{&fs, ferryCmd}, {&ss, scriptCmd}} {
			if err := prepare(); err != nil {
				return err
			}
			smp, err := measure.Run(x.c)
			if err != nil {
				return err
			}
			x.s.Samples = append(x.s.Samples, smp)
			fmt.Printf("run %d %-14s %s  peak RSS %s\n", r+1, x.s.Name, measure.Secs(smp.Wall), measure.MiB(smp.MaxRSS))
		}
	}
	fmt.Println()
	measure.Table(os.Stdout, []string{"pipeline", "median wall", "peak RSS", "vs script"}, [][]string{
		{fs.Name, measure.Secs(fs.Wall()), measure.MiB(fs.RSS()), measure.Ratio(fs.Wall().Seconds(), ss.Wall().Seconds())},
		{ss.Name, measure.Secs(ss.Wall()), measure.MiB(ss.RSS()), "1.00x"},
	})
	fmt.Printf("\nferry/script wall time: %s (target <= 1.15x)\n", measure.Ratio(fs.Wall().Seconds(), ss.Wall().Seconds()))
	return nil
}

// syncAll flushes the copied source so that its write-back does not land
// inside the timed region.
func syncAll() error {
	f, err := os.Open("/")
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// copyFile copies from into to, creating to's folder; with sync the copy
// is flushed to disk before it returns.
func copyFile(from, to string, sync bool) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if sync {
		if err := out.Sync(); err != nil {
			out.Close()
			return err
		}
	}
	return out.Close()
}

// script is the baseline: the same data path with nothing around it.
func script(dir string) error {
	ctx := context.Background()
	s3 := filepath.Join(dir, ".ferry", "s3")
	oss := filepath.Join(dir, ".ferry", "oss")
	for _, d := range []string{s3, oss} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	src, err := sql.Open("duckdb", filepath.Join(dir, ".ferry", "redshift.duckdb"))
	if err != nil {
		return err
	}
	defer src.Close()
	for _, t := range tables {
		if _, err := src.ExecContext(ctx, fmt.Sprintf("COPY (SELECT * FROM main.%s) TO '%s' (FORMAT parquet)", t, filepath.Join(s3, t+".parquet"))); err != nil {
			return err
		}
		// The bucket-to-bucket copy, without fsync (ferry links the file
		// between its local buckets, which writes nothing).
		if err := copyFile(filepath.Join(s3, t+".parquet"), filepath.Join(oss, t+".parquet"), false); err != nil {
			return err
		}
	}
	dst, err := sql.Open("duckdb", filepath.Join(dir, ".ferry", "maxcompute.duckdb"))
	if err != nil {
		return err
	}
	defer dst.Close()
	for _, t := range tables {
		if _, err := dst.ExecContext(ctx, fmt.Sprintf("CREATE TABLE main.%s AS SELECT * FROM read_parquet('%s')", t, filepath.Join(oss, t+".parquet"))); err != nil {
			return err
		}
	}
	q1, err := os.ReadFile(filepath.Join(dir, "queries", "q1.sql"))
	if err != nil {
		return err
	}
	var results [2]string
	for i, db := range []*sql.DB{src, dst} {
		rows, err := db.QueryContext(ctx, string(q1))
		if err != nil {
			return err
		}
		var b strings.Builder
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		results[i] = b.String()
	}
	if results[0] != results[1] || results[0] == "" {
		return fmt.Errorf("Q1 differs between source and target")
	}
	return nil
}
