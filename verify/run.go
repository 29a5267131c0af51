package verify

import (
	"context"
	"fmt"
	"strconv"

	"github.com/ferry-dev/ferry/provider"
)

// TableCheck describes one table's verification.
type TableCheck struct {
	// SourceTable and TargetTable are plain, unquoted names, "schema.table"
	// or "table"; each side's Dialect quotes every part. Names containing
	// a dot inside one part are not supported.
	SourceTable string `json:"source_table"`
	TargetTable string `json:"target_table"`
	// Where is the source filter the unload applied, in the source dialect
	// (empty: the whole table). The source side of every check uses it.
	Where string `json:"where,omitempty"`
	// Columns are the verified columns, in target order.
	Columns []ColumnPair `json:"columns"`
	// Level is how deep to go.
	Level Level `json:"level"`
	// ManifestRows is the unload manifest's total record count (-1:
	// unknown).
	ManifestRows int64 `json:"manifest_rows"`
	// SourceRowsAtUnload is the source row count taken with the unload,
	// in the same snapshot (-1: unknown). It tells source drift apart from
	// a loss between unload and load.
	SourceRowsAtUnload int64 `json:"source_rows_at_unload"`
	// TargetColumns are the target table's columns as the target's catalog
	// declares them (provider.Target.Tables), read by the caller. With
	// them the schema level also compares every column's declared type
	// with ColumnPair.TargetType; without them (nil) it proves only that
	// the columns exist.
	TargetColumns []provider.Column `json:"target_columns,omitempty"`
	// Key names the target columns that identify a row. With a key, a
	// fingerprint mismatch fetches up to SampleLimit differing rows of the
	// differing buckets from each side into Report.Samples.
	Key []string `json:"key,omitempty"`
	// SampleLimit bounds the rows fetched per side for samples (0:
	// DefaultSampleLimit).
	SampleLimit int `json:"sample_limit,omitempty"`
}

// ColumnPair is one column under both names. Type is the column's target
// type family (see FamilyOf): both sides are canonicalised by it, because
// it is the type the loaded data has.
type ColumnPair struct {
	Source string     `json:"source"`
	Target string     `json:"target"`
	Type   ColumnType `json:"type"`
	// TargetType is the planned MaxCompute type of the target column
	// ("DECIMAL(15,2)"), compared at the schema level with the type the
	// target declares (see TableCheck.TargetColumns). Empty: not compared.
	TargetType string `json:"target_type,omitempty"`
}

// Run verifies one table at check.Level, then runs the custom queries.
// Every check is computed inside the engines; only results travel. A
// mismatch is reported in the Report, not as an error; an error means a
// statement could not run (or a querier speaks an unknown dialect) and
// nothing can be concluded.
//
// The fingerprint uses the engine's own row hash when both queriers speak
// the same dialect and it has one, else MD5 (see doc.go and
// Report.Fingerprint).
func Run(ctx context.Context, src, dst provider.Querier, check TableCheck, queries []Query) (*Report, error) {
	return run(ctx, src, dst, check, queries, false)
}

// run is Run; portable makes the fingerprint use MD5 even between two
// queriers of the same engine, so that tests can run it on one engine.
func run(ctx context.Context, src, dst provider.Querier, check TableCheck, queries []Query, portable bool) (*Report, error) {
	sd, err := DialectFor(src.Dialect())
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	td, err := DialectFor(dst.Dialect())
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	if _, err := keyColumns(check); err != nil {
		return nil, err
	}
	r := &runner{ctx: ctx, src: src, dst: dst, sd: sd, td: td, check: check, hash: chooseRowHash(sd, td, portable),
		report: &Report{Table: check.TargetTable, Level: check.Level.String(), Key: check.Key}}
	if err := r.count(); err != nil {
		return nil, err
	}
	if check.Level >= LevelSchema {
		r.schema()
	}
	if r.report.SourceChanged {
		r.skipContent(queries)
	} else {
		if check.Level >= LevelAggregates {
			if err := r.aggregates(); err != nil {
				return nil, err
			}
		}
		if check.Level >= LevelFingerprint {
			if err := r.fingerprint(); err != nil {
				return nil, err
			}
		}
		for _, q := range queries {
			if err := r.query(q); err != nil {
				return nil, err
			}
		}
	}
	r.report.Passed = true
	for _, c := range r.report.Checks {
		if !c.Passed && !c.Skipped {
			r.report.Passed = false
		}
	}
	return r.report, nil
}

