package executor

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/verify"
)

// verify compares one table on both sides. A mismatch fails the action
// and taints the load, so the next plan loads the table again.
func (e *executor) verify(ctx context.Context, r *plan.Resource) (outcome, error) {
	v := r.Verify
	src, err := e.opts.Providers.Source(ctx, v.Source)
	if err != nil {
		return outcome{}, err
	}
	tgt, err := e.opts.Providers.Target(ctx, v.Target)
	if err != nil {
		return outcome{}, err
	}
	files, err := e.checkFiles(ctx, r)
	if err != nil {
		return outcome{}, err
	}
	if v.Level == "files" {
		rep := &verify.Report{Table: v.TargetTable, Level: "files", Passed: files.Passed, Checks: []verify.CheckResult{files}}
		e.addReport(r.Addr, rep)
		out := outcome{output: compact(rep), details: rep, message: rep.Summary()}
		if !rep.Passed {
			out.taint = []string{plan.GroupKey(r.Addr) + ".copy"}
			return out, fmt.Errorf("verification failed: %s", rep.Summary())
		}
		return out, nil
	}
	level, err := verify.ParseLevel(v.Level)
	if err != nil {
		return outcome{}, err
	}
	check := verify.TableCheck{
		SourceTable: v.SourceTable, TargetTable: v.TargetTable, Where: v.Where, Level: level,
		ManifestRows: -1, SourceRowsAtUnload: -1,
	}
	converted := map[string]bool{}
	for _, p := range v.Partitions {
		if strings.SplitN(p.SourceType, "(", 2)[0] != "VARCHAR" && strings.SplitN(p.SourceType, "(", 2)[0] != "CHAR" && p.TargetType == "STRING" {
			// A DATE or TIMESTAMP key became a STRING partition: it is
			// compared by the per-partition counts, as text on both sides.
			converted[p.Target] = true
		}
	}
	sd, err := verify.DialectFor(src.Dialect())
	if err != nil {
		return outcome{}, err
	}
	for _, c := range v.Columns {
		if converted[c.Target] {
			continue
		}
		// The source side keeps the source column names; a column the
		// unload transformed (TIME to text, VARBYTE to hex) is compared
		// through the same expression.
		source := c.Source
		switch {
		case c.FileType != c.TargetType && strings.HasPrefix(c.TargetType, "DECIMAL"):
			// Loaded through a cast (a DECIMAL scale over 18): compare
			// the source rounded the same way.
			source = verify.Expr(fmt.Sprintf("CAST(%s AS %s)", sd.QuoteIdent(c.Source), c.TargetType))
		case c.Expr != "":
			source = verify.Expr(fmt.Sprintf(c.Expr, sd.QuoteIdent(c.Source)))
		}
		check.Columns = append(check.Columns, verify.ColumnPair{Source: source, Target: c.Target, Type: verify.FamilyOf(c.TargetType), TargetType: c.TargetType})
	}
	check.Key = v.Key
	// The schema level compares the target's declared column types with
	// the plan's.
	if t, ok, err := e.lookupTable(ctx, v.Target, tgt, v.TargetTable); err == nil && ok {
		for _, c := range append(append([]provider.Column(nil), t.Columns...), t.PartitionColumns...) {
			if !converted[c.Name] {
				check.TargetColumns = append(check.TargetColumns, c)
			}
		}
	}
	if u, err := e.unloadState(v.UnloadAddr); err == nil {
		if n, err := strconv.ParseInt(u.Observed[plan.ObsManifest], 10, 64); err == nil {
			check.ManifestRows = n
		}
		if n, err := strconv.ParseInt(u.Observed[plan.ObsRows], 10, 64); err == nil {
			check.SourceRowsAtUnload = n
		}
	}
	rep, err := verify.Run(ctx, src, tgt, check, partitionCounts(v, src.Dialect(), tgt.Dialect()))
	if err != nil {
		return outcome{}, fmt.Errorf("verify %s: %w", v.TargetTable, err)
	}
	// The files check comes first, as the cheapest level.
	rep.Checks = append([]verify.CheckResult{files}, rep.Checks...)
	rep.Passed = rep.Passed && files.Passed
	e.addReport(r.Addr, rep)
	out := outcome{output: compact(rep), details: rep, message: rep.Summary()}
	if !rep.Passed {
		out.taint = []string{plan.GroupKey(r.Addr) + ".load"}
		return out, fmt.Errorf("verification failed: %s", rep.Summary())
	}
	return out, nil
}

// query runs a migration's custom query on both sides.
func (e *executor) query(ctx context.Context, r *plan.Resource) (outcome, error) {
	q := r.Query
	src, err := e.opts.Providers.Source(ctx, q.Source)
	if err != nil {
		return outcome{}, err
	}
	tgt, err := e.opts.Providers.Target(ctx, q.Target)
	if err != nil {
		return outcome{}, err
	}
	rep, err := verify.RunQueries(ctx, src, tgt, []verify.Query{{
		Name: q.Name, SourceSQL: q.SourceSQL, TargetSQL: q.TargetSQL, Tolerance: q.Tolerance,
	}})
	if err != nil {
		return outcome{}, fmt.Errorf("query %s: %w", q.Name, err)
	}
	rep.Table = "query " + q.Name
	e.addReport(r.Addr, rep)
	out := outcome{output: compact(rep), details: rep, message: rep.Summary()}
	if !rep.Passed {
		return out, fmt.Errorf("verification failed: %s", rep.Summary())
	}
	return out, nil
}

