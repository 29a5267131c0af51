package verify

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// The schema level makes two kinds of checks:
//
//   - "schema": every mapped column can be selected under its name on both
//     sides, proven by a statement that reads no row;
//   - "schema:<column>": with TableCheck.TargetColumns, each target column
//     as the target's catalog declares it against the plan: its type
//     equals ColumnPair.TargetType, a planned column is not missing, and
//     the target has no column the plan does not know.
//
// Types are compared in typemap's canonical spelling, so "decimal(15, 2)"
// equals "DECIMAL(15,2)"; names are compared without regard to case, as
// MaxCompute folds them.

// missingType and unplannedType stand for the absent side of a
// "schema:<column>" check.
const (
	missingType   = "(missing)"
	unplannedType = "(not planned)"
)

// schema runs the schema level. A failing probe is a mismatch, not an
// error: a missing column is exactly what this level looks for.
func (r *runner) schema() {
	r.probe()
	if r.check.TargetColumns != nil {
		r.columnTypes()
	}
}

// probe proves every mapped column exists on both sides under its name.
func (r *runner) probe() {
	var srcCols, dstCols []string
	for _, c := range r.check.Columns {
		srcCols = append(srcCols, c.Source)
		dstCols = append(dstCols, c.Target)
	}
	c := CheckResult{Name: "schema", Source: plural(len(srcCols), "column"), Target: plural(len(dstCols), "column"), Passed: true}
	for _, side := range []struct {
		name  string
		sql   string
		count int
	}{
		{"source", probeSQL(r.sd, r.check.SourceTable, srcCols), len(srcCols)},
		{"target", probeSQL(r.td, r.check.TargetTable, dstCols), len(dstCols)},
	} {
		res, err := r.run(side.name, side.sql)
		switch {
		case err != nil:
			c.Passed = false
			c.Detail = appendDetail(c.Detail, err.Error())
		case len(res.Columns) != side.count:
			c.Passed = false
			c.Detail = appendDetail(c.Detail, fmt.Sprintf("%s returned %d columns, want %d", side.name, len(res.Columns), side.count))
		}
	}
	r.add(c)
}

// columnTypes compares the target catalog's columns with the plan: one
// check per planned column, in plan order, then one per unplanned target
// column, sorted by name.
func (r *runner) columnTypes() {
	declared := map[string]provider.Column{}
	for _, c := range r.check.TargetColumns {
		declared[strings.ToLower(c.Name)] = c
	}
	planned := map[string]bool{}
	for _, p := range r.check.Columns {
		planned[strings.ToLower(p.Target)] = true
		c := CheckResult{Name: "schema:" + p.Target, Source: normalType(p.TargetType)}
		d, ok := declared[strings.ToLower(p.Target)]
		switch {
		case !ok:
			c.Target = missingType
			c.Detail = fmt.Sprintf("column %s is planned but the target has no such column", p.Target)
		case p.TargetType == "":
			// No planned type: existence is all that can be checked.
			c.Source, c.Target, c.Passed = normalType(d.Type), normalType(d.Type), true
		default:
			c.Target = normalType(d.Type)
			c.Passed = c.Source == c.Target
			if !c.Passed {
				c.Detail = fmt.Sprintf("column %s is %s in the target, planned %s", p.Target, c.Target, c.Source)
			}
		}
		r.add(c)
	}
	var extra []string
	for name, d := range declared {
		if !planned[name] {
			extra = append(extra, d.Name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		d := declared[strings.ToLower(name)]
		r.add(CheckResult{Name: "schema:" + name, Source: unplannedType, Target: normalType(d.Type),
			Detail: fmt.Sprintf("the target has column %s, which the plan does not map", name)})
	}
}

// normalType spells a MaxCompute type as typemap prints it, or upper-cased
// without blanks when typemap does not parse it.
func normalType(t string) string {
	if mt, err := (typemap.Options{ExtendedDecimalScale: true}).ParseMaxCompute(t); err == nil {
		return mt.String()
	}
	return strings.ToUpper(strings.Join(strings.Fields(t), ""))
}