// runner carries one Run's state.
type runner struct {
	ctx      context.Context
	src, dst provider.Querier
	sd, td   Dialect
	check    TableCheck
	// hash is the fingerprint's row hash, the same on both sides.
	hash   rowHash
	report *Report
}

// run executes one statement on one side and records it.
func (r *runner) run(side, sql string) (*provider.Result, error) {
	q := r.src
	if side == "target" {
		q = r.dst
	}
	r.report.Statements = append(r.report.Statements, Statement{Side: side, SQL: sql})
	res, err := q.Query(r.ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %s query: %w", r.check.TargetTable, side, err)
	}
	return res, nil
}

// both runs one statement per side and returns both results.
func (r *runner) both(srcSQL, dstSQL string) (*provider.Result, *provider.Result, error) {
	s, err := r.run("source", srcSQL)
	if err != nil {
		return nil, nil, err
	}
	t, err := r.run("target", dstSQL)
	if err != nil {
		return nil, nil, err
	}
	return s, t, nil
}

func (r *runner) add(c CheckResult) { r.report.Checks = append(r.report.Checks, c) }

// count compares source, manifest and target row counts and decides
// whether the source drifted since the unload.
func (r *runner) count() error {
	s, t, err := r.both(
		countSQL(r.sd, r.check.SourceTable, r.check.Where),
		countSQL(r.td, r.check.TargetTable, ""))
	if err != nil {
		return err
	}
	srcN, err := singleInt(s)
	if err != nil {
		return fmt.Errorf("verify %s: source count: %w", r.check.TargetTable, err)
	}
	dstN, err := singleInt(t)
	if err != nil {
		return fmt.Errorf("verify %s: target count: %w", r.check.TargetTable, err)
	}
	c, changed := judgeCount(srcN, dstN, r.check.ManifestRows, r.check.SourceRowsAtUnload)
	r.report.SourceChanged = changed
	r.add(c)
	return nil
}

// judgeCount compares the counts. The unload is the reference: the target
// must hold what the manifest says was unloaded (or, without a manifest,
// what the source held at unload, or now). A live source count that
// differs from the count taken at unload, while the target matches, is
// drift, reported as such. When the count at unload is unknown, a live
// source count that differs from a matching manifest and target cannot be
// told apart from a lost row between source and unload, so it fails.
func judgeCount(src, dst, manifest, atUnload int64) (CheckResult, bool) {
	c := CheckResult{Name: "count", Source: itoa(src), Target: itoa(dst)}
	if manifest >= 0 {
		c.Manifest = itoa(manifest)
	}
	want := src
	switch {
	case manifest >= 0:
		want = manifest
	case atUnload >= 0:
		want = atUnload
	}
	if dst != want {
		c.Detail = fmt.Sprintf("target has %d rows, expected %d", dst, want)
		return c, false
	}
	if manifest >= 0 && atUnload >= 0 && manifest != atUnload {
		c.Detail = fmt.Sprintf("the unload wrote %d rows but the source held %d at unload", manifest, atUnload)
		return c, false
	}
	if src == want {
		c.Passed = true
		return c, false
	}
	if atUnload >= 0 {
		c.Passed = true
		c.Detail = fmt.Sprintf("source changed since unload: %d rows at unload, %d now", atUnload, src)
		return c, true
	}
	c.Detail = fmt.Sprintf("source has %d rows, unload and target %d; without the count at unload, drift cannot be told from loss", src, want)
	return c, false
}

// skipContent records the content checks that drift made meaningless.
func (r *runner) skipContent(queries []Query) {
	detail := "skipped: source changed since unload"
	if r.check.Level >= LevelAggregates {
		r.add(CheckResult{Name: "aggregates", Skipped: true, Detail: detail})
	}
	if r.check.Level >= LevelFingerprint {
		r.add(CheckResult{Name: "fingerprint", Skipped: true, Detail: detail})
	}
	for _, q := range queries {
		r.add(CheckResult{Name: "query:" + q.Name, Skipped: true, Detail: detail})
	}
}

func appendDetail(d, s string) string {
	if d == "" {
		return s
	}
	return d + "; " + s
}

// singleInt reads the one integer a count statement returns.
func singleInt(res *provider.Result) (int64, error) {
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 || res.Rows[0][0] == nil {
		return 0, fmt.Errorf("want one non-null value, got %d rows", len(res.Rows))
	}
	return strconv.ParseInt(*res.Rows[0][0], 10, 64)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