func (e *executor) addReport(addr string, rep *verify.Report) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reports[addr] = rep
}

// VerifyOutput is what a verification records in the state: the verdict
// and the failed checks. The full report, with every statement run, goes
// to the history, which keeps the state small at thousands of tables.
type VerifyOutput struct {
	Table         string               `json:"table"`
	Level         string               `json:"level"`
	Passed        bool                 `json:"passed"`
	SourceChanged bool                 `json:"source_changed,omitempty"`
	Summary       string               `json:"summary"`
	Checks        int                  `json:"checks"`
	Failed        []verify.CheckResult `json:"failed,omitempty"`
}

func compact(rep *verify.Report) VerifyOutput {
	out := VerifyOutput{Table: rep.Table, Level: rep.Level, Passed: rep.Passed, SourceChanged: rep.SourceChanged,
		Summary: rep.Summary(), Checks: len(rep.Checks)}
	for _, c := range rep.Checks {
		if !c.Passed && !c.Skipped {
			out.Failed = append(out.Failed, c)
		}
	}
	return out
}

// partitionCounts compares row counts per partition of a partitioned
// table, as a query run on both sides: the partition keys as text, and
// the number of rows, grouped and ordered by the keys.
func partitionCounts(v *plan.VerifySpec, srcDialect, tgtDialect string) []verify.Query {
	if len(v.Partitions) == 0 {
		return nil
	}
	sd, err1 := verify.DialectFor(srcDialect)
	td, err2 := verify.DialectFor(tgtDialect)
	if err1 != nil || err2 != nil {
		return nil
	}
	side := func(d verify.Dialect, table, where string, name func(plan.ColumnMapping) string, text string) string {
		var keys, exprs, order []string
		for i, p := range v.Partitions {
			e := fmt.Sprintf("RTRIM(CAST(%s AS %s))", d.QuoteIdent(name(p)), text)
			exprs = append(exprs, e)
			keys = append(keys, fmt.Sprintf("%s AS k%d", e, i))
			order = append(order, fmt.Sprintf("k%d", i))
		}
		q := fmt.Sprintf("SELECT %s, COUNT(*) AS n FROM %s", strings.Join(keys, ", "), d.QuoteTable(table))
		if where != "" {
			q += " WHERE " + where
		}
		q += " GROUP BY " + strings.Join(exprs, ", ") + " ORDER BY " + strings.Join(order, ", ")
		if d.Name() == "maxcompute" {
			q += " LIMIT 10000" // MaxCompute wants a LIMIT with ORDER BY
		}
		return q
	}
	text := func(d string) string {
		if d == "maxcompute" {
			return "STRING"
		}
		return "VARCHAR"
	}
	return []verify.Query{{
		Name:      "count per partition",
		SourceSQL: side(sd, v.SourceTable, v.Where, func(c plan.ColumnMapping) string { return c.Source }, text(srcDialect)),
		TargetSQL: side(td, v.TargetTable, "", func(c plan.ColumnMapping) string { return c.Target }, text(tgtDialect)),
	}}
}

// checkFiles is the files level: the landed data files are exactly the
// unload manifest's, with the same sizes (the copy already compared
// checksums while streaming).
func (e *executor) checkFiles(ctx context.Context, r *plan.Resource) (verify.CheckResult, error) {
	base := plan.GroupKey(r.Addr)
	c := verify.CheckResult{Name: "files"}
	load := e.byAddr[base+".load"]
	us, cs := e.opts.State.Get(base+".unload"), e.opts.State.Get(base+".copy")
	if load == nil || us == nil || cs == nil || len(us.Output) == 0 {
		c.Skipped, c.Passed, c.Detail = true, true, "no unload manifest recorded"
		return c, nil
	}
	var out UnloadOutput
	if err := json.Unmarshal(us.Output, &out); err != nil {
		return c, fmt.Errorf("verify files: unload output: %w", err)
	}
	b, err := e.opts.Providers.Bucket(ctx, load.Load.Bucket)
	if err != nil {
		return c, err
	}
	prefix := load.Load.Prefix + cs.Generation + "/data/"
	objs, err := b.List(ctx, prefix)
	if err != nil {
		return c, fmt.Errorf("verify files: %w", err)
	}
	var bytes int64
	for _, o := range objs {
		bytes += o.Size
	}
	c.Source = fmt.Sprintf("%d files, %d bytes", out.Files, out.Bytes)
	c.Target = fmt.Sprintf("%d files, %d bytes", len(objs), bytes)
	c.Manifest = c.Source
	c.Passed = len(objs) == out.Files && bytes == out.Bytes
	if !c.Passed {
		c.Detail = "the landed files differ from the unload manifest"
	}
	return c, nil
}
